"""A raw JSON-RPC client of `kaniko-lsp serve` over stdio, for messages no well-behaved client library sends."""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SERVER = shutil.which("kaniko-lsp", path=str(Path(sys.executable).parent)) or "kaniko-lsp"


class RawClient:
    def __init__(self, command: str = SERVER) -> None:
        self.process = subprocess.Popen([command, "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE)
        self.incoming: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.next_id = 0
        self.shut_down = False
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while (line := stream.readline()).strip():
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if not line or length is None:
                self.incoming.put(None)
                return
            self.incoming.put(json.loads(stream.read(length)))

    def send_bytes(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.send_bytes(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def request(self, method: str, params: Any, msg_id: Any = None) -> Any:
        if msg_id is None:
            self.next_id += 1
            msg_id = self.next_id
        self.send({"id": msg_id, "method": method, "params": params})
        self.shut_down = self.shut_down or method == "shutdown"
        return msg_id

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def wait(self, wanted: Callable[[dict[str, Any]], bool], timeout: float = 10.0) -> dict[str, Any] | None:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = self.incoming.get(timeout=left)
            except queue.Empty:
                break
            if message is None:
                return None
            if wanted(message):
                return message
        return None

    def response(self, msg_id: Any, timeout: float = 10.0) -> dict[str, Any] | None:
        return self.wait(lambda m: "method" not in m and m.get("id") == msg_id, timeout)

    def initialize(self, root: Path) -> dict[str, Any] | None:
        uri = root.as_uri()
        answer = self.response(self.request("initialize", {
            "processId": None, "rootUri": uri, "capabilities": {},
            "workspaceFolders": [{"uri": uri, "name": root.name}]}))
        self.notify("initialized", {})
        return answer

    def open(self, uri: str, text: str, language: str = "groovy") -> None:
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": language, "version": 1,
                                                              "text": text}})

    def diagnostics(self, uri: str, timeout: float = 10.0) -> list[dict[str, Any]] | None:
        message = self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                            and m["params"]["uri"] == uri, timeout)
        return None if message is None else message["params"]["diagnostics"]

    def close(self) -> str:
        """Ends the session; returns what the server wrote to stderr."""
        if self.process.poll() is None:
            if not self.shut_down:
                self.response(self.request("shutdown", None), timeout=5)
            self.notify("exit", None)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        assert self.process.stderr is not None
        return self.process.stderr.read().decode("utf-8", "replace")
