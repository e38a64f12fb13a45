"""The stdio transport: the early `initialize` answer equals the server's own, and frames are read
defensively."""

from __future__ import annotations

import itertools
import json
import subprocess
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities

from kaniko_lsp import __version__
from kaniko_lsp.lsp.app import create_server
from kaniko_lsp.lsp.capabilities import initialize_result
from kaniko_lsp.lsp.transport import MAX_FRAME_BYTES, FrameReader

from conftest import SERVER

KNOWN_CLIENTS = ["visual-studio-code", "neovim", "neovim_v0.6.1", "neovim_v0.10.0", "emacs"]


def pygls_answer(capabilities: types.ClientCapabilities) -> dict[str, object]:
    """What the server itself answers to `initialize` (through pygls, with every feature registered)."""
    server = create_server()
    steps = server.protocol.lsp_initialize(types.InitializeParams(capabilities=capabilities, process_id=1))
    handler, arguments, _ = next(steps)
    handler(*arguments)
    with pytest.raises(StopIteration) as stop:
        steps.send(None)
    return json.loads(json.dumps(server.protocol._converter.unstructure(stop.value.value)))


def variations() -> list[types.ClientCapabilities]:
    found = []
    for name in KNOWN_CLIENTS:
        try:
            found.append(client_capabilities(name))
        except Exception:  # a name this pytest-lsp does not ship
            continue
    for encodings, will_save, wait, hints, pull in itertools.product(
            [None, ["utf-32", "utf-8"], ["latin-1"], ["utf-16"]], [None, True, False], [None, True, False],
            [False, True], [False, True]):
        document = types.TextDocumentClientCapabilities(
            synchronization=types.TextDocumentSyncClientCapabilities(will_save=will_save,
                                                                     will_save_wait_until=wait),
            inlay_hint=types.InlayHintClientCapabilities() if hints else None,
            diagnostic=types.DiagnosticClientCapabilities() if pull else None)
        general = types.GeneralClientCapabilities(position_encodings=encodings) if encodings else None
        found.append(types.ClientCapabilities(text_document=document, general=general))
    found.append(types.ClientCapabilities())
    return found


@pytest.mark.parametrize("capabilities", variations())
def test_the_early_initialize_answer_is_the_servers_own(capabilities: types.ClientCapabilities) -> None:
    client = json.loads(json.dumps(create_server().protocol._converter.unstructure(capabilities)))
    assert initialize_result(client, __version__) == pygls_answer(capabilities)


def frames(*bodies: bytes, separator: bytes = b"\r\n") -> bytes:
    return b"".join(b"Content-Length: %d%s%s" % (len(b), separator * 2, b) for b in bodies)


def read_all(data: bytes) -> tuple[list[bytes], list[str]]:
    stream = iter([data[i:i + 7] for i in range(0, len(data), 7)])
    reports: list[str] = []
    reader = FrameReader(lambda _n: next(stream, b""), reports.append)
    bodies = []
    while (body := reader.next()) is not None:
        bodies.append(body)
    return bodies, reports


def test_frames_with_lf_only_headers_and_extra_headers_are_read() -> None:
    one, two = b'{"jsonrpc":"2.0","method":"a"}', b'{"jsonrpc":"2.0","method":"b"}'
    data = (frames(one, separator=b"\n")
            + b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n" + frames(two))
    assert read_all(data) == ([one, two], [])


@pytest.mark.parametrize("length", [b"", b"x", b"-5", b"1000000000000", str(MAX_FRAME_BYTES + 1).encode()])
def test_a_frame_with_a_bad_or_huge_length_is_dropped_and_reading_goes_on(length: bytes) -> None:
    good = b'{"jsonrpc":"2.0","method":"after"}'
    data = b"Content-Length: " + length + b"\r\n\r\n" + b'{"jsonrpc":"2.0"}' + frames(good)
    bodies, reports = read_all(data)
    assert bodies[-1] == good
    assert len(reports) == 1 and "dropped" in reports[0]


def test_a_length_too_long_gives_the_next_frame_back() -> None:
    one, two = b'{"jsonrpc":"2.0","method":"a"}', b'{"jsonrpc":"2.0","method":"b"}'
    data = b"Content-Length: %d\r\n\r\n" % (len(one) + 10) + one + frames(two)
    assert read_all(data)[0] == [one, two]


@pytest.mark.parametrize("command", [["serve"], []], ids=["serve", "bare command with a piped stdin"])
def test_the_server_answers_initialize_before_it_has_loaded(tmp_path: Path, command: list[str]) -> None:
    """Spawned as an editor does: the first answer arrives, and later requests are served in order."""
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                  "params": {"processId": None, "rootUri": None, "capabilities": {}}}
    messages = [initialize, {"jsonrpc": "2.0", "method": "initialized", "params": {}},
                {"jsonrpc": "2.0", "id": 2, "method": "shutdown"}, {"jsonrpc": "2.0", "method": "exit"}]
    data = b"".join(frames(json.dumps(m).encode()) for m in messages)
    process = subprocess.run([SERVER, *command], input=data, capture_output=True, timeout=60, check=False)
    bodies, reports = read_all(process.stdout)
    answers = [json.loads(b) for b in bodies if "id" in json.loads(b)]
    assert [a["id"] for a in answers] == [1, 2], "initialize is answered once, then shutdown"
    assert answers[0]["result"] == initialize_result({}, __version__)
    assert process.returncode == 0 and not reports
