"""The server under a buggy or hostile client: every request answered, nothing it sends knocks it over.

Each test is a defect a stress run found (requests with invalid params or ids never answered, a second
`initialize` accepted, changes of unopened documents raising KeyError, URIs with escapes losing their
buffer, cancellations never taking effect, LSP line breaks confused with other characters).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from raw_client import RawClient

from conftest import EXAMPLES

SEED = (EXAMPLES / "seed" / "Jenkinsfile").read_text()


@pytest.fixture
def client() -> Iterator[RawClient]:
    raw = RawClient()
    yield raw
    raw.close()


def seed_in(folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(EXAMPLES / "seed" / "Jenkinsfile", folder / "Jenkinsfile")
    return (folder / "Jenkinsfile").as_uri()


@pytest.mark.parametrize("params", [
    None, [], {}, {"textDocument": {"uri": "file:///x/Jenkinsfile"}},
    {"textDocument": {"uri": "file:///x/Jenkinsfile"}, "position": {"line": "x", "character": 0}},
    {"textDocument": {"uri": "file:///x/Jenkinsfile"}, "position": {"line": -1, "character": 0}},
    {"textDocument": {"uri": "file:///x/Jenkinsfile"}, "position": {"line": 2**31, "character": 0}},
], ids=["null", "list", "empty", "no-position", "string-line", "negative-line", "line-2^31"])
def test_a_request_with_invalid_params_is_answered_invalid_params(client: RawClient, tmp_path: Path,
                                                                  params: object) -> None:
    client.initialize(tmp_path)
    answer = client.response(client.request("textDocument/hover", params))
    assert answer is not None and answer["error"]["code"] == -32602
    assert "textDocument/hover" in answer["error"]["message"]
    assert client.response(client.request("shutdown", None)) == {"jsonrpc": "2.0", "id": client.next_id,
                                                                  "result": None}


def test_a_request_whose_id_is_an_object_is_answered_invalid_request(client: RawClient, tmp_path: Path) -> None:
    client.initialize(tmp_path)
    client.request("textDocument/hover", {"textDocument": {"uri": "file:///x"}, "position": {"line": 0,
                                                                                            "character": 0}},
                   msg_id={"a": 1})
    answer = client.wait(lambda m: "method" not in m and "error" in m)
    assert answer == {"jsonrpc": "2.0", "id": None,
                      "error": {"code": -32600, "message": "the id must be a number or a string"}}


def test_a_second_initialize_is_rejected_and_the_open_documents_stay(client: RawClient, tmp_path: Path) -> None:
    uri = seed_in(tmp_path / "ws")
    client.initialize(tmp_path / "ws")
    client.open(uri, SEED)
    assert len(client.diagnostics(uri) or []) == 2
    again = client.response(client.request("initialize", {"processId": None, "rootUri": None,
                                                          "capabilities": {}}))
    assert again is not None and again["error"] == {"code": -32600, "message": "initialize was already received"}
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
        {"text": SEED.replace("/home/jenkins\n", "/home/jenkins/agent\n")}]})
    assert client.diagnostics(uri) == []


def test_a_change_of_a_document_never_opened_is_dropped_without_an_error_message(client: RawClient,
                                                                                 tmp_path: Path) -> None:
    client.initialize(tmp_path)
    client.notify("textDocument/didChange", {"textDocument": {"uri": "file:///nope/Jenkinsfile", "version": 2},
                                             "contentChanges": [{"text": "x"}]})
    shown = client.wait(lambda m: m.get("method") == "window/showMessage", timeout=1.5)
    assert shown is None
    assert client.response(client.request("shutdown", None)) is not None
    assert "KeyError" not in client.close()


@pytest.mark.parametrize("folder", ["ws dir", "ws#1", "ws%done"])
def test_a_uri_with_escapes_keeps_its_buffer_and_its_spelling(client: RawClient, tmp_path: Path,
                                                              folder: str) -> None:
    uri = seed_in(tmp_path / folder)
    assert "%" in uri
    (tmp_path / folder / "Jenkinsfile").write_text("pipeline { agent any }\n")  # the disk differs
    client.initialize(tmp_path / folder)
    client.open(uri, SEED)
    message = client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    assert message is not None and message["params"]["uri"] == uri
    assert [d["code"] for d in message["params"]["diagnostics"]] == ["KL001", "KL001"]


def test_a_request_cancelled_before_it_runs_is_answered_cancelled(client: RawClient, tmp_path: Path) -> None:
    uri = seed_in(tmp_path / "ws")
    client.initialize(tmp_path / "ws")
    client.open(uri, SEED)
    frames = b""
    ids = list(range(1000, 1200))
    for msg_id in ids:
        for message in ({"id": msg_id, "method": "textDocument/hover",
                         "params": {"textDocument": {"uri": uri}, "position": {"line": 14, "character": 26}}},
                        {"method": "$/cancelRequest", "params": {"id": msg_id}}):
            body = json.dumps({"jsonrpc": "2.0", **message}).encode()
            frames += b"Content-Length: %d\r\n\r\n" % len(body) + body
    client.send_bytes(frames)
    answers = [client.response(msg_id) for msg_id in ids]
    assert all(a is not None for a in answers)
    cancelled = [a for a in answers if a and a.get("error", {}).get("code") == -32800]
    assert len(cancelled) >= len(ids) // 2, f"only {len(cancelled)} of {len(ids)} cancellations took effect"
    assert "Cancel notification for unknown message id" not in client.close()


@pytest.mark.parametrize("separator", ["\u2028", "\x0b", "\x0c", "\x1c", "\x85"])
def test_only_lsp_line_breaks_count_when_changes_are_applied(client: RawClient, tmp_path: Path,
                                                             separator: str) -> None:
    """A character that `str.splitlines` breaks at, in a comment, must not shift the following lines."""
    uri = seed_in(tmp_path / "ws")
    client.initialize(tmp_path / "ws")
    text = f"// note{separator}more\n" + SEED
    client.open(uri, text)
    assert len(client.diagnostics(uri) or []) == 2
    line = 1 + SEED.splitlines().index("          - name: kaniko") + 1  # the kaniko workingDir line
    assert text.split("\n")[line] == "            workingDir: /home/jenkins"
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
        {"range": {"start": {"line": line, "character": 37}, "end": {"line": line, "character": 37}},
         "text": "/agent"}]})
    diagnostics = client.diagnostics(uri)
    assert diagnostics is not None
    # the insert lands after /home/jenkins: only the jnlp container still works there (KL004, not KL012)
    assert [(d["code"], d["range"]["start"]["line"]) for d in diagnostics] == [("KL004", line)], diagnostics


def test_a_buffer_with_cr_line_ends_is_read_like_the_others(client: RawClient, tmp_path: Path) -> None:
    uri = seed_in(tmp_path / "ws")
    client.initialize(tmp_path / "ws")
    client.open(uri, SEED.replace("\n", "\r"))
    assert [d["range"]["start"]["line"] for d in client.diagnostics(uri) or []] == [14, 35]


@pytest.mark.parametrize(("body", "code"), [
    (b"{not json", -32700),
    (b"[" * 100_000 + b"]" * 100_000, -32700),
    (b'{"jsonrpc": "2.0", "method": "$/cancelRequest", "params": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
     -32700),
    (b"[1, 2]", -32600),
    (b'{"id": 1, "method": "shutdown"}', -32600),
], ids=["not-json", "nested-too-deep", "cancel-nested-too-deep", "a-list", "no-jsonrpc"])
def test_a_body_that_is_not_a_json_rpc_object_is_answered_with_id_null(client: RawClient, tmp_path: Path,
                                                                       body: bytes, code: int) -> None:
    client.initialize(tmp_path)
    client.send_bytes(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    answer = client.wait(lambda m: "method" not in m or m["method"] == "window/showMessage")
    assert answer is not None and answer.get("id", "absent") is None and answer["error"]["code"] == code
    assert client.response(client.request("shutdown", None)) is not None
    assert "Traceback" not in client.close()


def test_an_integer_of_5000_digits_is_invalid_params_not_a_server_error(client: RawClient, tmp_path: Path) -> None:
    client.initialize(tmp_path)
    body = (b'{"jsonrpc": "2.0", "id": 7, "method": "textDocument/hover", "params": {"textDocument": {"uri": '
            b'"file:///x/Jenkinsfile"}, "position": {"line": ' + b"9" * 5000 + b', "character": 0}}}')
    client.send_bytes(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    answer = client.response(7)
    assert answer is not None and answer["error"]["code"] == -32602
    body = b'{"jsonrpc": "2.0", "method": "workspace/didChangeConfiguration", "params": {"settings": ' \
           b'{"kanikoLsp": {"fixOnSave": ' + b"9" * 5000 + b"}}}}"
    client.send_bytes(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    shown = client.wait(lambda m: m.get("method") == "window/showMessage")
    assert shown is not None
    assert shown["params"]["message"] == ("kaniko-lsp: invalid settings (didChangeConfiguration): "
                                          "kanikoLsp.fixOnSave must be a bool, not inf; defaults used for those")


def test_a_file_outside_every_folder_is_analysed_alone(client: RawClient, tmp_path: Path) -> None:
    """With no folder and no repository holding it, a file's parent tree was scanned (a Jenkinsfile in
    /usr cost a second per keystroke); now only what the file itself reads is read."""
    loose = seed_in(tmp_path / "loose")
    sibling = seed_in(tmp_path / "loose" / "other")
    client.initialize(tmp_path / "ws")
    hover = client.response(client.request("textDocument/hover", {
        "textDocument": {"uri": "file:///"}, "position": {"line": 0, "character": 0}}))
    assert hover is not None and hover["result"] is None
    client.open(loose, SEED)
    assert [d["range"]["start"]["line"] for d in client.diagnostics(loose) or []] == [14, 35]
    published = client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics", timeout=1.5)
    assert published is None, f"{sibling} was analysed too"


def test_notifications_leave_no_futures_behind(tmp_path: Path) -> None:
    """pygls kept one future per notification for the whole session (60,000 edits: +130 MB)."""
    import queue

    from kaniko_lsp.lsp.app import create_server

    server = create_server()
    written: list[bytes] = []
    server.protocol.set_writer(type("Sink", (), {"write": staticmethod(written.append),
                                                 "close": staticmethod(lambda: None)})())
    uri = seed_in(tmp_path / "ws")
    bodies: queue.Queue[bytes | None] = queue.Queue()

    def put(message: dict) -> None:
        bodies.put(json.dumps({"jsonrpc": "2.0", **message}).encode())

    put({"method": "initialized", "params": {}})
    put({"method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": uri, "languageId": "groovy", "version": 1, "text": SEED}}})
    for version in range(2, 2002):
        put({"method": "textDocument/didChange", "params": {"textDocument": {"uri": uri, "version": version},
                                                             "contentChanges": [{"text": SEED}]}})
    put({"id": 2, "method": "shutdown", "params": None})
    bodies.put(None)
    first = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "processId": None, "rootUri": (tmp_path / "ws").as_uri(), "capabilities": {}}}).encode()
    server.run_stdio(first, bodies)
    assert len(server.protocol._request_futures) < 5
    assert any(b'"id":2' in frame.replace(b" ", b"") for frame in written)
