"""The `initialize` result as plain JSON, computed without loading the protocol libraries.

It must equal what pygls computes from the registered features for the same client capabilities;
`tests/test_transport.py` compares the two over many capability sets.
"""

from __future__ import annotations

from typing import Any

CODE_ACTION_KINDS = ["quickfix", "source.fixAll", "source.fixAll.kaniko"]
ENCODINGS = ("utf-8", "utf-16", "utf-32")


def _get(data: Any, path: str) -> Any:
    """The value at a dotted camelCase path of a JSON object, None where something is missing."""
    for key in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def position_encoding(client: dict[str, Any]) -> str:
    """The client's first encoding that the server supports, else UTF-16 (LSP's default)."""
    for encoding in _get(client, "general.positionEncodings") or ():
        if encoding in ENCODINGS:
            return str(encoding)
    return "utf-16"


def initialize_result(client: dict[str, Any], version: str) -> dict[str, Any]:
    """The server's answer to `initialize` for a client with these capabilities."""
    sync: dict[str, Any] = {"openClose": True, "change": 2, "save": True}
    will_save = _get(client, "textDocument.synchronization.willSave")
    will_save_wait_until = _get(client, "textDocument.synchronization.willSaveWaitUntil")
    if will_save is not None:
        sync["willSave"] = False  # the server does not handle willSave
    if will_save_wait_until is not None:
        sync["willSaveWaitUntil"] = bool(will_save_wait_until)
    capabilities: dict[str, Any] = {
        "positionEncoding": position_encoding(client),
        "textDocumentSync": sync,
        "hoverProvider": True,
        "codeActionProvider": {"codeActionKinds": CODE_ACTION_KINDS},
        "documentLinkProvider": {"resolveProvider": False},
        "executeCommandProvider": {"commands": ["kaniko-lsp.fixApplied"]},
        "workspace": {"workspaceFolders": {"supported": True, "changeNotifications": True}, "fileOperations": {}},
    }
    if _get(client, "textDocument.inlayHint") is not None:
        capabilities["inlayHintProvider"] = {"resolveProvider": False}
    if _get(client, "textDocument.diagnostic") is not None:
        capabilities["diagnosticProvider"] = {"identifier": "kaniko-lsp", "interFileDependencies": True,
                                              "workspaceDiagnostics": True}
    return {"capabilities": capabilities, "serverInfo": {"name": "kaniko-lsp", "version": version}}
