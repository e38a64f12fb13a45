"""What each command and instruction writes, removes, modifies or reads, after ARG/ENV/HOME expansion."""

from __future__ import annotations

import pytest

from kaniko_lsp.dockerfile.effects import analyze
from kaniko_lsp.dockerfile.parse import parse
from kaniko_lsp.text import Embedded


def effects(text: str, target: str | None = None, build_args: dict[str, str] | None = None) \
        -> list[tuple[str, str, bool]]:
    """(effect, path, cache) of the built stage."""
    result = analyze(parse(Embedded.whole("Dockerfile", text)), target, build_args)
    return [(e.effect.value, e.path, e.cache) for e in result.effects if e.stage == result.built_stage]


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        ("echo hi | tee /a /b", [("writes", "/a", False), ("writes", "/b", False)]),
        ("ln -s /opt/tool /usr/local/bin/tool", [("writes", "/usr/local/bin/tool", False)]),
        ("install -d /opt/x /opt/y", [("writes", "/opt/x", False), ("writes", "/opt/y", False)]),
        ("install -m 755 tool /usr/bin/tool", [("writes", "/usr/bin/tool", False)]),
        ("chmod -R 755 /opt/app", [("modifies", "/opt/app", False)]),
        ("chown jenkins:jenkins /home/jenkins", [("modifies", "/home/jenkins", False)]),
        ("sed -i 's/a/b/' /etc/app.conf", [("modifies", "/etc/app.conf", False)]),
        ("tar -xzf app.tgz -C /opt/app", [("writes", "/opt/app", False)]),
        ("unzip -q app.zip -d /opt/app", [("writes", "/opt/app", False)]),
        ("curl -fsSL -o /usr/local/bin/jq https://example.invalid/jq", [("writes", "/usr/local/bin/jq", False)]),
        ("wget -q -O /tmp/x.tgz https://example.invalid/x", [("writes", "/tmp/x.tgz", False)]),
        ("wget -P /downloads https://example.invalid/x", [("writes", "/downloads", False)]),
        ("git clone https://example.invalid/r.git /src/r", [("writes", "/src/r", False)]),
        ("rm -rf /var/cache/apk/*", [("removes", "/var/cache/apk/*", False)]),
        ("mv /a /b", [("writes", "/b", False), ("removes", "/a", False)]),
        ("cp -r /etc/skel /home/u", [("writes", "/home/u", False), ("reads", "/etc/skel", False)]),
        ("useradd -m -d /home/builder builder", [("writes", "/home/builder", False)]),
        ("sh -c 'mkdir /inner && touch /inner/x'", [("writes", "/inner", False), ("writes", "/inner/x", False)]),
        ("(cd /opt && mkdir sub)", [("writes", "/opt/sub", False)]),
        ("cd /srv; touch a.txt", [("writes", "/srv/a.txt", False)]),
        ("mkdir -p /data/*/x", []),
        ("true && echo done > /dev/null", []),
        ("apk add --no-cache git", [("writes", p, False) for p in ("/lib/apk", "/var/cache/apk", "/etc/apk", "/usr")]),
        ("pip install --no-cache-dir --target /opt/py requests", [("writes", "/opt/py", False)]),
        ("pip install requests", [("writes", "/root/.cache/pip", True)]),
        ("go build -o /out/app ./cmd", [("writes", "/root/.cache/go-build", True), ("writes", "/go/pkg", True),
                                        ("writes", "/out/app", False)]),
    ],
)
def test_commands(run: str, expected: list[tuple[str, str, bool]]) -> None:
    base = "golang:1.22" if run.startswith("go ") else "alpine"
    assert effects(f"FROM {base}\nRUN {run}\n") == expected


def test_tool_outputs_in_the_workdir_and_caches_under_home() -> None:
    text = ("FROM node:20\nWORKDIR /app\nRUN npm ci && npm run build\nRUN mvn -B package\n"
            "RUN ./configure && make\n")
    assert effects(text) == [("writes", "/app", False), ("writes", "/root/.npm", True),
                             ("writes", "/app/node_modules", False), ("writes", "/root/.npm", True),
                             ("writes", "/app", False), ("writes", "/root/.m2", True),
                             ("writes", "/app/target", False), ("writes", "/app", False), ("writes", "/app", False)]


def test_arg_and_env_substitution_with_defaults() -> None:
    text = ("ARG BASE=alpine\nFROM ${BASE}\nARG DEST=/opt/default\nARG EMPTY\nENV APP_HOME=${DEST:-/x}/app\n"
            "ENV FLAG=${EMPTY:+set}\nRUN mkdir -p $APP_HOME ${APP_HOME}/bin /y${FLAG}\nRUN touch $UNKNOWN/x\n")
    assert effects(text) == [("writes", "/opt/default/app", False), ("writes", "/opt/default/app/bin", False),
                             ("writes", "/y", False)]
    assert effects(text, build_args={"DEST": "/srv"})[0] == ("writes", "/srv/app", False)


def test_user_and_home() -> None:
    text = ("FROM debian\nRUN useradd -m builder\nUSER builder\nRUN mkdir -p ~/.cache $HOME/x\n"
            "USER root\nRUN touch ~/.profile\nENV HOME=/srv/home\nRUN touch ~/y\n")
    assert effects(text) == [("writes", "/home/builder", False), ("writes", "/home/builder/.cache", False),
                             ("writes", "/home/builder/x", False), ("writes", "/root/.profile", False),
                             ("writes", "/srv/home/y", False)]


def test_target_selects_the_built_stage() -> None:
    text = "FROM alpine AS tools\nRUN touch /tools\nFROM alpine AS app\nRUN touch /app\n"
    assert effects(text) == [("writes", "/app", False)]
    assert effects(text, target="tools") == [("writes", "/tools", False)]


def test_later_stage_from_an_earlier_one_keeps_its_workdir_and_user() -> None:
    text = "FROM node:20 AS base\nWORKDIR /w\nUSER node\nFROM base\nRUN npm ci\n"
    assert effects(text) == [("writes", "/w/node_modules", False)]


def test_copy_heredoc_exec_form_and_non_posix_shell() -> None:
    text = ('FROM alpine\nCOPY <<EOF /etc/motd\nhello\nEOF\nCOPY ["a b", "/opt/dest/"]\n'
            'RUN ["sh", "-c", "touch /exec"]\nSHELL ["pwsh", "-Command"]\nRUN New-Item -Path C:\\\\x\n')
    assert effects(text) == [("writes", "/etc/motd", False), ("writes", "/opt/dest", False),
                             ("writes", "/exec", False)]


def test_a_repeated_script_follows_the_values_it_reads() -> None:
    """The same RUN text in states that differ in what it reads gives each state's effects (the outcome of
    a script is reused only when every value it read is the same)."""
    run = "RUN mkdir -p $OUT && touch notes.txt && pip install requests\n"
    first = effects(f"FROM alpine\nENV OUT=/a OTHER=1\nWORKDIR /w1\n{run}")
    same_reads = effects(f"FROM alpine\nENV OUT=/a OTHER=2\nWORKDIR /w1\n{run}")
    other_var = effects(f"FROM alpine\nENV OUT=/b\nWORKDIR /w1\n{run}")
    other_dir = effects(f"FROM alpine\nENV OUT=/a\nWORKDIR /w2\n{run}")
    other_home = effects(f"FROM alpine\nENV OUT=/a HOME=/home/ci\nWORKDIR /w1\n{run}")
    assert first == same_reads == [("writes", "/w1", False), ("writes", "/a", False),
                                   ("writes", "/w1/notes.txt", False), ("writes", "/root/.cache/pip", True)]
    assert other_var[1] == ("writes", "/b", False)
    assert other_dir[:3] == [("writes", "/w2", False), ("writes", "/a", False), ("writes", "/w2/notes.txt", False)]
    assert other_home[3] == ("writes", "/home/ci/.cache/pip", True)


def test_a_repeated_useradd_still_gives_the_user_a_home() -> None:
    """A reused outcome also repeats what the script taught the stage: the home `useradd -m` created."""
    text = "FROM alpine\nRUN useradd -m app\nUSER app\nRUN pip install requests\n"
    assert effects(text) == effects(text) == [("writes", "/home/app", False),
                                              ("writes", "/home/app/.cache/pip", True)]


def test_a_repeated_script_keeps_its_own_locations() -> None:
    """Effects of the same script text in two places point at each place, nested `sh -c` included."""
    text = "FROM alpine\nRUN sh -c 'mkdir /inner'\nFROM alpine\n\nRUN  sh -c 'mkdir /inner'\n"
    result = analyze(parse(Embedded.whole("Dockerfile", text)))
    places = [(e.path, e.location.range.start.line, e.location.range.start.character,
               e.location.range.end.character) for e in result.effects]
    assert places == [("/inner", 1, 17, 23), ("/inner", 4, 18, 24)]


def test_remembered_scripts_are_bounded_and_the_least_recently_used_go_first(monkeypatch) -> None:
    from kaniko_lsp.dockerfile import effects as module

    monkeypatch.setattr(module, "_OUTCOMES", {})
    monkeypatch.setattr(module, "OUTCOMES_LIMIT", 2)
    for script in ("mkdir /a", "mkdir /b", "mkdir /a", "mkdir /c"):
        assert effects(f"FROM alpine\nRUN {script}\n") == [("writes", script.split()[1], False)]
    assert [text.strip() for text in module._OUTCOMES] == ["mkdir /a", "mkdir /c"]
