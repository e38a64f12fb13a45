"""Our Dockerfile reader against dockerfile-parse, the library the project's design names, as an oracle:
the same instructions, on the same lines, with the same arguments (white space aside), for every
Dockerfile without heredocs in the test data and in ../shared/corpus. The runtime reader is our own
(it keeps exact columns, reads heredocs, and leaves comments inside continuations out of arguments);
where the two differ on purpose, `KNOWN` says why."""

from __future__ import annotations

import io
import re
import sys

import pytest
from dockerfile_parse import DockerfileParser

from kaniko_lsp.dockerfile.parse import parse
from kaniko_lsp.text import Embedded, LineIndex

from conftest import CORPUS, REPOSITORY

SAMPLES = {
    "continuations": "FROM alpine AS build\nRUN apk add \\\n    git \\\n    curl\nENV A=1 \\\n    B=2\n",
    "comment inside a continuation": "FROM alpine\nRUN a \\\n  # a comment\n  b\nRUN c\n",
    "blank line inside a continuation": "FROM alpine\nRUN a \\\n\n  b\n",
    "indented, as a writeFile text is": "    FROM jenkins/agent\n    USER root\n    RUN mkdir /x\n",
    "lower-case keywords": "from alpine\nrun echo hi\ncopy a b\n",
    "exec forms": 'FROM alpine\nRUN ["sh", "-c", "echo x"]\nCMD ["x"]\nENTRYPOINT ["/bin/app"]\n',
    "CRLF line breaks": "FROM alpine\r\nRUN a \\\r\n  b\r\nCOPY x y\r\n",
    "directives and stages": ("# syntax=docker/dockerfile:1\nARG V=1\nFROM alpine:${V} AS a\nFROM a\n"
                              "COPY --from=a /x /y\n"),
}
KNOWN: dict[str, str] = {
    "blank line inside a continuation": "Docker keeps reading the instruction after an empty continuation line "
                                        "(with a deprecation warning); dockerfile-parse ends it there",
}
"""Dockerfiles whose reading differs on purpose, with the reason."""


def ours(text: str) -> list[tuple[str, int, int, str]]:
    dockerfile = parse(Embedded.whole("Dockerfile", text))
    index = LineIndex(text)
    instructions = [*dockerfile.preamble, *(i for s in dockerfile.stages for i in s.instructions)]
    return [(i.keyword, index.position(i.start).line, index.position(max(i.start, i.end - 1)).line,
             _words(i.arguments.text)) for i in sorted(instructions, key=lambda i: i.start)]


def theirs(text: str) -> list[tuple[str, int, int, str]]:
    parser = DockerfileParser(fileobj=io.BytesIO(text.replace("\r\n", "\n").encode("utf-8")))
    return [(s["instruction"], s["startline"], s["endline"], _words(s["value"])) for s in parser.structure
            if s["instruction"] != "COMMENT"]


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def dockerfiles() -> dict[str, str]:
    found = dict(SAMPLES)
    sys.path.insert(0, str(REPOSITORY / "benchmarks"))
    import random

    from monorepo import PACKAGES, dockerfile  # noqa: F401  (the generator's Dockerfiles are test data too)

    for n in range(5):
        found[f"generated {n}"] = dockerfile(random.Random(n), f"svc-{n}", "/home/jenkins")
    if CORPUS.is_dir():
        for path in sorted(CORPUS.glob("*/*")):
            if "ockerfile" in path.name and path.is_file():
                found[f"corpus {path.parent.name}/{path.name}"] = path.read_text(encoding="utf-8", errors="replace")
    return {name: text for name, text in found.items() if "<<" not in text}


@pytest.mark.parametrize(("name", "text"), sorted(dockerfiles().items()))
def test_instructions_agree_with_dockerfile_parse(name: str, text: str) -> None:
    if name in KNOWN:
        pytest.skip(KNOWN[name])
    assert ours(text) == theirs(text)


def test_the_corpus_is_included_when_present() -> None:
    names = dockerfiles()
    assert any(n.startswith("generated") for n in names)
    if CORPUS.is_dir():
        assert sum(1 for n in names if n.startswith("corpus")) >= 10
