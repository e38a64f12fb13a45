"""The tool table: where each tool writes by default, and the options and variables that move it."""

from __future__ import annotations

import pytest

from kaniko_lsp.dockerfile.effects import analyze
from kaniko_lsp.dockerfile.parse import parse
from kaniko_lsp.dockerfile.tools import INSTALLERS, TOOLS
from kaniko_lsp.text import Embedded

W, C = False, True  # written to stay in the image; a tool cache


def writes(dockerfile: str) -> set[tuple[str, bool]]:
    """(path, cache) of every write of the last RUN (the base image runs as root, HOME=/root)."""
    result = analyze(parse(Embedded.whole("Dockerfile", dockerfile)))
    last = max(i for i, line in enumerate(dockerfile.splitlines()) if line.startswith("RUN"))
    return {(e.path, e.cache) for e in result.effects if e.effect.value == "writes"
            and e.location.range.start.line == last and e.instruction.keyword == "RUN"}


CASES = [
    # the issue's examples: options and variables that name where a tool writes
    ("git config --global user.name ci", {("/root/.gitconfig", W)}),
    ("git config user.name ci", set()),
    ("dotnet tool install --tool-path /opt/tools dotnet-ef", {("/opt/tools", W)}),
    ("dotnet tool install -g dotnet-ef", {("/root/.dotnet/tools", W)}),
    ("ansible-galaxy collection install -p /opt/ans community.general", {("/opt/ans", W)}),
    ("ansible-galaxy collection install community.general", {("/root/.ansible/collections", W)}),
    ("pip install --target /opt/lib requests", {("/root/.cache/pip", C), ("/opt/lib", W)}),
    ("pip install --no-cache-dir --user requests", {("/root/.local", W)}),
    ("python3 -m pip install --no-cache-dir --prefix=/install x", {("/install", W)}),
    ("npm install --prefix /opt/app left-pad", {("/root/.npm", C), ("/opt/app", W)}),
    ("npm install -g typescript", {("/root/.npm", C), ("/usr/local/lib/node_modules", W)}),
    ("GOBIN=/usr/local/bin go install example.com/tool@latest",
     {("/root/.cache/go-build", C), ("/root/go/pkg", C), ("/usr/local/bin", W)}),
    ("gem install --install-dir /opt/gems rake", {("/opt/gems", W)}),
    ("gem install --user-install rake", {("/root/.local/share/gem", W)}),
    # system package managers
    ("apt-get install -y curl", {("/var/lib/apt", W), ("/var/cache/apt", W), ("/var/lib/dpkg", W), ("/usr", W),
                                 ("/etc", W)}),
    ("dpkg -i tool.deb", {("/var/lib/dpkg", W), ("/usr", W), ("/etc", W)}),
    ("apk add --no-cache git", {("/lib/apk", W), ("/var/cache/apk", W), ("/etc/apk", W), ("/usr", W)}),
    ("dnf install -y git", {("/var/cache/dnf", W), ("/var/lib/rpm", W), ("/var/lib/dnf", W), ("/usr", W),
                            ("/etc", W)}),
    ("yum install -y git", {("/var/cache/yum", W), ("/var/lib/rpm", W), ("/var/lib/yum", W), ("/usr", W),
                            ("/etc", W)}),
    ("microdnf install git", {("/var/cache/microdnf", W), ("/var/lib/rpm", W), ("/usr", W), ("/etc", W)}),
    ("zypper in -y git", {("/var/cache/zypp", W), ("/var/lib/rpm", W), ("/usr", W), ("/etc", W)}),
    ("rpm -ivh tool.rpm", {("/var/lib/rpm", W), ("/usr", W), ("/etc", W)}),
    ("pacman -Syu --noconfirm git", {("/var/lib/pacman", W), ("/var/cache/pacman", W), ("/usr", W), ("/etc", W)}),
    # Python
    ("pip install -r requirements.txt", {("/root/.cache/pip", C)}),
    ("PIP_CACHE_DIR=/tmp/pip pip install x", {("/tmp/pip", C)}),
    ("pipx install black", {("/root/.local/share/pipx", W), ("/root/.local/bin", W)}),
    ("poetry install --no-root", {("/root/.cache/pypoetry", C)}),
    ("pipenv install --system", {("/root/.local/share/virtualenvs", W), ("/root/.cache/pipenv", C)}),
    ("conda install -y numpy", {("/root/.conda", W)}),
    ("uv pip install --system x", {("/root/.cache/uv", C)}),
    ("uv tool install ruff", {("/root/.cache/uv", C), ("/root/.local/share/uv/tools", W), ("/root/.local/bin", W)}),
    # JavaScript
    ("npm ci", {("/root/.npm", C), ("/app/node_modules", W)}),
    ("npm run build", {("/root/.npm", C), ("/app", W)}),
    ("yarn install --frozen-lockfile", {("/root/.cache/yarn", C), ("/app/node_modules", W)}),
    ("yarn", {("/root/.cache/yarn", C), ("/app/node_modules", W)}),
    ("yarn global add serve", {("/root/.cache/yarn", C), ("/root/.config/yarn/global", W)}),
    ("pnpm install", {("/root/.local/share/pnpm", C), ("/app/node_modules", W)}),
    ("bun install", {("/root/.bun/install/cache", C), ("/app/node_modules", W)}),
    ("npm install puppeteer", {("/root/.npm", C), ("/app/node_modules", W), ("/root/.cache/puppeteer", W)}),
    ("npx -y playwright install --with-deps chromium", {("/root/.cache/ms-playwright", W)}),
    ("PLAYWRIGHT_BROWSERS_PATH=/ms-playwright npx playwright install", {("/ms-playwright", W)}),
    ("npx cypress install", {("/root/.cache/Cypress", W)}),
    ("npx puppeteer browsers install chrome", {("/root/.cache/puppeteer", W)}),
    # Ruby, PHP, Perl, Lua
    ("bundle install", {("/usr/local/bundle", W)}),
    ("composer install --no-dev", {("/root/.cache/composer", C), ("/app/vendor", W)}),
    ("composer global require phpunit/phpunit", {("/root/.config/composer", W)}),
    ("cpanm -l /opt/perl5 Moo", {("/root/.cpanm", C), ("/opt/perl5", W)}),
    ("luarocks install lpeg", {("/usr/local/lib/luarocks", W)}),
    # Rust, Go, JVM, .NET
    ("cargo build --release", {("/root/.cargo/registry", C), ("/app/target", W)}),
    ("cargo install --root /usr/local ripgrep", {("/usr/local/bin", W)}),
    ("rustup target add x86_64-unknown-linux-musl", {("/root/.rustup", W)}),
    ("curl -sSf https://sh.rustup.rs | sh -s -- -y", {("/root/.cargo", W), ("/root/.rustup", W)}),
    ("/tmp/rustup-init -y --no-modify-path", {("/root/.cargo", W), ("/root/.rustup", W)}),
    ("go build -o /out/app .", {("/root/.cache/go-build", C), ("/root/go/pkg", C), ("/out/app", W)}),
    ("go get -d ./...", {("/root/.cache/go-build", C), ("/root/go/pkg", C)}),
    ("mvn -B clean package", {("/root/.m2", C), ("/app/target", W)}),
    ("mvn -Dmaven.repo.local=/cache/m2 dependency:go-offline", {("/cache/m2", C)}),
    ("./gradlew build", {("/root/.gradle", C), ("/app/build", W)}),
    ("sbt compile", {("/root/.sbt", C), ("/root/.ivy2", C), ("/root/.cache/coursier", C), ("/app/target", W)}),
    ("lein uberjar", {("/root/.m2", C), ("/app/target", W)}),
    ("sdk install java 21-tem", {("/root/.sdkman/candidates", W)}),
    ("curl -s https://get.sdkman.io | bash", {("/root/.sdkman", W)}),
    ("dotnet restore", {("/root/.nuget/packages", C), ("/app/bin", W), ("/app/obj", W)}),
    ("nuget install x -OutputDirectory /pkgs", {("/pkgs", W), ("/root/.nuget/packages", C)}),
    # other ecosystems
    ("mix deps.get", {("/root/.mix", W), ("/root/.hex", W), ("/app/deps", W)}),
    ("stack build", {("/root/.stack", W), ("/app/.stack-work", W)}),
    ("cabal update", {("/root/.cabal", W), ("/app/dist-newstyle", W)}),
    ("flutter pub get", {("/root/.pub-cache", C)}),
    ("deno cache main.ts", {("/root/.cache/deno", C)}),
    ("Rscript -e 'install.packages(\"x\")'", {("/usr/local/lib/R/site-library", W)}),
    # version managers
    ("curl -o- https://raw.githubusercontent.com/nvm-sh/nvm/v0.39.7/install.sh | bash", {("/root/.nvm", W)}),
    ("nvm install 20", {("/root/.nvm/versions", W)}),
    ("pyenv install 3.12", {("/root/.pyenv/versions", W)}),
    ("rbenv install 3.3.0", {("/root/.rbenv/versions", W)}),
    ("asdf install", {("/root/.asdf", W)}),
    # cloud and cluster CLIs, registries
    ("aws configure set region eu-west-1", {("/root/.aws", W)}),
    ("gcloud components install kubectl", {("/root/.config/gcloud", W)}),
    ("az extension add --name aks-preview", {("/root/.azure", W)}),
    ("doctl auth init -t x", {("/root/.config/doctl", W)}),
    ("ibmcloud plugin install container-service", {("/root/.bluemix", W)}),
    ("kubectl config set-cluster ci --server=https://k", {("/root/.kube", W)}),
    ("helm repo add bitnami https://charts.bitnami.com/bitnami", {("/root/.cache/helm", C),
                                                                  ("/root/.config/helm", W)}),
    ("helm plugin install https://github.com/databus23/helm-diff", {("/root/.local/share/helm/plugins", W)}),
    ("docker login -u x registry", {("/root/.docker", W)}),
    ("crane auth login registry -u x", {("/root/.docker", W)}),
    ("terraform init", {("/app/.terraform", W), ("/root/.terraform.d", C)}),
    ("packer init .", {("/root/.config/packer", W)}),
    ("vault login -method=github", {("/root/.vault-token", W)}),
    # keys, version control, builds
    ("ssh-keygen -t ed25519 -N ''", {("/root/.ssh", W)}),
    ("ssh-keygen -t ed25519 -f /etc/ssh/key -N ''", {("/etc/ssh/key", W)}),
    ("gpg --batch --import key.asc", {("/root/.gnupg", W)}),
    ("gpg --dearmor -o /usr/share/keyrings/x.gpg", {("/usr/share/keyrings/x.gpg", W)}),
    ("git lfs install", {("/root/.gitconfig", W)}),
    ("make -C /src install", {("/src", W)}),
    ("./configure --prefix=/usr", {("/app", W)}),
    ("cmake -B /build -S .", {("/build", W)}),
    ("bazel build //...", {("/root/.cache/bazel", C), ("/app", W)}),
    ("pre-commit install-hooks", {("/root/.cache/pre-commit", C)}),
    # XDG variables move the defaults, and unknown commands write nothing kaniko-lsp knows of
    ("XDG_CACHE_HOME=/xdg pip install x", {("/xdg/pip", C)}),
    ("frobnicate --all /home/x", set()),
]


@pytest.mark.parametrize(("run", "expected"), CASES, ids=[c[0][:50] for c in CASES])
def test_where_a_tool_writes(run: str, expected: set[tuple[str, bool]]) -> None:
    assert writes(f"FROM alpine\nWORKDIR /app\nRUN {run}\n") == expected


def test_the_table_covers_sixty_tools_and_each_entry_is_exercised() -> None:
    names = {name for tool in TOOLS for name in tool.names}
    assert len(names) >= 60
    exercised = " ".join(run for run, _ in CASES)
    untested = [tool.names for tool in TOOLS if not any(name in exercised for name in tool.names)]
    assert not untested
    assert all(any(fragment in run for run, _ in CASES) for fragment, _ in INSTALLERS[:3])


def test_variables_set_by_env_move_the_writes() -> None:
    dockerfile = ("FROM golang:1.22\nENV GOCACHE=/tmp/gocache CARGO_HOME=/opt/cargo\n"
                  "RUN go install ./cmd/... && cargo install x\n")
    assert writes(dockerfile) == {("/tmp/gocache", C), ("/go/pkg", C), ("/go/bin", W), ("/opt/cargo/bin", W)}
