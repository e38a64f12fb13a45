"""Document synchronisation: open buffers are what the analysis reads, and each change is analysed at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from .server import KanikoLanguageServer


def _buffer_changed(ls: KanikoLanguageServer, uri: str) -> None:
    located = ls.locate(uri)
    document = ls.documents.get(uri)
    if located is None or document is None:
        return
    root, path = located
    root.engine.set_buffer(path, document.text)
    ls.scheduler.request(uri)


def did_open(ls: KanikoLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    located = ls.locate(params.text_document.uri)
    if located is not None:
        ls.scheduler.track(params.text_document.uri, *located)
    _buffer_changed(ls, params.text_document.uri)


def did_change(ls: KanikoLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    _buffer_changed(ls, params.text_document.uri)


def did_save(ls: KanikoLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
    """The disk now holds the buffer (clients without file watching tell of writes only this way)."""
    located = ls.locate(params.text_document.uri)
    if located is not None:
        root, path = located
        root.engine.changed([path])
        ls.scheduler.note(root, [path])
        ls.scheduler.request()


def did_close(ls: KanikoLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
    """The file's saved content counts again; its diagnostics are those of that content (or cleared)."""
    located = ls.locate(params.text_document.uri)
    if located is None:
        return
    root, path = located
    root.engine.drop_buffer(path)
    ls.scheduler.note(root, [path])
    ls.scheduler.request(params.text_document.uri)


def register(ls: KanikoLanguageServer) -> None:
    ls.feature(types.TEXT_DOCUMENT_DID_OPEN)(did_open)
    ls.feature(types.TEXT_DOCUMENT_DID_CHANGE)(did_change)
    ls.feature(types.TEXT_DOCUMENT_DID_SAVE)(did_save)
    ls.feature(types.TEXT_DOCUMENT_DID_CLOSE)(did_close)
