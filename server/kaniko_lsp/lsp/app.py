"""Assembling the language server from its features, and running it."""

from __future__ import annotations

from . import actions, configuration, documents, navigation, workspace_index
from .server import KanikoLanguageServer

FEATURES = (configuration, documents, workspace_index, actions, navigation)
"""Feature modules, each with `register(server)` (pull diagnostics and inlay hints are registered at
initialize, when the client supports them)."""


def create_server() -> KanikoLanguageServer:
    """A server with every feature registered."""
    server = KanikoLanguageServer()
    for feature in FEATURES:
        feature.register(server)
    return server


def start(tcp: str | None = None, ws: str | None = None) -> None:
    """Runs the server on TCP / WebSocket at `HOST:PORT` (stdio is `transport.serve_stdio`)."""
    server = create_server()
    host, _, port = (tcp or ws or "").rpartition(":")
    (server.start_tcp if tcp else server.start_ws)(host or "127.0.0.1", int(port))

