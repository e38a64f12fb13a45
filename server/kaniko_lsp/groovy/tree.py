"""A tolerant reader of the Groovy that Jenkinsfiles are written in.

It does not evaluate Groovy. It recovers the structure that matters to pipelines: method calls with
named and positional arguments, trailing closures, command calls without parentheses (`sh 'x'`),
variable assignments, lists, maps and string literals. Anything it cannot read is skipped and recorded
as a `Problem`; reading always completes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from .lexer import Interpolation, Kind, Problem, Token, find_interpolations, tokenize


@dataclass
class Node:
    start: int
    end: int


@dataclass
class Str(Node):
    value: str
    offsets: Sequence[int]
    found_interpolations: list[Interpolation] | None
    quote: str

    @property
    def interpolations(self) -> list[Interpolation]:
        """`${...}`/`$x` parts of a GString (found on first use: most strings never need them)."""
        if self.found_interpolations is None:
            self.found_interpolations = find_interpolations(self.value)
        return self.found_interpolations


@dataclass
class Name(Node):
    name: str


@dataclass
class Literal(Node):
    text: str


@dataclass
class Arg:
    name: str | None
    value: Node
    name_start: int = 0


@dataclass
class Closure(Node):
    params: list[str]
    body: list[Node]


@dataclass
class Call(Node):
    name: str
    args: list[Arg] = field(default_factory=list)
    closure: Closure | None = None
    target: Node | None = None

    def arg(self, name: str | None = None, index: int = 0) -> Node | None:
        """The named argument `name`, or the `index`-th positional one."""
        if name is not None:
            return next((a.value for a in self.args if a.name == name), None)
        positional = [a.value for a in self.args if a.name is None]
        return positional[index] if index < len(positional) else None


@dataclass
class ListLit(Node):
    items: list[Node]
    entries: list[Arg]


@dataclass
class Prop(Node):
    target: Node
    name: str


@dataclass
class Binary(Node):
    op: str
    left: Node
    right: Node


@dataclass
class Assign(Node):
    target: Node
    value: Node


@dataclass
class Param:
    name: str
    default: Node | None = None


@dataclass
class MethodDef(Node):
    """`def name(Type a, b = 'x') { ... }`: a helper of the script, run where it is called."""

    name: str
    params: list[Param]
    body: list[Node]
    name_start: int = 0


@dataclass
class Script:
    body: list[Node]
    problems: list[Problem]


_BLOCK_KEYWORDS = {"if", "for", "while", "switch", "catch", "synchronized"}
_BARE_KEYWORDS = {"else", "try", "finally", "do"}
_NOT_ARGUMENT = {"in", "instanceof", "as"}
_KEYWORDS = _BLOCK_KEYWORDS | _BARE_KEYWORDS | _NOT_ARGUMENT | {"return", "throw", "case", "import", "package",
                                                                "def", "new"}
_TYPE_WORDS = {"def", "final", "static", "private", "public", "protected", "String", "int", "boolean",
               "Map", "List", "var", "long", "GString", "Object"}
_BINARY = {
    "?:": 1, "?": 1, "||": 2, "&&": 3, "|": 4, "^": 4, "&": 4, "==": 5, "!=": 5, "=~": 5, "==~": 5,
    "<": 6, ">": 6, "<=": 6, ">=": 6, "in": 6, "instanceof": 6, "as": 6, "<<": 7, ">>": 7,
    "..": 7, "..<": 7, "+": 8, "-": 8, "*": 9, "/": 9, "%": 9, "**": 10,
}
_ASSIGN = {"=", "+=", "-="}


MAX_NESTING = 120
"""Deeper brackets are skipped (and reported) instead of read, so reading never exhausts the stack."""


class _Parser:
    def __init__(self, tokens: list[Token], problems: list[Problem]) -> None:
        self.tokens = tokens
        self.k = 0
        self.problems = problems
        self.depth = 0

    def skip_nested(self) -> Literal:
        """Skips what is nested too deeply, up to the bracket that closes the enclosing group."""
        opened = self.tok
        self.problems.append(Problem("nesting too deep to read", opened.start, opened.end))
        balance = 0
        while self.tok.kind is not Kind.EOF:
            token = self.tok
            if token.kind is Kind.OP and token.text in ("(", "[", "{"):
                balance += 1
            elif token.kind is Kind.OP and token.text in (")", "]", "}"):
                if balance == 0:
                    break
                balance -= 1
            self.advance()
        return Literal(opened.start, self.tokens[max(self.k - 1, 0)].end, "")

    # token helpers -------------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.k]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.k + ahead, len(self.tokens) - 1)]

    def at(self, text: str) -> bool:
        token = self.tokens[self.k]
        return token.text == text and token.kind is not Kind.STRING

    def advance(self) -> Token:
        token = self.tokens[self.k]
        if token.kind is not Kind.EOF:
            self.k += 1
        return token

    def skip_newlines(self) -> None:
        tokens, k = self.tokens, self.k
        while tokens[k].kind is Kind.NEWLINE or (tokens[k].text == ";" and tokens[k].kind is Kind.OP):
            k += 1
        self.k = k

    def next_significant(self) -> Token:
        j = self.k
        while self.tokens[j].kind is Kind.NEWLINE:
            j += 1
        return self.tokens[j]

    def expect(self, text: str, opened: Token) -> int:
        if self.at(text):
            return self.advance().end
        self.problems.append(Problem(f"expected '{text}' to close '{opened.text}'", opened.start, opened.end))
        return self.tok.start

    # statements ----------------------------------------------------------------------------
    def block(self, closing: str | None) -> list[Node]:
        body: list[Node] = []
        while True:
            self.skip_newlines()
            if self.tok.kind is Kind.EOF or (closing and self.at(closing)):
                return body
            if self.at(")") or self.at("]") or (closing is None and self.at("}")):
                token = self.advance()
                self.problems.append(Problem(f"unexpected '{token.text}'", token.start, token.end))
                continue
            before = self.k
            node = self.statement()
            if node is not None:
                body.append(node)
            if self.k == before:
                token = self.advance()
                self.problems.append(Problem(f"unexpected {token.kind.value} '{token.text}'", token.start, token.end))

    def statement(self) -> Node | None:
        if self.depth > MAX_NESTING:
            return self.skip_nested()
        self.depth += 1
        try:
            return self._statement()
        finally:
            self.depth -= 1

    def _statement(self) -> Node | None:
        tok = self.tok
        simple = self.simple_command()
        if simple is not None:
            return simple
        if tok.kind is Kind.OP and tok.text == "@":
            self.advance()
            if self.tok.kind is Kind.IDENT:
                self.advance()
            if self.at("("):
                self.call_args(self.advance())
            return None
        if tok.kind is Kind.IDENT:
            if tok.text in ("import", "package"):
                while self.tok.kind not in (Kind.NEWLINE, Kind.EOF) and not self.at(";"):
                    self.advance()
                return None
            if tok.text in _BLOCK_KEYWORDS or tok.text in _BARE_KEYWORDS:
                return self.keyword_block()
            if tok.text == "case" or (tok.text == "default" and self.peek().text == ":"):
                self.advance()
                if tok.text == "case":
                    self.expression()
                if self.at(":"):
                    self.advance()
                return None
            if tok.text in ("return", "throw"):
                self.advance()
                if self.tok.kind in (Kind.NEWLINE, Kind.EOF) or self.at("}"):
                    return None
                return self.expression()
            if (tok.text in _TYPE_WORDS or tok.text == "void") and self.peek().kind is Kind.IDENT:
                method = self.method_definition()
                if method is not None:
                    return method
                self.advance()
                while self.tok.kind is Kind.IDENT and self.peek().kind is Kind.IDENT:
                    self.advance()
                return self.statement()
            if self.starts_command_argument(self.peek()):
                return self.command_call()
        node = self.expression()
        if self.tok.kind is Kind.OP and self.tok.text in _ASSIGN:
            self.advance()
            self.skip_only_newlines()
            if self.tok.kind is Kind.IDENT and self.starts_command_argument(self.peek()) \
                    and self.tok.text not in ("new",):
                value: Node = self.command_call()
            else:
                value = self.expression()
            return Assign(node.start, value.end, node, value)
        return node

    def method_definition(self) -> MethodDef | None:
        """`def|Type name(params) { body }`, or None (nothing consumed) when the statement is not one."""
        start = self.k
        first = self.tok
        while self.tok.kind is Kind.IDENT and self.peek().kind is Kind.IDENT:
            self.advance()
        name = self.tok
        if name.kind is not Kind.IDENT or self.peek().text != "(" or self.peek().kind is not Kind.OP \
                or name.text in _KEYWORDS:
            self.k = start
            return None
        self.advance()
        opened = self.advance()
        params: list[Param] = []
        self.skip_only_newlines()
        while not self.at(")"):
            while self.tok.kind is Kind.IDENT and self.peek().kind is Kind.IDENT:
                self.advance()  # the parameter's type
            if self.at("..."):
                self.advance()
            if self.tok.kind is not Kind.IDENT:
                self.k = start
                return None
            param = Param(self.advance().text)
            if self.at("="):
                self.advance()
                param.default = self.expression()
            params.append(param)
            self.skip_only_newlines()
            if self.at(","):
                self.advance()
                self.skip_only_newlines()
            elif not self.at(")"):
                self.k = start
                return None
        self.expect(")", opened)
        self.skip_only_newlines()
        if not self.at("{"):
            self.k = start
            return None
        body = self.closure()
        return MethodDef(first.start, body.end, name.text, params, body.body, name.start)

    def simple_command(self) -> Call | None:
        """`name 'string'` alone on its line (`sh '...'`, `echo "..."`): the commonest statement, read
        without the general expression machinery."""
        tokens, k = self.tokens, self.k
        name, argument, after = tokens[k], tokens[k + 1], tokens[min(k + 2, len(tokens) - 1)]
        if name.kind is not Kind.IDENT or argument.kind is not Kind.STRING or name.text in _KEYWORDS:
            return None
        if not (after.kind is Kind.NEWLINE or after.kind is Kind.EOF or (after.kind is Kind.OP and after.text in "};")):
            return None
        self.k = k + 2
        following = self.next_significant()
        if following.kind is Kind.OP and following.text in (".", "?.", "*."):
            self.k = k
            return None
        value = Str(argument.start, argument.end, argument.value, argument.offsets, argument.interpolations,
                    argument.quote)
        return Call(name.start, argument.end, name.text, [Arg(None, value, argument.start)])

    def starts_command_argument(self, nxt: Token) -> bool:
        if nxt.kind in (Kind.STRING, Kind.NUMBER):
            return True
        if nxt.kind is Kind.IDENT:
            return nxt.text not in _NOT_ARGUMENT
        return False

    def command_call(self) -> Call:
        name = self.advance()
        call = Call(name.start, name.end, name.text)
        while True:
            call.args.append(self.argument())
            if not self.at(","):
                break
            self.advance()
            self.skip_only_newlines()
        if self.at("{"):
            call.closure = self.closure()
        call.end = self.tokens[self.k - 1].end
        return call

    def skip_only_newlines(self) -> None:
        while self.tok.kind is Kind.NEWLINE:
            self.k += 1

    def keyword_block(self) -> Node:
        keyword = self.advance()
        call = Call(keyword.start, keyword.end, keyword.text)
        if keyword.text == "else" and self.at("if"):
            inner = self.keyword_block()
            call.closure = Closure(inner.start, inner.end, [], [inner])
            return call
        if keyword.text in _BLOCK_KEYWORDS and self.at("("):
            opened = self.advance()
            while not self.at(")") and self.tok.kind is not Kind.EOF and not self.at("{"):
                before = self.k
                node = self.expression()
                call.args.append(Arg(None, node))
                if self.k == before:
                    self.advance()
            self.expect(")", opened)
        self.skip_only_newlines()
        if self.at("{"):
            call.closure = self.closure()
        elif self.tok.kind is not Kind.EOF and not self.at("}"):
            only = self.statement()
            if only is not None:
                call.closure = Closure(only.start, only.end, [], [only])
        call.end = self.tokens[self.k - 1].end
        return call

    # expressions ---------------------------------------------------------------------------
    def argument(self) -> Arg:
        tok = self.tok
        if tok.kind in (Kind.IDENT, Kind.STRING, Kind.NUMBER) and self.peek().kind is Kind.OP \
                and self.peek().text == ":":
            self.advance()
            self.advance()
            self.skip_only_newlines()
            name = tok.value if tok.kind is Kind.STRING else tok.text
            return Arg(name, self.expression(), tok.start)
        return Arg(None, self.expression(), tok.start)

    def expression(self, min_prec: int = 0) -> Node:
        if self.depth > MAX_NESTING:
            return self.skip_nested()
        self.depth += 1
        try:
            return self._expression(min_prec)
        finally:
            self.depth -= 1

    def _expression(self, min_prec: int) -> Node:
        left = self.postfix(self.primary())
        while True:
            tok = self.tok
            op = tok.text if tok.kind in (Kind.OP, Kind.IDENT) else None
            prec = _BINARY.get(op or "")
            if prec is None or prec < min_prec:
                return left
            self.advance()
            self.skip_only_newlines()
            if op == "?":
                middle = self.expression(0)
                if self.at(":"):
                    self.advance()
                    self.skip_only_newlines()
                right = self.expression(prec)
                left = Binary(left.start, right.end, "?", middle, right)
                continue
            right = self.expression(prec + 1)
            left = Binary(left.start, right.end, op or "", left, right)

    def primary(self) -> Node:
        if self.depth > MAX_NESTING:
            return self.skip_nested()
        self.depth += 1
        try:
            return self._primary()
        finally:
            self.depth -= 1

    def _primary(self) -> Node:
        tok = self.tok
        if tok.kind is Kind.STRING:
            self.advance()
            return Str(tok.start, tok.end, tok.value, tok.offsets, tok.interpolations, tok.quote)
        if tok.kind is Kind.NUMBER:
            self.advance()
            return Literal(tok.start, tok.end, tok.text)
        if tok.kind is Kind.IDENT:
            self.advance()
            if tok.text == "new" and self.tok.kind is Kind.IDENT:
                return self.primary()
            if self.at("("):
                call = Call(tok.start, tok.end, tok.text)
                call.args = self.call_args(self.advance())
                self.trailing_closure(call)
                return call
            if self.at("{"):
                call = Call(tok.start, tok.end, tok.text)
                self.trailing_closure(call)
                return call
            return Name(tok.start, tok.end, tok.text)
        if tok.kind is Kind.OP:
            if tok.text == "(":
                self.advance()
                self.skip_only_newlines()
                inner = self.expression()
                self.skip_only_newlines()
                self.expect(")", tok)
                return inner
            if tok.text == "[":
                return self.list_literal()
            if tok.text == "{":
                return self.closure()
            if tok.text in ("-", "!", "~", "+", "++", "--", "*"):
                self.advance()
                inner = self.primary()
                return Literal(tok.start, inner.end, tok.text)
        return Literal(tok.start, tok.start, "")

    def postfix(self, node: Node) -> Node:
        while True:
            tok = self.tok
            if tok.kind is Kind.NEWLINE:
                nxt = self.next_significant()
                if nxt.kind is Kind.OP and nxt.text in (".", "?.", "*."):
                    self.skip_only_newlines()
                    continue
                return node
            if tok.kind is Kind.OP and tok.text in (".", "?.", "*.", ".&"):
                self.advance()
                self.skip_only_newlines()
                name = self.tok
                if name.kind not in (Kind.IDENT, Kind.STRING):
                    return node
                self.advance()
                text = name.value if name.kind is Kind.STRING else name.text
                if self.at("(") or self.at("{"):
                    call = Call(node.start, name.end, text, target=node)
                    if self.at("("):
                        call.args = self.call_args(self.advance())
                    self.trailing_closure(call)
                    node = call
                else:
                    node = Prop(node.start, name.end, node, text)
                continue
            if tok.kind is Kind.OP and tok.text == "[":
                index = self.list_literal()
                node = Binary(node.start, index.end, "[]", node, index)
                continue
            return node

    def call_args(self, opened: Token) -> list[Arg]:
        args: list[Arg] = []
        self.skip_only_newlines()
        while not self.at(")") and self.tok.kind is not Kind.EOF:
            if self.at("}") or self.at("]"):
                break
            before = self.k
            args.append(self.argument())
            self.skip_only_newlines()
            if self.at(","):
                self.advance()
                self.skip_only_newlines()
            elif self.k == before:
                self.advance()
        self.expect(")", opened)
        return args

    def trailing_closure(self, call: Call) -> None:
        if self.at("{") or (self.tok.kind is Kind.NEWLINE and self.next_significant().text == "{"
                            and self.next_significant().kind is Kind.OP):
            self.skip_only_newlines()
            call.closure = self.closure()
        call.end = self.tokens[self.k - 1].end

    def list_literal(self) -> ListLit:
        opened = self.advance()
        lit = ListLit(opened.start, opened.end, [], [])
        self.skip_only_newlines()
        if self.at(":") and self.peek().text == "]":
            self.advance()
        while not self.at("]") and self.tok.kind is not Kind.EOF:
            if self.at(")") or self.at("}"):
                break
            before = self.k
            arg = self.argument()
            if arg.name is None:
                lit.items.append(arg.value)
            else:
                lit.entries.append(arg)
            self.skip_only_newlines()
            if self.at(","):
                self.advance()
                self.skip_only_newlines()
            elif self.k == before:
                self.advance()
        lit.end = self.expect("]", opened)
        return lit

    def closure(self) -> Closure:
        opened = self.advance()
        params: list[str] = []
        j = self.k
        names: list[str] = []
        while self.tokens[j].kind in (Kind.IDENT, Kind.NEWLINE) or self.tokens[j].text == ",":
            if self.tokens[j].kind is Kind.IDENT:
                names.append(self.tokens[j].text)
            j += 1
        if self.tokens[j].kind is Kind.OP and self.tokens[j].text == "->":
            params = [n for n in names if n not in _TYPE_WORDS]
            self.k = j + 1
        body = self.block("}")
        end = self.expect("}", opened)
        return Closure(opened.start, end, params, body)


def parse(source: str) -> Script:
    """Reads Groovy source into a tree; never raises."""
    lexed = tokenize(source)
    parser = _Parser(lexed.tokens, lexed.problems)
    body = parser.block(None)
    return Script(body, parser.problems)


def walk(nodes: list[Node]) -> Iterator[Node]:
    """Every node, depth first, including arguments, closures and operands."""
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        yield node
        children: list[Node] = []
        if isinstance(node, Call):
            if node.target is not None:
                children.append(node.target)
            children.extend(a.value for a in node.args)
            if node.closure is not None:
                children.append(node.closure)
        elif isinstance(node, (Closure, MethodDef)):
            children.extend(node.body)
        elif isinstance(node, ListLit):
            children.extend(node.items)
            children.extend(a.value for a in node.entries)
        elif isinstance(node, (Binary,)):
            children.extend((node.left, node.right))
        elif isinstance(node, Assign):
            children.extend((node.target, node.value))
        elif isinstance(node, Prop):
            children.append(node.target)
        stack.extend(reversed(children))
