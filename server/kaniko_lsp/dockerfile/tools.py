"""Where the tools Dockerfiles run write without naming the path: package managers, language toolchains,
version managers, cloud and cluster CLIs, browser installers. One entry per tool and subcommand, as data.

A place a tool writes is its default (`~` the home directory; `{cache}`, `{config}`, `{data}` the XDG
directories, themselves under `~` unless `XDG_*_HOME` is set; `{NAME:fallback}` a variable's value or
the fallback; `.` the working directory), unless an
option or an environment variable names another one. Caches (`cache=True`) filled as a side effect are
what a cache mount is for; installs and configuration are meant to stay in the image. A command that is
not in the table writes nothing that kaniko-lsp knows of.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .command import Command, CommandLine, Effect, Found

_VARIABLE_DEFAULT = re.compile(r"\{([A-Z_]+):([^}]*)\}")
_XDG = {"{cache}": ("XDG_CACHE_HOME", ".cache"), "{config}": ("XDG_CONFIG_HOME", ".config"),
        "{data}": ("XDG_DATA_HOME", ".local/share")}


@dataclass(frozen=True)
class Place:
    default: str | None
    """Where the tool writes by default (None: only where an option or a variable says)."""
    env: str | None = None
    """A variable that moves it (its value, with `under` appended, is the place)."""
    options: tuple[str, ...] = ()
    """Options whose value is the place (`--target`; a name ending in `=` is a prefix: `-Dmaven.repo.local=`)."""
    cache: bool = False
    under: str = ""


@dataclass(frozen=True)
class Tool:
    names: tuple[str, ...]
    writes: tuple[Place, ...]
    verbs: tuple[str, ...] = ()
    """The first operands (one or more words) that make it write; empty for any."""
    when: tuple[str, ...] = ()
    """Options one of which must be given."""
    unless: tuple[str, ...] = ()
    """Options that mean it does not write these places."""
    packages: tuple[str, ...] = ()
    """Operands one of which must be given (`npm install puppeteer`)."""
    goals: bool = False
    """The verbs may stand anywhere among the operands (`mvn -B clean package`)."""


def _cache(default: str, env: str | None = None, *options: str, under: str = "") -> Place:
    return Place(default, env, options, True, under)


def _to(default: str | None, env: str | None = None, *options: str, under: str = "") -> Place:
    return Place(default, env, options, False, under)


_SYSTEM = (_to("/usr"), _to("/etc"))
_NODE_INSTALL = ("install", "i", "ci", "add", "update", "up", "rebuild")
_NODE_ANY = (*_NODE_INSTALL, "run", "run-script", "build", "test", "exec", "dlx", "pack")

TOOLS: tuple[Tool, ...] = (
    # system package managers
    Tool(("apt-get", "apt", "aptitude"), (_to("/var/lib/apt"), _to("/var/cache/apt"), _to("/var/lib/dpkg"), *_SYSTEM),
         ("install", "update", "upgrade", "dist-upgrade", "remove", "purge", "autoremove")),
    Tool(("dpkg",), (_to("/var/lib/dpkg"), *_SYSTEM), when=("-i", "--install", "--unpack")),
    Tool(("apk",), (_to("/lib/apk"), _to("/var/cache/apk"), _to("/etc/apk"), _to("/usr")),
         ("add", "update", "upgrade", "del")),
    Tool(("dnf",), (_to("/var/cache/dnf"), _to("/var/lib/rpm"), _to("/var/lib/dnf"), *_SYSTEM),
         ("install", "update", "upgrade", "remove", "makecache", "clean", "module")),
    Tool(("yum",), (_to("/var/cache/yum"), _to("/var/lib/rpm"), _to("/var/lib/yum"), *_SYSTEM),
         ("install", "update", "upgrade", "remove", "makecache", "clean", "groupinstall")),
    Tool(("microdnf",), (_to("/var/cache/microdnf"), _to("/var/lib/rpm"), *_SYSTEM),
         ("install", "update", "upgrade", "remove", "makecache", "clean")),
    Tool(("zypper",), (_to("/var/cache/zypp"), _to("/var/lib/rpm"), *_SYSTEM),
         ("install", "in", "update", "up", "remove", "rm", "refresh", "ref", "clean")),
    Tool(("rpm",), (_to("/var/lib/rpm"), *_SYSTEM), when=("-i", "-U", "-F", "--install", "--upgrade", "--freshen")),
    Tool(("pacman",), (_to("/var/lib/pacman"), _to("/var/cache/pacman"), *_SYSTEM), when=("-S", "-U", "-R")),
    # Python
    Tool(("pip", "pip3"), (_cache("{cache}/pip", "PIP_CACHE_DIR", "--cache-dir"),), ("install", "download", "wheel"),
         unless=("--no-cache-dir",)),
    Tool(("pip", "pip3"), (_to(None, None, "--target", "-t", "--prefix", "--root"),), ("install",)),
    Tool(("pip", "pip3"), (_to("~/.local", "PYTHONUSERBASE"),), ("install",), when=("--user",)),
    Tool(("pipx",), (_to("{data}/pipx", "PIPX_HOME"), _to("~/.local/bin", "PIPX_BIN_DIR")), ("install",)),
    Tool(("poetry",), (_cache("{cache}/pypoetry", "POETRY_CACHE_DIR"),), ("install", "add", "update", "lock")),
    Tool(("pipenv",), (_to("{data}/virtualenvs", "WORKON_HOME"), _cache("{cache}/pipenv", "PIPENV_CACHE_DIR")),
         ("install", "sync")),
    Tool(("conda", "mamba", "micromamba"), (_to("~/.conda", "CONDA_ENVS_PATH"),), ("install", "create", "update")),
    Tool(("uv",), (_cache("{cache}/uv", "UV_CACHE_DIR", "--cache-dir"),), ("pip install", "sync", "add", "tool install",
                                                                          "python install"),
         unless=("--no-cache",)),
    Tool(("uv",), (_to("{data}/uv/tools", "UV_TOOL_DIR"), _to("~/.local/bin", "UV_TOOL_BIN_DIR")),
         ("tool install",)),
    # JavaScript
    Tool(("npm",), (_cache("~/.npm", "npm_config_cache", "--cache"),), _NODE_ANY),
    Tool(("npm",), (_to("./node_modules", None, "--prefix"),), _NODE_INSTALL, unless=("-g", "--global")),
    Tool(("npm",), (_to("/usr/local/lib/node_modules", "NPM_CONFIG_PREFIX", "--prefix"),), _NODE_INSTALL,
         when=("-g", "--global")),
    Tool(("npm",), (_to("."),), ("run", "run-script", "build", "pack")),
    Tool(("yarn",), (_cache("{cache}/yarn", "YARN_CACHE_FOLDER", "--cache-folder"),), ()),
    Tool(("yarn",), (_to("./node_modules", None, "--modules-folder"),), (*_NODE_INSTALL, "")),
    Tool(("yarn",), (_to("{config}/yarn/global", "YARN_GLOBAL_FOLDER"),), ("global add",)),
    Tool(("pnpm",), (_cache("{data}/pnpm", "PNPM_HOME"),), _NODE_ANY),
    Tool(("pnpm",), (_to("./node_modules"),), _NODE_INSTALL, unless=("-g", "--global")),
    Tool(("bun",), (_cache("~/.bun/install/cache", "BUN_INSTALL_CACHE_DIR"), _to("./node_modules")),
         ("install", "i", "add")),
    Tool(("npm", "yarn", "pnpm", "bun"), (_to("{cache}/puppeteer", "PUPPETEER_CACHE_DIR"),), ("install", "i", "add"),
         packages=("puppeteer",)),
    Tool(("puppeteer",), (_to("{cache}/puppeteer", "PUPPETEER_CACHE_DIR", "--path"),), ("browsers install",)),
    Tool(("playwright",), (_to("{cache}/ms-playwright", "PLAYWRIGHT_BROWSERS_PATH"),), ("install",)),
    Tool(("cypress",), (_to("{cache}/Cypress", "CYPRESS_CACHE_FOLDER"),), ("install",)),
    # Ruby, PHP, Perl, Lua
    Tool(("gem",), (_to("/usr/local/lib/ruby/gems", "GEM_HOME", "--install-dir", "-i"),), ("install", "update"),
         unless=("--user-install",)),
    Tool(("gem",), (_to("~/.local/share/gem"),), ("install",), when=("--user-install",)),
    Tool(("bundle", "bundler"), (_to("/usr/local/bundle", "BUNDLE_PATH", "--path"),), ("install", "update")),
    Tool(("composer",), (_cache("{cache}/composer", "COMPOSER_CACHE_DIR"),
                         _to("./vendor", "COMPOSER_VENDOR_DIR", under="")), ("install", "require", "update")),
    Tool(("composer",), (_to("{config}/composer", "COMPOSER_HOME"),), ("global require", "global install")),
    Tool(("cpanm",), (_cache("~/.cpanm", "PERL_CPANM_HOME"), _to(None, None, "-l", "--local-lib")), ()),
    Tool(("luarocks",), (_to("/usr/local/lib/luarocks", None, "--tree"),), ("install",)),
    # Rust
    Tool(("cargo",), (_cache("~/.cargo", "CARGO_HOME", under="registry"), _to("./target", "CARGO_TARGET_DIR",
                                                                             "--target-dir")),
         ("build", "test", "fetch", "run", "check", "bench", "doc")),
    Tool(("cargo",), (_to("{CARGO_HOME:~/.cargo}", "CARGO_INSTALL_ROOT", "--root", under="bin"),), ("install",)),
    Tool(("rustup",), (_to("~/.rustup", "RUSTUP_HOME"),),
         ("toolchain install", "install", "default", "target add", "component add", "update")),
    Tool(("rustup-init",), (_to("~/.cargo", "CARGO_HOME"), _to("~/.rustup", "RUSTUP_HOME")), ()),
    # Go
    Tool(("go",), (_cache("{cache}/go-build", "GOCACHE"), _cache("{GOPATH:~/go}/pkg")),
         ("build", "install", "get", "test", "mod", "run", "generate", "vet")),
    Tool(("go",), (_to(".", None, "-o"),), ("build",)),
    Tool(("go",), (_to("{GOPATH:~/go}/bin", "GOBIN"),), ("install", "get"), unless=("-d",)),
    # JVM
    Tool(("mvn", "mvnw"), (_cache("~/.m2", None, "-Dmaven.repo.local="),), ()),
    Tool(("mvn", "mvnw"), (_to("./target"),), ("package", "install", "compile", "verify", "test", "deploy"),
         goals=True),
    Tool(("gradle", "gradlew"), (_cache("~/.gradle", "GRADLE_USER_HOME", "--gradle-user-home", "-g"),
                                 _to("./build")), ()),
    Tool(("sbt",), (_cache("~/.sbt"), _cache("~/.ivy2"), _cache("{cache}/coursier", "COURSIER_CACHE"),
                    _to("./target")), ()),
    Tool(("lein",), (_cache("~/.m2"), _to("./target")), ()),
    Tool(("sdk",), (_to("~/.sdkman", "SDKMAN_DIR", under="candidates"),), ("install", "default")),
    # .NET
    Tool(("dotnet",), (_cache("~/.nuget/packages", "NUGET_PACKAGES", "--packages"), _to("./bin"), _to("./obj")),
         ("restore", "build", "publish", "test", "pack")),
    Tool(("dotnet",), (_to("~/.dotnet/tools", None, "--tool-path"),), ("tool install", "tool update")),
    Tool(("nuget",), (_to(None, None, "-OutputDirectory"), _cache("~/.nuget/packages", "NUGET_PACKAGES")),
         ("install", "restore")),
    # other language ecosystems
    Tool(("mix",), (_to("~/.mix", "MIX_HOME"), _to("~/.hex", "HEX_HOME"), _to("./deps")), ("deps.get", "local.hex",
                                                                                          "local.rebar")),
    Tool(("stack",), (_to("~/.stack", "STACK_ROOT"), _to("./.stack-work")), ("build", "install", "setup")),
    Tool(("cabal",), (_to("~/.cabal", "CABAL_DIR"), _to("./dist-newstyle")), ("install", "update", "build")),
    Tool(("dart", "flutter"), (_cache("~/.pub-cache", "PUB_CACHE"),), ("pub get", "pub global activate",
                                                                       "pub upgrade", "precache")),
    Tool(("deno",), (_cache("{cache}/deno", "DENO_DIR"),), ("cache", "install", "compile", "run")),
    Tool(("R", "Rscript"), (_to("/usr/local/lib/R/site-library", "R_LIBS_USER"),), (), packages=("install.packages",)),
    # version managers
    Tool(("nvm",), (_to("~/.nvm", "NVM_DIR", under="versions"),), ("install",)),
    Tool(("pyenv",), (_to("~/.pyenv", "PYENV_ROOT", under="versions"),), ("install",)),
    Tool(("rbenv",), (_to("~/.rbenv", "RBENV_ROOT", under="versions"),), ("install",)),
    Tool(("asdf",), (_to("~/.asdf", "ASDF_DATA_DIR"),), ("install", "plugin add", "plugin-add", "global")),
    # cloud and cluster CLIs
    Tool(("aws",), (_to("~/.aws"),), ("configure",)),
    Tool(("gcloud",), (_to("{config}/gcloud", "CLOUDSDK_CONFIG"),),
         ("auth", "config", "components", "container clusters get-credentials")),
    Tool(("gcloud",), (_to("~/.kube", "KUBECONFIG"),), ("container clusters get-credentials",)),
    Tool(("az",), (_to("~/.azure", "AZURE_CONFIG_DIR"),), ("login", "config", "extension add", "account set")),
    Tool(("az",), (_to("~/.kube", "KUBECONFIG"),), ("aks get-credentials",)),
    Tool(("doctl",), (_to("{config}/doctl"),), ("auth init",)),
    Tool(("ibmcloud",), (_to("~/.bluemix", "IBMCLOUD_HOME"),), ("plugin install", "login")),
    Tool(("kubectl",), (_to("~/.kube", "KUBECONFIG", "--kubeconfig"),), ("config",)),
    Tool(("helm",), (_cache("{cache}/helm", "HELM_CACHE_HOME"), _to("{config}/helm", "HELM_CONFIG_HOME")),
         ("repo add", "repo update", "dependency update", "dependency build", "pull", "registry login")),
    Tool(("helm",), (_to("{data}/helm", "HELM_DATA_HOME", under="plugins"),), ("plugin install",)),
    Tool(("helm",), (_to("./charts"),), ("dependency update", "dependency build")),
    Tool(("docker", "podman", "skopeo", "buildah"), (_to("~/.docker", "DOCKER_CONFIG"),), ("login",)),
    Tool(("crane",), (_to("~/.docker", "DOCKER_CONFIG"),), ("auth login",)),
    # infrastructure as code, secrets
    Tool(("terraform", "tofu"), (_to("./.terraform", "TF_DATA_DIR"), _cache("~/.terraform.d", "TF_PLUGIN_CACHE_DIR")),
         ("init", "providers mirror")),
    Tool(("packer",), (_to("{config}/packer", "PACKER_PLUGIN_PATH"),), ("init", "plugins install")),
    Tool(("ansible-galaxy",), (_to("~/.ansible/collections", "ANSIBLE_COLLECTIONS_PATH", "-p", "--collections-path"),),
         ("collection install", "install")),
    Tool(("ansible-galaxy",), (_to("~/.ansible/roles", "ANSIBLE_ROLES_PATH", "-p", "--roles-path"),),
         ("role install",)),
    Tool(("vault",), (_to("~/.vault-token"),), ("login",)),
    # version control, keys
    Tool(("git",), (_to("~/.gitconfig", "GIT_CONFIG_GLOBAL"),), ("config",), when=("--global",)),
    Tool(("git",), (_to("~/.gitconfig", "GIT_CONFIG_GLOBAL"),), ("lfs install",), unless=("--local", "--system")),
    Tool(("ssh-keygen",), (_to("~/.ssh", None, "-f"),), (), unless=("-l", "-F", "-R", "-y", "-lf")),
    Tool(("gpg", "gpg2"), (_to("~/.gnupg", "GNUPGHOME", "--homedir"),), (),
         when=("--import", "--recv-keys", "--receive-keys", "--gen-key", "--full-generate-key", "--quick-gen-key",
               "--fetch-keys", "--keyserver", "--import-ownertrust")),
    Tool(("gpg", "gpg2"), (_to(None, None, "-o", "--output"),), ()),
    # builds
    Tool(("make",), (_to(".", None, "-C", "--directory"),), ()),
    Tool(("configure",), (_to("."),), ()),
    Tool(("cmake",), (_to(".", None, "-B"),), ()),
    Tool(("bazel", "bazelisk"), (_cache("{cache}/bazel"), _to(".")), ("build", "test", "run")),
    Tool(("pre-commit",), (_cache("{cache}/pre-commit", "PRE_COMMIT_HOME"),), ("install-hooks", "run", "install")),
)
"""Every tool kaniko-lsp knows the writes of (`tests/test_tools.py` checks each entry)."""

INSTALLERS: tuple[tuple[str, tuple[Place, ...]], ...] = (
    ("sh.rustup.rs", (_to("~/.cargo", "CARGO_HOME"), _to("~/.rustup", "RUSTUP_HOME"))),
    ("get.sdkman.io", (_to("~/.sdkman", "SDKMAN_DIR"),)),
    ("nvm-sh/nvm", (_to("~/.nvm", "NVM_DIR"),)),
    ("pyenv.run", (_to("~/.pyenv", "PYENV_ROOT"),)),
    ("get.helm.sh", (_to("/usr/local/bin"),)),
    ("deno.land/install", (_to("~/.deno", "DENO_INSTALL"),)),
    ("bun.sh/install", (_to("~/.bun", "BUN_INSTALL"),)),
    ("install.python-poetry.org", (_to("{data}/pypoetry", "POETRY_HOME"), _to("~/.local/bin"))),
    ("astral.sh/uv/install", (_to("~/.local/bin", "UV_INSTALL_DIR"),)),
)
"""Install scripts fetched with curl or wget (and piped to a shell), by a part of their address."""

_BY_NAME: dict[str, list[Tool]] = {}
for _tool in TOOLS:
    for _name in _tool.names:
        _BY_NAME.setdefault(_name, []).append(_tool)
_RUNNERS = {"npx", "bunx", "pnpx"}
"""Commands that run the tool named after them."""


def known(name: str) -> bool:
    return name in _BY_NAME


def tool_effects(command: Command) -> Iterator[Found]:
    """Where a tool writes (nothing for a command the table does not know)."""
    words = command.words
    if command.name in _RUNNERS or (command.name.startswith("python") and len(words) > 2
                                    and words[1].value == "-m"):
        start = 2 if command.name.startswith("python") else 1
        first = next((k for k in range(start, len(words)) if not words[k].value.startswith("-")), None)
        if first is None:
            return
        command = Command(CommandLine(words[first:], command.env), command.state, command.cwd)
    for tool in _BY_NAME.get(command.name, ()):
        if _applies(tool, command):
            for place in tool.writes:
                yield from _place(command, place)


def installer_effects(command: Command) -> Iterator[Found]:
    """What an install script fetched by curl or wget writes (it is usually piped to a shell)."""
    for fragment, places in INSTALLERS:
        if any(fragment in w.value for w in command.words[1:]):
            for place in places:
                yield from _place(command, place)


def _applies(tool: Tool, command: Command) -> bool:
    operands = command.operand_values()
    if tool.verbs:
        if tool.goals:
            if not any(goal in operands for goal in tool.verbs):
                return False
        elif not any(" ".join(operands[:len(v.split())]) == v if v else not operands for v in tool.verbs):
            return False
    options = command.options()
    if tool.when and not any(_given(options, o) for o in tool.when):
        return False
    if tool.unless and any(_given(options, o) for o in tool.unless):
        return False
    return not tool.packages or any(o.startswith(p) or p in o for o in operands for p in tool.packages)


def _given(options: set[str], option: str) -> bool:
    """Whether an option is given, also inside a group of short flags (`-ivh` gives `-i`)."""
    if option in options or any(o.startswith(option + "=") for o in options):
        return True
    return len(option) == 2 and any(o.startswith("-") and not o.startswith("--") and option[1] in o[1:]
                                    for o in options)


def _place(command: Command, place: Place) -> Iterator[Found]:
    word = command.option_value(*place.options) if place.options else None
    if word is not None:
        path = command.path(word)
        if path is not None:
            yield word, posixpath.join(path, place.under) if place.under else path, Effect.WRITE, place.cache
        return
    value = command.lookup(place.env) if place.env else None
    if value:
        path = command.absolute(value)
    elif place.default is None:
        return
    else:
        path = _default(command, place.default)
    if path is not None:
        yield None, posixpath.join(path, place.under) if place.under else path, Effect.WRITE, place.cache


def _default(command: Command, default: str) -> str | None:
    variable = _VARIABLE_DEFAULT.match(default)
    if variable is not None:  # `{NAME:fallback}/rest`: the variable's value, else the fallback
        value = command.lookup(variable.group(1))
        base = command.absolute(value) if value else _default(command, variable.group(2))
        rest = default[variable.end():].lstrip("/")
        return posixpath.join(base, rest) if base and rest else base
    for marker, (name, under_home) in _XDG.items():
        if default.startswith(marker):
            base = command.lookup(name)
            base = command.absolute(base) if base else command.home(under_home)
            return posixpath.join(base, default[len(marker):].lstrip("/")) if base else None
    if default.startswith("~"):
        return command.home(default[1:].lstrip("/")) if default != "~" else command.home()
    if default.startswith("."):
        if command.cwd is None:
            return None
        return posixpath.normpath(posixpath.join(command.cwd, default))
    return default

