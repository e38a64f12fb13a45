"""The Groovy reader: strings decode with exact offsets, calls and closures nest, errors never stop it."""

from __future__ import annotations

from kaniko_lsp.groovy.lexer import Kind, tokenize
from kaniko_lsp.groovy.tree import Call, Str, parse, walk


def strings(source: str) -> list:
    return [t for t in tokenize(source).tokens if t.kind is Kind.STRING]


def test_single_quoted_string_decodes_escapes_and_maps_each_character() -> None:
    source = "x = 'a\\'b\\nc'"
    (token,) = strings(source)
    assert token.value == "a'b\nc"
    assert [source[o] for o in token.offsets[:-1]] == ["a", "\\", "b", "\\", "c"]


def test_triple_double_quoted_gstring_keeps_interpolation_text_and_records_it() -> None:
    source = 'yaml """\n  image: ${IMAGE}\n  dir: $WORKSPACE/x\n  cost: \\$5"""'
    (token,) = strings(source)
    assert token.value == "\n  image: ${IMAGE}\n  dir: $WORKSPACE/x\n  cost: $5"
    assert [i.expression for i in token.interpolations] == ["IMAGE", "WORKSPACE"]


def test_single_quoted_strings_do_not_interpolate() -> None:
    (token,) = strings("sh '''echo ${HOME}'''")
    assert token.value == "echo ${HOME}"
    assert token.interpolations == []


def test_slashy_and_dollar_slashy_strings() -> None:
    assert [t.value for t in strings("a = /x\\/y/\nb = $/p$$q/$")] == ["x/y", "p$q"]


def test_comments_are_skipped_but_their_line_breaks_count() -> None:
    lexed = tokenize("// kaniko-lsp ignore=KL004\nfoo() /* inline */ // tail\n/* two\nlines */ bar\n")
    assert [t.text for t in lexed.tokens if t.kind is not Kind.EOF] == ["\n", "foo", "(", ")", "\n", "\n", "bar", "\n"]


def test_declarative_structure_with_named_and_command_arguments() -> None:
    source = (
        "pipeline {\n"
        "  agent { kubernetes { yaml '''kind: Pod'''\n defaultContainer 'kaniko' } }\n"
        "  stages { stage('b') { steps {\n"
        "    container(name: 'kaniko', shell: '/busybox/sh') {\n"
        "      writeFile file: 'Dockerfile', text: 'FROM x'\n"
        "      sh script: 'ls', returnStdout: true\n"
        "    } } } }\n"
        "}\n"
    )
    script = parse(source)
    assert script.problems == []
    calls = {n.name: n for n in walk(script.body) if isinstance(n, Call)}
    assert isinstance(calls["yaml"].arg(None, 0), Str)
    assert calls["container"].arg("shell").value == "/busybox/sh"
    assert calls["writeFile"].arg("text").value == "FROM x"
    assert calls["sh"].arg("script").value == "ls"
    assert calls["container"].closure is not None


def test_half_typed_file_still_yields_what_is_readable() -> None:
    source = "pipeline {\n  stages {\n    stage('x') {\n      steps {\n        sh 'echo hi'\n        container('ka"
    script = parse(source)
    names = [n.name for n in walk(script.body) if isinstance(n, Call)]
    assert "sh" in names
    assert script.problems, "the unterminated string and braces are reported"


def test_library_annotation_elvis_and_closure_parameters() -> None:
    source = "@Library('lib@main') _\ndef x = env.X ?: 'd'\n['a','b'].each { svc -> sh \"echo ${svc}\" }\n"
    script = parse(source)
    assert script.problems == []
    assert any(isinstance(n, Call) and n.name == "each" and n.closure and n.closure.params == ["svc"]
               for n in walk(script.body))


def test_binary_content_does_not_raise() -> None:
    parse("\x00\xff\ufffd{{{((( '''")


def test_method_chain_on_the_next_line_stays_attached() -> None:
    script = parse("yaml '''\n  kind: Pod\n'''\n  .stripIndent()\nsh 'ls'\n")
    assert script.problems == []
    first = script.body[0]
    assert isinstance(first, Call) and first.name == "yaml"
    assert isinstance(first.arg(None, 0), Call) and first.arg(None, 0).name == "stripIndent"
