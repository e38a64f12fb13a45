"""Dockerfile reading: instructions, continuations, heredocs, and the exact path token of each write."""

from __future__ import annotations

from kaniko_lsp.dockerfile.effects import Effect, analyze
from kaniko_lsp.dockerfile.parse import parse
from kaniko_lsp.text import Embedded


def writes(text: str) -> list[tuple[str, str, int, int, int]]:
    """Explicit writes of the built stage: (how, path, line, start, end)."""
    effects = analyze(parse(Embedded.whole("Dockerfile", text)))
    return [(e.how, e.path, e.location.range.start.line, e.location.range.start.character,
             e.location.range.end.character) for e in effects.effects
            if e.effect is Effect.WRITE and e.stage == effects.built_stage]


def test_run_mkdir_touch_cp_mv_and_redirections() -> None:
    text = ("FROM alpine\n"
            "RUN mkdir -p /a/b && touch /c\n"
            "RUN cp x /d && mv y /e; echo hi > /f 2>>/g\n")
    assert writes(text) == [
        ("RUN mkdir", "/a/b", 1, 13, 17),
        ("RUN touch", "/c", 1, 27, 29),
        ("RUN cp", "/d", 2, 9, 11),
        ("RUN mv", "/e", 2, 20, 22),
        ("RUN redirection >", "/f", 2, 34, 36),
        ("RUN redirection >>", "/g", 2, 40, 42),
    ]


def test_continuation_lines_with_comments_keep_each_token_on_its_own_line() -> None:
    text = ("FROM alpine\n"
            "RUN mkdir /one \\\n"
            "    # a comment inside the continuation\n"
            "\n"
            "    && mkdir /two\n")
    assert writes(text) == [("RUN mkdir", "/one", 1, 10, 14), ("RUN mkdir", "/two", 4, 13, 17)]


def test_workdir_resolves_relative_writes_and_is_a_write_itself() -> None:
    text = "FROM alpine\nWORKDIR /app\nWORKDIR sub\nRUN touch out.txt\nCOPY . .\n"
    assert writes(text) == [
        ("WORKDIR", "/app", 1, 8, 12),
        ("WORKDIR", "/app/sub", 2, 8, 11),
        ("RUN touch", "/app/sub/out.txt", 3, 10, 17),
        ("COPY", "/app/sub", 4, 7, 8),
    ]


def test_relative_write_without_workdir_is_not_guessed() -> None:
    assert writes("FROM alpine\nRUN touch out.txt\n") == []


def test_only_the_built_stage_is_considered() -> None:
    text = "FROM golang AS build\nRUN mkdir /home/jenkins/x\nFROM alpine\nRUN touch /final\n"
    assert writes(text) == [("RUN touch", "/final", 3, 10, 16)]


def test_indented_crlf_dockerfile() -> None:
    text = "\r\n    FROM jenkins/agent\r\n    RUN mkdir /home/jenkins/.m2\r\n"
    assert writes(text) == [("RUN mkdir", "/home/jenkins/.m2", 2, 14, 31)]


def test_heredoc_body_is_a_script() -> None:
    text = "FROM alpine\nRUN <<EOF\nmkdir /x\ntouch /y\nEOF\nRUN touch /z\n"
    assert writes(text) == [("RUN mkdir", "/x", 2, 6, 8), ("RUN touch", "/y", 3, 6, 8), ("RUN touch", "/z", 5, 10, 12)]


def test_escape_directive_backtick() -> None:
    text = "# escape=`\nFROM windows\nRUN mkdir C:\\x `\n  && mkdir /y\n"
    assert [w[1] for w in writes(text)] == ["/y"]


def test_quoted_path_range_excludes_the_quotes() -> None:
    assert writes('FROM alpine\nRUN mkdir "/q q"\n') == [("RUN mkdir", "/q q", 1, 11, 15)]


def test_binary_and_empty_input_do_not_raise() -> None:
    assert parse(Embedded.whole("Dockerfile", "\x00\xff\ufffd")).stages == []
    assert parse(Embedded.whole("Dockerfile", "")).stages == []
