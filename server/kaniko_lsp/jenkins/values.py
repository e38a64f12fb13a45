"""The values a pipeline computes, as far as they are known statically.

A value is a string (with the file position of every character, so that findings point into the
Jenkinsfile), a list or a map of values, or unknown (None). Names are looked up in the scope where the
expression stands: the parameters of the closure, loop or method being read, then the script's
variables, then environment variables (`environment {}`, `env.X = ...`, `withEnv`, matrix axes).
GString interpolations of unknown expressions stay in the text as written (`${params.TAG}`), which is
how Jenkins variables such as `${env.WORKSPACE}` reach the places that know what they mean.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Union

from ..groovy import tree
from ..text import Embedded, LineIndex

MAX_DEPTH = 20
"""Deeper chains of variables referring to variables are unknown (and cycles end)."""
MAX_ITEMS = 64
"""Longer lists are not iterated item by item (each item is read as a separate copy of the loop)."""
_STRING_METHODS = {"stripIndent", "stripMargin", "toString", "trim", "stripTrailing", "strip", "toLowerCase",
                   "toUpperCase"}


@dataclass(frozen=True)
class ListValue:
    items: tuple[Value, ...]


@dataclass(frozen=True)
class MapValue:
    entries: tuple[tuple[str, Value], ...]

    def get(self, key: str) -> Value:
        return next((v for k, v in reversed(self.entries) if k == key), None)


Value = Union[Embedded, ListValue, MapValue, None]  # noqa: UP007 (a runtime alias)


@dataclass(frozen=True)
class Scope:
    """Names visible where an expression stands (besides the script's variables)."""

    names: Mapping[str, Value] = field(default_factory=dict)
    """Parameters of the enclosing closures, loops and methods."""
    env: Mapping[str, Value] = field(default_factory=dict)
    """Environment variables set by the pipeline."""


class Evaluator:
    def __init__(self, path: str, index: LineIndex) -> None:
        self.path = path
        self.index = index
        self.variables: dict[str, tree.Node] = {}
        """The script's variables: the last expression assigned to each name (read lazily, in the scope
        of the place that uses it)."""
        self.scope = Scope()
        self.assigned_env: dict[str, Value] = {}
        """`env.X = ...` assignments read so far: they hold for the rest of the run, beyond their block."""

    def string(self, node: tree.Node | None) -> Embedded | None:
        """The text an expression evaluates to when it is a known string, else None."""
        value = self.value(node)
        return value if isinstance(value, Embedded) else None

    def value(self, node: tree.Node | None, depth: int = 0) -> Value:
        if node is None or depth > MAX_DEPTH:
            return None
        if isinstance(node, tree.Str):
            return self.interpolate(node, depth)
        if isinstance(node, tree.Name):
            return self.lookup(node.name, depth)
        if isinstance(node, tree.ListLit):
            if node.entries and not node.items:
                return MapValue(tuple((e.name or "", self.value(e.value, depth + 1)) for e in node.entries))
            return ListValue(tuple(self.value(item, depth + 1) for item in node.items))
        if isinstance(node, tree.Prop):
            return self.member(node.target, node.name, depth)
        if isinstance(node, tree.Call) and node.target is not None:
            return self.method(node, depth)
        if isinstance(node, tree.Binary):
            return self.binary(node, depth)
        return None

    def lookup(self, name: str, depth: int) -> Value:
        scope = self.scope
        if name in scope.names:
            return scope.names[name]
        if name in self.variables:
            return self.value(self.variables[name], depth + 1)
        return self.env(name)

    def env(self, name: str) -> Value:
        """An environment variable: set by the enclosing blocks, else by an earlier `env.X = ...`."""
        return self.scope.env[name] if name in self.scope.env else self.assigned_env.get(name)

    def member(self, target: tree.Node, name: str, depth: int) -> Value:
        if isinstance(target, tree.Name) and target.name == "env" and "env" not in self.scope.names:
            return self.env(name)
        owner = self.value(target, depth + 1)
        return owner.get(name) if isinstance(owner, MapValue) else None

    def method(self, node: tree.Call, depth: int) -> Value:
        if node.target is None:
            return None
        owner = self.value(node.target, depth + 1)
        if isinstance(owner, Embedded) and node.name in _STRING_METHODS:
            if node.name in ("trim", "strip"):
                lead = len(owner.text) - len(owner.text.lstrip())
                return owner.slice(lead, lead + len(owner.text.strip()))
            if node.name in ("toLowerCase", "toUpperCase"):
                text = owner.text.lower() if node.name == "toLowerCase" else owner.text.upper()
                return Embedded(text, owner.path, owner.host, owner.host_offsets())
            return owner
        if isinstance(owner, Embedded) and node.name in ("split", "tokenize"):
            separator = self.string(node.arg(None, 0))
            parts = owner.text.split(separator.text) if separator and separator.text else owner.text.split()
            found, cursor = [], 0
            for part in parts:
                at = owner.text.find(part, cursor)
                found.append(owner.slice(at, at + len(part)))
                cursor = at + len(part)
            return ListValue(tuple(p for p in found if p.text or node.name == "split"))
        if isinstance(owner, MapValue) and node.name in ("keySet", "values"):
            if node.name == "keySet":
                return ListValue(tuple(Embedded.at(k, self.path, self.index, node.target.start)
                                       for k, _ in owner.entries))
            return ListValue(tuple(v for _, v in owner.entries))
        return None

    def binary(self, node: tree.Binary, depth: int) -> Value:
        if node.op == "?:":
            return self.value(node.left, depth + 1) or self.value(node.right, depth + 1)
        left, right = self.value(node.left, depth + 1), self.value(node.right, depth + 1)
        if node.op == "+":
            if isinstance(left, Embedded) and isinstance(right, Embedded):
                return left + right
            if isinstance(left, ListValue) and isinstance(right, ListValue):
                return ListValue(left.items + right.items)
        if node.op == "[]" and isinstance(right, ListValue) and len(right.items) == 1:
            key = right.items[0]
            if isinstance(left, MapValue) and isinstance(key, Embedded):
                return left.get(key.text)
            if isinstance(left, ListValue) and isinstance(key, Embedded) and key.text.isdigit():
                index = int(key.text)
                return left.items[index] if index < len(left.items) else None
        return None

    def interpolate(self, node: tree.Str, depth: int) -> Embedded:
        """A GString with every interpolation of a known string substituted (others stay as written)."""
        text = Embedded(node.value, self.path, self.index, node.offsets)
        result: Embedded | None = None
        cursor = 0
        for interpolation in node.interpolations:
            value = self.expression(interpolation.expression, depth)
            if not isinstance(value, Embedded):
                continue
            piece = text.slice(cursor, interpolation.start) + value
            result = piece if result is None else result + piece
            cursor = interpolation.end
        if result is None:
            return text
        return result + text.slice(cursor, len(node.value))

    def expression(self, source: str, depth: int) -> Value:
        """The value of an interpolated expression: a name or a dotted path (`env.X`, `svc.path`)."""
        parts = source.split(".")
        if not all(part.isidentifier() for part in parts):
            return None
        if parts[0] == "env" and len(parts) == 2 and "env" not in self.scope.names:
            return self.env(parts[1])
        value = self.lookup(parts[0], depth + 1)
        for part in parts[1:]:
            value = value.get(part) if isinstance(value, MapValue) else None
        return value


def label(value: Value) -> str:
    """How a value reads in a message (`orders`, `[a, b]`, `?`)."""
    if isinstance(value, Embedded):
        return value.text
    if isinstance(value, ListValue):
        return "[" + ", ".join(label(v) for v in value.items) + "]"
    if isinstance(value, MapValue):
        return "[" + ", ".join(f"{k}: {label(v)}" for k, v in value.entries) + "]"
    return "?"
