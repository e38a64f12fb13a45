"""Initialization and settings: `initializationOptions`, `workspace/configuration`, and
`workspace/didChangeConfiguration`; client-dependent features are chosen here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.capabilities import get_capability

from .diagnostics import register_pull
from .navigation import register_inlay_hints
from .settings import SECTION, Settings, merge_settings

if TYPE_CHECKING:
    from .server import KanikoLanguageServer


def _apply(ls: KanikoLanguageServer, source: str, data: object, base: Settings | None = None) -> None:
    settings, problems = merge_settings(base or ls.settings, data)
    ls.settings = settings
    if problems:
        ls.show_once(f"settings:{source}", f"kaniko-lsp: invalid settings ({source}): {'; '.join(problems)}; "
                                           "defaults used for those")


def initialize(ls: KanikoLanguageServer, params: types.InitializeParams) -> None:
    ls.settings = Settings()
    options = params.initialization_options
    if isinstance(options, dict) and SECTION in options:
        options = options[SECTION]
    _apply(ls, "initializationOptions", options)
    ls.initial_settings = ls.settings
    capabilities = params.capabilities
    if get_capability(capabilities, "text_document.inlay_hint", None) is not None:
        register_inlay_hints(ls)
    if get_capability(capabilities, "text_document.diagnostic", None) is not None:
        ls.pull_diagnostics = True
        ls.pull_refresh = bool(get_capability(capabilities, "workspace.diagnostics.refresh_support", False))
        register_pull(ls)


async def refresh_settings(ls: KanikoLanguageServer) -> None:
    """Asks the client for the `kanikoLsp` section (when it supports `workspace/configuration`)."""
    if not get_capability(ls.client_capabilities, "workspace.configuration", False):
        return
    folders = [f.uri for f in ls.workspace.folders.values()] or [None]
    try:
        answers = await ls.workspace_configuration_async(types.ConfigurationParams(
            items=[types.ConfigurationItem(scope_uri=uri, section=SECTION) for uri in folders]))
    except Exception as error:  # a client that cannot answer keeps the current settings
        ls.window_log_message(types.LogMessageParams(type=types.MessageType.Log,
                                                     message=f"kaniko-lsp: no workspace configuration: {error!r}"))
        return
    ls.settings = ls.initial_settings
    for answer in answers or []:
        if answer is not None:
            _apply(ls, "workspace/configuration", answer)


async def did_change_configuration(ls: KanikoLanguageServer, params: types.DidChangeConfigurationParams) -> None:
    settings = params.settings
    if isinstance(settings, dict) and isinstance(settings.get(SECTION), dict):
        _apply(ls, "didChangeConfiguration", settings[SECTION], ls.initial_settings)
    else:
        await refresh_settings(ls)
    ls.scheduler.republish_all()


def register(ls: KanikoLanguageServer) -> None:
    ls.feature(types.INITIALIZE)(initialize)
    ls.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(did_change_configuration)
