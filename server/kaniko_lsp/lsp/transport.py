"""The stdio transport: LSP frames read by one thread and handed to the server one hop each, and an
`initialize` answered before the server's libraries have finished loading.

Loading pygls and lsprotocol takes about half a second, most of it spent generating the protocol's
classes; an editor waits for the `initialize` result before anything else. So the first request is
answered from `capabilities.initialize_result` (plain JSON, checked by a test to be exactly what the
server would answer), the libraries load, and the same request is then given to the server so that its
state is set up as usual; its own (identical) answer is not sent again.

Frames are read defensively: headers may end with CRLF or LF, a frame without a valid `Content-Length`
or with one over `MAX_FRAME_BYTES` is dropped with a log line and reading resumes at the next header, and
a body that turns out to hold more than one JSON value gives the rest back to the stream.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import re
import sys
import threading
from collections.abc import Callable
from typing import Any, BinaryIO

from .capabilities import initialize_result
from .messages import load_json

log = logging.getLogger(__name__)

MAX_FRAME_BYTES = 64 * 1024 * 1024
"""Larger messages are dropped: no editor sends documents of this size."""
_HEADER = re.compile(rb"(?i)content-length[ \t]*:[ \t]*([^\s]*)")
"""A Content-Length header; searched anywhere in a header block, so that a frame following garbage (the
rest of a frame whose length was wrong) is still found."""
_READ_SIZE = 65536
SWITCH_SECONDS = 0.0005
"""How long analysis may hold the interpreter before the reader thread gets a turn (Python's default is
5 ms, which would add up to 5 ms to every message that arrives while analysis runs)."""


class FrameReader:
    """Splits a byte stream into LSP message bodies, resynchronising after malformed frames."""

    def __init__(self, read: Callable[[int], bytes], report: Callable[[str], None] = log.warning) -> None:
        self.read = read
        self.report = report
        self.buffer = bytearray()
        self.closed = False

    def _fill(self) -> bool:
        if self.closed:
            return False
        data = self.read(_READ_SIZE)
        if not data:
            self.closed = True
            return False
        self.buffer += data
        return True

    def _headers(self) -> bytes | None:
        """The next header block (without its blank line), None at the end of the stream."""
        while True:
            end = re.search(rb"\r?\n\r?\n", self.buffer)
            if end is not None:
                block = bytes(self.buffer[:end.start()])
                del self.buffer[:end.end()]
                return block
            if len(self.buffer) > MAX_FRAME_BYTES:
                self.report("kaniko-lsp: dropped input that holds no message header")
                self.buffer.clear()
            if not self._fill():
                return None

    def next(self) -> bytes | None:
        """The next message body, None when the stream has ended."""
        while True:
            block = self._headers()
            if block is None:
                return None
            matches = list(_HEADER.finditer(block))
            text = matches[-1].group(1) if matches else b""
            length = int(text) if text.isdigit() else -1
            if length < 0:
                if block.strip():
                    self.report(f"kaniko-lsp: dropped a message with no valid Content-Length ({text[:40]!r})")
                continue
            if length > MAX_FRAME_BYTES:
                self.report(f"kaniko-lsp: dropped a message of {length} bytes (more than {MAX_FRAME_BYTES})")
                self._skip_to_next_header()
                continue
            while len(self.buffer) < length:
                if not self._fill():
                    return None
            body = bytes(self.buffer[:length])
            del self.buffer[:length]
            return self._first_value(body)

    def _skip_to_next_header(self) -> None:
        """Discards input up to the next line that starts a header."""
        while True:
            at = _HEADER.search(self.buffer)
            if at is not None:
                del self.buffer[:at.start()]
                return
            keep = self.buffer[-64:]
            self.buffer.clear()
            self.buffer += keep
            if not self._fill():
                return

    def _first_value(self, body: bytes) -> bytes:
        """The body, or only its first JSON value when a wrong length swallowed the next frame's start
        (the rest goes back to the stream)."""
        stripped = body.rstrip()
        if stripped.endswith((b"}", b"]")) and not _HEADER.search(body):
            return body
        try:
            text = body.decode("utf-8")
            _, end = json.JSONDecoder().raw_decode(text)
        except (UnicodeDecodeError, ValueError):
            return body
        rest = text[end:].encode("utf-8")
        self.buffer[:0] = rest
        return text[:end].encode("utf-8")


class _Writer:
    """Writes frames to stdout, leaving out the server's answer to the `initialize` already answered."""

    def __init__(self, stream: BinaryIO, answered: Any = None) -> None:
        self.stream = stream
        self.answered = answered
        self.lock = threading.Lock()

    def write(self, data: bytes) -> None:
        if self.answered is not None:
            body = data.partition(b"\r\n\r\n")[2]
            try:
                message = load_json(body)
            except (ValueError, RecursionError):
                message = None
            if isinstance(message, dict) and message.get("id") == self.answered and "method" not in message:
                self.answered = None
                return
        with self.lock:
            self.stream.write(data)
            self.stream.flush()

    def close(self) -> None:
        self.stream.close()


def _frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message, separators=(",", ":")).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def serve_stdio(stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
    """Runs the language server on stdio (see the module's description)."""
    source = stdin or sys.stdin.buffer
    sink = stdout or sys.stdout.buffer
    sys.setswitchinterval(SWITCH_SECONDS)
    fileno = source.fileno()
    reader = FrameReader(lambda n: os.read(fileno, n))
    bodies: queue.Queue[bytes | None] = queue.Queue()
    cancelled: list[Any] = []
    """Ids of `$/cancelRequest`s read before the server exists."""
    notify: list[Callable[[Any], None]] = [cancelled.append]

    def read_all() -> None:
        while (body := reader.next()) is not None:
            if b"$/cancelRequest" in body:
                _note_cancel(body, notify[0])
            bodies.put(body)
        bodies.put(None)

    threading.Thread(target=read_all, name="kaniko-lsp-reader", daemon=True).start()
    first = bodies.get()
    answered = None
    if first is not None:
        answered = _answer_initialize(first, sink)
    from .app import create_server

    server = create_server()
    writer = _Writer(sink, answered)
    server.protocol.set_writer(writer)
    notify[0] = server.protocol.note_cancelled
    for msg_id in cancelled:
        server.protocol.note_cancelled(msg_id)
    try:
        server.run_stdio(first, bodies)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        from .scheduler import save_caches

        with contextlib.suppress(Exception):  # the cache only saves time; exiting matters more
            save_caches(server.roots.values())
        server.shutdown()


def _note_cancel(body: bytes, note: Callable[[Any], None]) -> None:
    """Tells the protocol of a cancellation as soon as it is read, ahead of the requests queued before it."""
    try:
        message = load_json(body)
    except (ValueError, RecursionError):
        return
    if isinstance(message, dict) and message.get("method") == "$/cancelRequest":
        params = message.get("params")
        if isinstance(params, dict) and "id" in params:
            note(params["id"])


def _answer_initialize(body: bytes, sink: BinaryIO) -> Any:
    """Answers an `initialize` request at once; returns its id (None when `body` is something else)."""
    try:
        message = load_json(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(message, dict) or message.get("method") != "initialize" or "id" not in message:
        return None
    params = message.get("params")
    capabilities = params.get("capabilities") if isinstance(params, dict) else None
    if not isinstance(capabilities, dict):
        return None
    from .. import __version__

    result = initialize_result(capabilities, __version__)
    sink.write(_frame({"jsonrpc": "2.0", "id": message["id"], "result": result}))
    sink.flush()
    return message["id"]
