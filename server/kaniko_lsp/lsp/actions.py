"""Code actions: the quick fix of each finding, `source.fixAll.kaniko`, suppressions (this line, this
file, the project), and fix-on-save through `textDocument/willSaveWaitUntil` when enabled."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from io import StringIO
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.capabilities import get_capability
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from ..config import CONFIG_FILE
from ..groovy.lexer import Kind, tokenize
from ..model import Position
from ..text import LineIndex, decode_character
from .convert import SOURCE, SOURCE_FIX_ALL, edit_from_json, merge_edits

if TYPE_CHECKING:
    from .server import KanikoLanguageServer, View

QUICK_FIX = types.CodeActionKind.QuickFix
FIX_APPLIED = "kaniko-lsp.fixApplied"


def wanted(kind: str, only: Sequence[str] | None) -> bool:
    """Whether an action of `kind` answers a request limited to `only` (kinds are dot hierarchies)."""
    if only is None:
        return True
    kind = getattr(kind, "value", kind)
    return any(kind == (k := getattr(o, "value", o)) or kind.startswith(f"{k}.") for o in only)


def fix_all_edit(view: View) -> types.WorkspaceEdit | None:
    edits = [view.converter.edit(f.fixes[0]) for f in view.findings if f.fixes]
    return merge_edits(edits) if edits else None


def _is_groovy(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return name.endswith((".groovy", ".jenkinsfile")) or name.startswith("jenkinsfile")


@lru_cache(maxsize=8)
def _string_spans(text: str) -> list[tuple[int, int]]:
    return [(t.start, t.end) for t in tokenize(text).tokens if t.kind is Kind.STRING]


def _comment_marker(text: str, path: str, offset: int) -> str:
    """`#` where a line is a Dockerfile, YAML or shell line (also inside a Groovy string), else `//`."""
    if not _is_groovy(path):
        return "#"
    return "#" if any(start < offset < end for start, end in _string_spans(text)) else "//"


def _line_suppression(view: View, diagnostic: types.Diagnostic, rule: str) -> types.CodeAction | None:
    path = view.path
    text = view.workspace.read(path)
    if text is None:
        return None
    index = LineIndex(text)
    line = diagnostic.range.start.line
    content = index.line_text(line)
    indent = content[: len(content) - len(content.lstrip())]
    marker = _comment_marker(text, path, index.starts[min(line, len(index.starts) - 1)] + len(indent))
    start = types.Position(line=line, character=0)
    edit = types.TextEdit(range=types.Range(start=start, end=start),
                          new_text=f"{indent}{marker} kaniko-lsp ignore={rule}{index.newline}")
    return types.CodeAction(title=f"Suppress {rule} on this line", kind=QUICK_FIX, diagnostics=[diagnostic],
                            edit=types.WorkspaceEdit(changes={view.converter.uri(path): [edit]}))


def _file_suppression(view: View, diagnostic: types.Diagnostic, rule: str) -> types.CodeAction | None:
    path = view.path
    text = view.workspace.read(path)
    if text is None:
        return None
    marker = "//" if _is_groovy(path) else "#"
    newline = LineIndex(text).newline
    start = types.Position(line=0, character=0)
    if text.startswith("#!") or text.lstrip().lower().startswith("# escape=") or text.startswith("# syntax="):
        start = types.Position(line=1, character=0)
    edit = types.TextEdit(range=types.Range(start=start, end=start),
                          new_text=f"{marker} kaniko-lsp ignore-file={rule}{newline}")
    return types.CodeAction(title=f"Suppress {rule} in this file", kind=QUICK_FIX, diagnostics=[diagnostic],
                            edit=types.WorkspaceEdit(changes={view.converter.uri(path): [edit]}))


def _config_with_ignored(text: str | None, rule: str) -> str | None:
    """The config file's text with `rule` added to `ignore:` (comments kept), None if unreadable."""
    yaml = YAML(typ="rt")
    try:
        data = yaml.load(text) if text else CommentedMap()
    except YAMLError:
        return None
    if data is None:
        data = CommentedMap()
    if not isinstance(data, CommentedMap):
        return None
    ignored = data.get("ignore")
    if not isinstance(ignored, list):
        ignored = CommentedSeq()
        ignored.fa.set_flow_style()
        data["ignore"] = ignored
    if rule not in ignored:
        ignored.append(rule)
    stream = StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def _project_suppression(ls: KanikoLanguageServer, view: View, diagnostic: types.Diagnostic,
                         rule: str) -> types.CodeAction | None:
    text = view.workspace.read(CONFIG_FILE)
    updated = _config_with_ignored(text, rule)
    if updated is None:
        return None
    uri = view.converter.uri(CONFIG_FILE)
    title = f"Suppress {rule} in this project ({CONFIG_FILE})"
    if text is not None:
        whole = types.Range(start=types.Position(line=0, character=0),
                            end=types.Position(line=len(LineIndex(text).starts), character=0))
        edit = types.WorkspaceEdit(changes={uri: [types.TextEdit(range=whole, new_text=updated)]})
    else:
        operations = get_capability(ls.client_capabilities, "workspace.workspace_edit.resource_operations", [])
        if types.ResourceOperationKind.Create not in (operations or []):
            return None
        edit = types.WorkspaceEdit(document_changes=[
            types.CreateFile(uri=uri, options=types.CreateFileOptions(overwrite=False, ignore_if_exists=True)),
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None),
                edits=[types.TextEdit(range=types.Range(start=types.Position(line=0, character=0),
                                                        end=types.Position(line=0, character=0)),
                                      new_text=updated)]),
        ])
    return types.CodeAction(title=title, kind=QUICK_FIX, diagnostics=[diagnostic], edit=edit)


def _fixes(diagnostic: types.Diagnostic) -> list[types.CodeAction]:
    data: Any = diagnostic.data
    actions = []
    for n, fix in enumerate(data.get("fixes") or [] if isinstance(data, dict) else []):
        edit = edit_from_json(fix.get("edit")) if isinstance(fix, dict) else None
        if edit is not None:
            actions.append(types.CodeAction(title=fix.get("title", "Fix"), kind=QUICK_FIX, diagnostics=[diagnostic],
                                            is_preferred=n == 0, edit=edit, command=applied(fix.get("edit"))))
    return actions


def applied(edit: Any) -> types.Command:
    """The command a client runs after applying one of the server's edits (the edit first, then the command,
    as LSP says): it tells the server what the files it did not see open now hold."""
    return types.Command(title="kaniko-lsp: fix applied", command=FIX_APPLIED, arguments=[edit])


def _edited(text: str, edits: Sequence[types.TextEdit], encoding: str) -> str:
    """`text` with LSP text edits applied (positions in the negotiated encoding)."""
    index = LineIndex(text)

    def offset(position: types.Position) -> int:
        line = index.line_text(position.line)
        return index.offset(Position(position.line, decode_character(line, position.character, encoding)))

    for start, end, new_text in sorted(((offset(e.range.start), offset(e.range.end), e.new_text) for e in edits),
                                       reverse=True):
        text = text[:start] + new_text + text[end:]
    return text


def fix_applied(ls: KanikoLanguageServer, arguments: list[Any] | None) -> None:
    """An edit of ours was applied: files the client has not opened (so sends no changes for) are taken to
    hold the edited text, and the documents they affect are analysed again."""
    edit = edit_from_json(arguments[0]) if arguments else None
    for uri, edits in (edit.changes or {}).items() if edit is not None else ():
        if uri in ls.documents:
            continue  # the client reports changes of open documents itself
        located = ls.locate(uri)
        if located is None:
            continue
        root, path = located
        text = root.engine.workspace.read(path)
        if text is None:
            continue
        text = _edited(text, edits, ls.encoding)
        root.engine.assume_written(path, text)
        ls.scheduler.note(root, [path])
    ls.scheduler.request()


def code_action(ls: KanikoLanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    only = params.context.only
    ours = [d for d in params.context.diagnostics if d.source == SOURCE and isinstance(d.data, dict)]
    actions: list[types.CodeAction] = []
    if ours and wanted(QUICK_FIX, only):
        for diagnostic in ours:
            actions.extend(_fixes(diagnostic))
    needs_analysis = (ours and wanted(QUICK_FIX, only)) or wanted(SOURCE_FIX_ALL, only)
    view = ls.view(params.text_document.uri) if needs_analysis else None
    if view is None:
        return actions
    if ours and wanted(QUICK_FIX, only):
        for diagnostic in ours:
            data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
            rule = str(data.get("rule", diagnostic.code))
            for suppression in (_line_suppression(view, diagnostic, rule), _file_suppression(view, diagnostic, rule),
                                _project_suppression(ls, view, diagnostic, rule)):
                if suppression is not None:
                    actions.append(suppression)
    if wanted(SOURCE_FIX_ALL, only):
        edit = fix_all_edit(view)
        if edit is not None:
            actions.append(types.CodeAction(title="Fix all kaniko-lsp findings", kind=SOURCE_FIX_ALL, edit=edit))
    return actions


def will_save_wait_until(ls: KanikoLanguageServer, params: types.WillSaveTextDocumentParams) \
        -> list[types.TextEdit] | None:
    """Fix on save (off unless `kanikoLsp.fixOnSave` is true): this document's preferred fixes."""
    if not ls.settings.fix_on_save:
        return None
    view = ls.view(params.text_document.uri)
    if view is None:
        return None
    edit = fix_all_edit(view)
    return list((edit.changes or {}).get(params.text_document.uri, [])) if edit else None


def register(ls: KanikoLanguageServer) -> None:
    ls.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[QUICK_FIX, types.CodeActionKind.SourceFixAll, SOURCE_FIX_ALL]))(code_action)
    ls.feature(types.TEXT_DOCUMENT_WILL_SAVE_WAIT_UNTIL)(will_save_wait_until)

    def fix_applied_command(ls: Any, *arguments: Any) -> None:  # pygls reads these annotations at run time
        fix_applied(ls, list(arguments))

    ls.command(FIX_APPLIED)(fix_applied_command)
