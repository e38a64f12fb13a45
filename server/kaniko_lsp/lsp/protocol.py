"""The protocol boundary: what pygls's JSON-RPC layer would let through, answered or dropped here.

- A request whose params do not fit its method (missing, null, a list, a line of -1 or 2^31, a string
  for a number) is answered with InvalidParams; one whose id is neither a number nor a string with
  InvalidRequest; such a notification is dropped with one log line. pygls leaves both unanswered.
- A body that is not JSON, or nests too deep for Python's parser, is answered with ParseError; JSON that
  is not an object with `jsonrpc` with InvalidRequest (both with id null). Integers past 20 digits are
  read as floats, so they fail as invalid params instead of as Python's 4,300-digit limit.
- A second `initialize` is answered with InvalidRequest, as the specification says it may be sent once.
- `$/cancelRequest` takes effect: a request cancelled before it runs is answered RequestCancelled
  without running (the stdio reader notes cancellations as they arrive, ahead of the queue).
- Open documents live in `text_sync.Documents`, not in pygls's workspace: changes of a document that
  is not open are dropped instead of raising KeyError.
- pygls keeps a future per notification forever; each is dropped here once it is done.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Generator
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, Protocol

from lsprotocol import types
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcParseError,
    JsonRpcRequestCancelled,
)
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

if TYPE_CHECKING:
    from .text_sync import Documents


class DocumentHost(Protocol):
    """What the protocol needs of its server."""

    documents: Documents

    @property
    def encoding(self) -> str: ...

log = logging.getLogger(__name__)


class _Rejected:
    """A message that cannot be handled, with the error its sender is owed (None for a notification)."""

    def __init__(self, msg_id: Any, error: JsonRpcException | None, why: str) -> None:
        self.msg_id, self.error, self.why = msg_id, error, why
        self.jsonrpc = "2.0"


class _QuietDeserialisation(logging.Filter):
    """pygls logs a full traceback for every message that does not structure; one line is said here."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Unable to deserialize message")


logging.getLogger("pygls.protocol.json_rpc").addFilter(_QuietDeserialisation())


_DONE: Future[None] = Future()
_DONE.set_result(None)


def _valid_id(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


class KanikoProtocol(LanguageServerProtocol):
    _server: DocumentHost  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initialize_seen = False
        self.cancelled_early: set[Any] = set()
        self.cancel_lock = threading.Lock()
        self.notification_futures: set[str | int] = set()
        """Keys pygls gave the futures of notifications (dropped once done, at the next notification)."""

    # --- messages that do not fit ----------------------------------------------------------
    def structure_message(self, data: dict[str, Any]) -> Any:
        if "jsonrpc" not in data:
            return data  # a nested object (json's object_hook sees those too)
        is_request = "id" in data and "method" in data
        if is_request and not _valid_id(data["id"]):
            return _Rejected(None, JsonRpcInvalidRequest("the id must be a number or a string"),
                             f"request {data.get('method')!r} with id {data['id']!r}")
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            method = data.get("method")
            if is_request:
                return _Rejected(data["id"], JsonRpcInvalidParams(f"invalid params for {method}"),
                                 f"request {method!r} {data['id']!r} with invalid params")
            if method is not None:
                return _Rejected(None, None, f"notification {method!r} with invalid params")
            return _Rejected(None, None, f"message that does not fit JSON-RPC ({error})")

    def reject_unparsable(self, error: Exception) -> None:
        """Answers a body that is not JSON (or nests too deep to read) with ParseError, id null."""
        why = "nesting too deep" if isinstance(error, RecursionError) else str(error)[:200]
        log.warning("answered a message that is not JSON: %s", why)
        self._send_data({"jsonrpc": "2.0", "id": None,
                         "error": {"code": JsonRpcParseError.CODE, "message": f"parse error: {why}"}})

    def handle_message(self, message: Any) -> None:
        if not isinstance(message, _Rejected) and not hasattr(message, "jsonrpc"):
            log.warning("answered a message that is not a JSON-RPC object: %.200r", message)
            self._send_data({"jsonrpc": "2.0", "id": None, "error": {
                "code": JsonRpcInvalidRequest.CODE, "message": "a message must be a JSON-RPC object"}})
            return
        if isinstance(message, _Rejected):
            log.warning("answered or dropped a %s", message.why)
            if message.error is not None:  # plain JSON: pygls would leave out an id of null
                self._send_data({"jsonrpc": "2.0", "id": message.msg_id,
                                 "error": {"code": message.error.code, "message": message.error.message}})
            return
        super().handle_message(message)

    # --- requests ---------------------------------------------------------------------------
    def note_cancelled(self, msg_id: Any) -> None:
        """Called from the stdio reader thread as soon as a `$/cancelRequest` arrives."""
        with self.cancel_lock:
            self.cancelled_early.add(msg_id)

    def _handle_request(self, msg_id: Any, method_name: str, params: Any) -> None:
        with self.cancel_lock:
            cancelled = msg_id in self.cancelled_early
            self.cancelled_early.discard(msg_id)
        if cancelled:
            self._send_response(msg_id, None, JsonRpcRequestCancelled().to_response_error())
            return
        if method_name == types.INITIALIZE:
            if self.initialize_seen:
                error = JsonRpcInvalidRequest("initialize was already received")
                self._send_response(msg_id, None, error.to_response_error())
                return
            self.initialize_seen = True
        super()._handle_request(msg_id, method_name, params)

    def _handle_cancel_notification(self, msg_id: Any) -> None:
        future = self._request_futures.pop(msg_id, None)
        with self.cancel_lock:
            self.cancelled_early.discard(msg_id)
        if future is not None and not future.done():
            future.cancel()

    def _handle_notification(self, method_name: str, params: Any) -> None:
        for key in [k for k in self.notification_futures if self._request_futures.get(k, _DONE).done()]:
            self._request_futures.pop(key, None)
            self.notification_futures.discard(key)
        before = set(self._request_futures)
        super()._handle_notification(method_name, params)
        self.notification_futures.update(set(self._request_futures) - before)

    # --- open documents ---------------------------------------------------------------------
    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams) -> Generator[Any, Any, None]:
        self._server.documents.did_open(params.text_document)
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) \
            -> Generator[Any, Any, None]:
        if not self._server.documents.did_change(params, self._server.encoding):
            return
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams) \
            -> Generator[Any, Any, None]:
        if not self._server.documents.did_close(params.text_document.uri):
            return
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield handler, (params,), None
