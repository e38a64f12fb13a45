#!/usr/bin/env python3
"""Writes a monorepo-sized workspace for the benchmarks (deterministic for a given seed).

Usage: benchmarks/monorepo.py DIR [--pipelines 700] [--sources 12000] [--seed 1]

DIR receives `--sources` unrelated source files (Python, Go, Java, Markdown, JSON) and `--pipelines`
Jenkinsfiles of varied shapes (declarative with inline yaml or a yamlFile, scripted podTemplate with
containerTemplates and volumes, nested templates), each building a Dockerfile of 200-300 lines of
realistic RUN/COPY/ENV/ARG content. Pods use custom working directories and volumes; about one in
four writes under a mount. Every 70th service has a second pipeline building the same Dockerfile.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

BASES = ["ubuntu:22.04", "debian:bookworm", "jenkins/inbound-agent:3206.vb_15dcf73f6a_9-1", "python:3.12-slim",
         "node:20", "golang:1.22", "maven:3.9-eclipse-temurin-21", "alpine:3.20"]
PACKAGES = ["curl", "git", "make", "gcc", "g++", "libssl-dev", "zlib1g-dev", "ca-certificates", "unzip",
            "jq", "openssh-client", "rsync", "gnupg", "lsb-release", "python3-pip", "build-essential",
            "libffi-dev", "libxml2-dev", "libyaml-dev", "pkg-config", "tzdata", "locales", "xz-utils"]
WORKING_DIRS = ["/home/jenkins", "/home/jenkins/agent", "/tmp/jenkins", "/build", "/home/jenkins"]


PIP_PACKAGES = ["requests", "pyyaml", "boto3", "click", "jinja2", "pytest", "ansible-core", "awscli", "jmespath",
                "urllib3", "cryptography", "kubernetes", "docker", "rich", "httpx", "tenacity"]


def dockerfile(rng: random.Random, service: str, working_dir: str) -> str:
    """A 200-300 line Dockerfile written the way toolchain images are: commented blocks of package lists,
    downloads, environment, labels and configuration; about a quarter write under `working_dir`."""
    base = rng.choice(BASES)
    lines = ["# syntax=docker/dockerfile:1", f"# {service}: build and runtime image", "#",
             "# Rebuilt nightly; see the service README for the versions pinned here.", "",
             "ARG VERSION=1.0.0", f"FROM {base} AS build", "ARG VERSION",
             "ENV DEBIAN_FRONTEND=noninteractive \\", "    LANG=C.UTF-8 \\", "    LC_ALL=C.UTF-8", "",
             "USER root", "WORKDIR /src", ""]
    target = rng.randint(200, 300)
    tools = 0
    while len(lines) < target - 25:
        kind = rng.randrange(7)
        if kind == 0:
            packages = sorted(rng.sample(PACKAGES, rng.randint(8, 20)))
            lines += ["# system packages", "RUN apt-get update \\",
                      "    && apt-get install -y --no-install-recommends \\"]
            lines += [f"        {p} \\" for p in packages]
            lines += ["    && apt-get clean \\", "    && rm -rf /var/lib/apt/lists/*", ""]
        elif kind == 1:
            tools += 1
            name = f"{rng.choice(['helm', 'kubectl', 'terraform', 'yq', 'jq', 'trivy', 'cosign'])}{tools}"
            lines += [f"# {name}", f"ARG {name.upper()}_VERSION=1.{rng.randint(0, 30)}.{rng.randint(0, 9)}",
                      f"RUN curl -fsSL -o /tmp/{name}.tar.gz \\",
                      f"        https://releases.example.com/{name}/v${{{name.upper()}_VERSION}}/linux-amd64.tgz \\",
                      f"    && mkdir -p /opt/{name} \\",
                      f"    && tar -xzf /tmp/{name}.tar.gz -C /opt/{name} --strip-components=1 \\",
                      f"    && ln -s /opt/{name}/{name} /usr/local/bin/{name} \\",
                      f"    && rm -f /tmp/{name}.tar.gz", ""]
        elif kind == 2:
            count = rng.randint(3, 6)
            lines += ["ENV APP_HOME=/opt/app \\"]
            lines += [f"    {service.upper().replace('-', '_')}_OPTION_{n}=value-{rng.randint(0, 99)} \\"
                      for n in range(count)]
            lines += ["    PATH=/opt/app/bin:$PATH", ""]
        elif kind == 3:
            packages = rng.sample(PIP_PACKAGES, rng.randint(4, 10))
            lines += ["# Python tooling", "RUN pip install --no-cache-dir \\"]
            lines += [f"        {p}=={rng.randint(1, 9)}.{rng.randint(0, 20)} \\" for p in packages[:-1]]
            lines += [f"        {packages[-1]}=={rng.randint(1, 9)}.0", ""]
        elif kind == 4:
            lines += ["LABEL org.opencontainers.image.title=\"" + service + "\" \\",
                      "      org.opencontainers.image.vendor=\"Example\" \\",
                      "      org.opencontainers.image.version=\"${VERSION}\" \\",
                      "      org.opencontainers.image.source=\"https://git.example.com/" + service + "\"", ""]
        elif kind == 5:
            lines += ["# configuration", "COPY config/ /etc/app/",
                      "RUN sed -i 's/^#\\s*\\(deb.*universe\\)$/\\1/g' /etc/apt/sources.list \\",
                      "    && echo 'export APP_ENV=ci' >> /etc/profile.d/app.sh \\",
                      "    && chmod +x /etc/profile.d/app.sh", ""]
        else:
            lines += ["# unprivileged user", "RUN useradd -m -d /home/app -s /bin/bash app \\",
                      "    && mkdir -p /var/lib/app/logs /var/lib/app/cache \\",
                      "    && chown -R app /home/app /var/lib/app", ""]
    lines += ["COPY src/ /src/app/", "RUN make -C /src/app all install PREFIX=/usr/local", "",
              f"FROM {base}", "COPY --from=build /usr/local /usr/local", "COPY --from=build /opt /opt",
              "WORKDIR /opt/app", "USER root"]
    if rng.random() < 0.25:
        lines += [f"RUN mkdir -p {working_dir}/.cache/{service} \\", f"    && touch {working_dir}/.ready"]
    while len(lines) < target - 3:
        lines.append(f"# reserved for {service} runtime settings ({len(lines)})")
    lines += ["EXPOSE 8080", "USER app", 'ENTRYPOINT ["/usr/local/bin/app"]']
    return "\n".join(lines) + "\n"


def pod_yaml(working_dir: str, indent: str) -> str:
    body = [
        "apiVersion: v1", "kind: Pod", "spec:", "  containers:", "  - name: jnlp",
        f"    workingDir: {working_dir}", "  - name: kaniko", "    image: gcr.io/kaniko-project/executor:debug",
        "    command: [/busybox/cat]", "    tty: true", f"    workingDir: {working_dir}", "    volumeMounts:",
        "    - name: docker-config", "      mountPath: /kaniko/.docker", "    - name: cache",
        "      mountPath: /cache", "  volumes:", "  - name: docker-config", "    secret:",
        "      secretName: registry", "  - name: cache", "    emptyDir: {}",
    ]
    return "\n".join(indent + line for line in body) + "\n"


def executor(context: str, dockerfile_path: str, service: str) -> str:
    return (f"/kaniko/executor --context {context} --dockerfile {dockerfile_path} "
            f"--destination registry.example.com/{service}:${{BUILD_NUMBER}} --cache=true")


def jenkinsfile(rng: random.Random, service: str, working_dir: str, shape: int, files: dict[str, str]) -> str:
    steps = [f"        echo \"building {service} ${{env.BUILD_ID}}\"",
             "        sh 'printenv | sort'"]
    build = executor("`pwd`", f"`pwd`/services/{service}/Dockerfile", service)
    if shape == 0:
        return ("pipeline {\n  agent {\n    kubernetes {\n      yaml '''\n" + pod_yaml(working_dir, "        ")
                + "      '''\n    }\n  }\n  stages {\n    stage('test') {\n      steps {\n" + "\n".join(steps)
                + "\n      }\n    }\n    stage('image') {\n      steps {\n"
                "        container(name: 'kaniko', shell: '/busybox/sh') {\n"
                f"          sh '''#!/busybox/sh\n            {build}\n          '''\n"
                "        }\n      }\n    }\n  }\n  post { always { echo 'done' } }\n}\n")
    if shape == 1:
        files[f"services/{service}/ci/pod.yaml"] = pod_yaml(working_dir, "")
        return ("pipeline {\n  agent {\n    kubernetes {\n"
                f"      yamlFile 'services/{service}/ci/pod.yaml'\n      defaultContainer 'kaniko'\n"
                "    }\n  }\n  options { timeout(time: 30, unit: 'MINUTES') }\n  stages {\n"
                "    stage('image') {\n      steps {\n"
                f"        dir('services/{service}') {{\n"
                f"          sh \"{executor('$(pwd)', 'Dockerfile', service)}\"\n"
                "        }\n      }\n    }\n  }\n}\n")
    if shape == 2:
        return ("def image = 'gcr.io/kaniko-project/executor:v1.23.2-debug'\n"
                "podTemplate(containers: [\n"
                f"    containerTemplate(name: 'jnlp', image: 'jenkins/inbound-agent', workingDir: '{working_dir}'),\n"
                f"    containerTemplate(name: 'kaniko', image: image, command: '/busybox/cat', ttyEnabled: true,"
                f" workingDir: '{working_dir}')\n"
                "  ], volumes: [\n"
                "    secretVolume(secretName: 'registry', mountPath: '/kaniko/.docker'),\n"
                "    emptyDirVolume(mountPath: '/cache', memory: false)\n"
                "  ]) {\n  node(POD_LABEL) {\n    stage('checkout') { checkout scm }\n"
                "    stage('image') {\n      container('kaniko') {\n"
                f"        sh \"\"\"\n          {build}\n        \"\"\"\n      }}\n    }}\n  }}\n}}\n")
    return ("podTemplate(yaml: '''\n" + pod_yaml(working_dir, "    ") + "''') {\n"
            "  podTemplate(containers: [containerTemplate(name: 'tools', image: 'alpine', command: 'cat',"
            " ttyEnabled: true)], yamlMergeStrategy: merge()) {\n"
            "    node(POD_LABEL) {\n      container('tools') { sh 'apk add git' }\n"
            "      container('kaniko') {\n"
            f"        sh '{build}'\n      }}\n    }}\n  }}\n}}\n")


SOURCE_KINDS = [
    ("py", "import os\n\n\ndef handler(event):\n    return {{'id': {n}, 'path': os.getcwd()}}\n"),
    ("go", "package main\n\nfunc f{n}() int {{ return {n} }}\n"),
    ("java", "public class C{n} {{ int value() {{ return {n}; }} }}\n"),
    ("md", "# Notes {n}\n\nNothing to build here.\n"),
    ("json", "{{\"id\": {n}, \"tags\": [\"a\", \"b\"]}}\n"),
    ("yaml", "name: config-{n}\nreplicas: 2\n"),
]


def generate(root: Path, pipelines: int = 700, sources: int = 12000, seed: int = 1) -> dict[str, int]:
    """Writes the workspace; returns counts of what was written."""
    rng = random.Random(seed)
    files: dict[str, str] = {}
    services = 0
    count = 0
    while count < pipelines:
        service = f"svc-{services:04d}"
        services += 1
        working_dir = rng.choice(WORKING_DIRS)
        files[f"services/{service}/Dockerfile"] = dockerfile(rng, service, working_dir)
        files[f"services/{service}/Jenkinsfile"] = jenkinsfile(rng, service, working_dir, services % 4, files)
        count += 1
        if services % 70 == 0 and count < pipelines:
            files[f"services/{service}/Jenkinsfile.release"] = jenkinsfile(rng, service, working_dir, 0, files)
            count += 1
    for n in range(sources):
        extension, template = SOURCE_KINDS[n % len(SOURCE_KINDS)]
        files[f"src/module{n // 100:03d}/file{n}.{extension}"] = template.format(n=n)
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return {"pipelines": count, "dockerfiles": services,
            "pod yaml files": sum(1 for p in files if p.endswith("ci/pod.yaml")), "files": len(files)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--pipelines", type=int, default=700)
    parser.add_argument("--sources", type=int, default=12000)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    print(generate(options.directory, options.pipelines, options.sources, options.seed))
