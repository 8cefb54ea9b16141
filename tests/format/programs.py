"""Hypothesis strategies for .bpl programs written by hand: token lists joined with arbitrary
whitespace and comments, and existing files with their whitespace rewritten.

Programs are built as tokens so that spacing can vary without touching the tokens themselves
(strings keep their exact text; `and wait` is one token with one space).
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted([*ROOT.glob("samples/**/*.bpl"), *ROOT.glob("tests/fixtures/compile/*.bpl")])

# What may stand between two tokens. A line comment must be followed by a line break.
SEPARATORS = [" ", " ", " ", "  ", "\n", "\n    ", "\n\n", "\t", " /* c */ ", " // c\n",
              "\n/* block\n   comment */\n"]

_LEX = re.compile(
    r'(?P<string>"""(?:[^"\\]|\\[\s\S]|"(?!""))*"""|"(?:[^"\\\n]|\\.)*")'
    r"|(?P<comment>//[^\n]*|/\*[\s\S]*?\*/)"
    r"|(?P<space>[ \t\n]+)"
    r"|(?P<other>and wait\b|[^\s\"/]+|/)"
)


def split(text: str) -> list[tuple[str, str]]:
    """(kind, text) pieces of a source file: string, comment, space or other."""
    pieces = []
    for match in _LEX.finditer(text):
        kind = match.lastgroup
        assert kind is not None
        pieces.append((kind, match.group()))
    assert "".join(p for _, p in pieces) == text
    return pieces


def without_comments(text: str) -> str:
    out = []
    for kind, piece in split(text):
        if kind == "comment":
            out.append("\n" if piece.startswith("//") else " ")
        else:
            out.append(piece)
    return "".join(out)


@st.composite
def respaced(draw: st.DrawFn, text: str, *, comments: bool = True) -> str:
    """`text` with every whitespace run replaced (and, with `comments`, some comments added)."""
    choices = SEPARATORS if comments else [" ", "  ", "\n", "\n    ", "\t"]
    out = []
    for kind, piece in split(text):
        if kind == "space":
            replacement = draw(st.sampled_from(choices))
            if out and out[-1].startswith("//") and "\n" not in replacement:
                replacement += "\n"
            out.append(replacement)
        else:
            out.append(piece)
    return "".join(out)


# ── generated programs ─────────────────────────────────────────────────────────────────────

NUMBERS = st.sampled_from(["0", "1", "7", "100000", "2.5", "0.75"])
PLAIN_TEXT = st.text(alphabet="abc XYZ_.,:!?-'é\\\"{}\n\t", max_size=12)


def _escape(text: str) -> str:
    table = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "{": "\\{", "}": "\\}"}
    return "".join(table.get(ch, ch) for ch in text)


@st.composite
def string_literal(draw: st.DrawFn) -> list[str]:
    parts = ["x"]
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["text", "ref", "raw", "call"]))
        if kind == "text":
            parts.append(_escape(draw(PLAIN_TEXT)))
        elif kind == "ref":
            parts.append("{" + draw(st.sampled_from(
                ["doc.TITLE", "var.n", "param.p | printable", "doc.ASSIGNED_BY_ID | printable"]))
                + "}")
        elif kind == "raw":
            parts.append(draw(st.sampled_from(["{=Document:ID}", "{{=2 + 2}}"])))
        else:
            parts.append('{strtoupper(\\"a b\\")}')
    return ['"' + "".join(parts) + '"']


@st.composite
def expression(draw: st.DrawFn, depth: int = 0) -> list[str]:
    """A numeric/text expression as tokens, with optional redundant parentheses."""
    leaves = st.one_of(
        NUMBERS.map(lambda n: [n]),
        st.sampled_from(["var.n", "param.p", "doc.OPPORTUNITY"]).map(lambda r: [r]),
    )
    if depth >= 3:
        tokens = draw(leaves)
    else:
        kind = draw(st.sampled_from(["leaf", "binary", "unary", "call", "percent", "paren"]))
        if kind == "leaf":
            tokens = draw(leaves)
        elif kind == "binary":
            op = draw(st.sampled_from(["+", "-", "*", "/", "^"]))
            tokens = [*draw(expression(depth + 1)), op, *draw(expression(depth + 1))]
        elif kind == "unary":
            tokens = ["-", "(", *draw(expression(depth + 1)), ")"]
        elif kind == "call":
            name = draw(st.sampled_from(["abs", "round", "max"]))
            tokens = [name, "(", *draw(expression(depth + 1)), ")"]
        elif kind == "percent":
            tokens = ["(", *draw(expression(depth + 1)), ")", "%"]
        else:
            tokens = ["(", *draw(expression(depth + 1)), ")"]
    return tokens


@st.composite
def condition(draw: st.DrawFn, depth: int = 0) -> list[str]:
    atom = draw(st.sampled_from([
        ["doc.OPPORTUNITY", ">", "100"], ["var.n", "==", "1"], ["doc.TITLE", "is", "empty"],
        ["doc.TITLE", "is", "not", "empty"], ["var.n", "between", "1", "and", "5"],
        ["doc.SOURCE_ID", "in", "[", '"WEB"', ",", '"CALL"', "]"], ["var.flag"],
        ["doc.TITLE", "contains", '"x"'], ["param.p", "!=", "2"], ["doc.TITLE", "changed"],
    ]))
    if depth >= 2:
        return atom
    kind = draw(st.sampled_from(["atom", "and", "or", "not", "paren"]))
    if kind == "atom":
        return atom
    if kind == "not":
        return ["not", "(", *draw(condition(depth + 1)), ")"]
    if kind == "paren":
        return ["(", *draw(condition(depth + 1)), ")"]
    return [*draw(condition(depth + 1)), kind, *draw(condition(depth + 1))]


@st.composite
def statement(draw: st.DrawFn, depth: int = 0) -> list[str]:
    opts = draw(st.sampled_from([[], ["title", '"T"'], ["disabled"], ["comment", '"c"'],
                                 ["title", '"T"', "disabled"]]))
    simple = [
        lambda: ["log", *draw(string_literal()), *opts],
        lambda: ["var.n", "=", *draw(expression()), *opts],
        lambda: ["set", "doc.COMMENTS", "=", *draw(string_literal()), *opts],
        lambda: ["set", "{", "doc.TITLE", "=", '"x"', ",", "doc.COMMENTS", "=", '"y"', "}",
                 *opts],
        lambda: ["wait", draw(st.sampled_from(["3d", "2h", "10m"])), *opts],
        lambda: ["wait", "for", "var.n", "days", *opts],
        lambda: ["status", *draw(string_literal()), *opts],
        lambda: ["notify", "doc.ASSIGNED_BY_ID", *draw(string_literal()), *opts],
        lambda: ["notify", "[", "user", "(", "1", ")", ",", "role.author", "]", '"hi"',
                 "from", "user", "(", "2", ")", *opts],
        lambda: ["terminate", '"done"', *opts],
        lambda: ["stage", '"WON"', *opts],
        lambda: ["assign", "user", "(", "3", ")", "queue", *opts],
        lambda: ["webhook", '"https://hook.example.com/x"', *opts],
        lambda: ["create", "crm.deal", "{", "TITLE", ":", '"n"', ",", "OPPORTUNITY", ":",
                 "5", "}", *opts],
        lambda: ["start", "and wait", "workflow", "12", "for", "doc.ID", "with", "{", "p",
                 ":", "1", "}", *opts],
        lambda: ["activity", "LogActivity", '"Generic"', "{", "Text", ":", '"t"', ",",
                 "SetVariable", ":", "true", "}", *opts],
        lambda: ["task", '"Do it"', *opts, "{", "responsible", "user", "(", "1", ")",
                 "priority", "high", "deadline", "dateadd", "(", "system.now", ",", "3d", ")",
                 "}"],
        lambda: ["review", '"Look"', "by", "user", "(", "1", ")", *opts],
        lambda: ["ask", '"Why?"', "by", "user", "(", "1", ")", *opts, "{", "field",
                 "var.answer", '"Answer"', "required", "button", '"Send"', "}"],
    ]
    if depth < 2:
        body = draw(block(depth + 1))
        simple += [
            lambda: ["if", *draw(condition()), *opts, "{", *body, "}",
                     *draw(st.sampled_from([[], ["else", "{", "log", '"e"', "}"],
                                            ["else", "if", "var.n", ">", "2", "{", "}"]]))],
            lambda: ["while", "var.n", "<", "3", *opts, "{", "var.n", "=", "var.n", "+",
                     "1", *body, "}"],
            lambda: ["for", "each", "k", ",", "v", "in", "var.list", *opts, "{",
                     "log", '"{v}"', *body, "}"],
            lambda: ["parallel", *opts, "{", "branch", "{", *body, "}", "branch", "title",
                     '"B"', "{", "log", '"b"', "}", "}"],
            lambda: ["approve", '"A"', "by", "user", "(", "1", ")", *opts, "{", "vote", "60",
                     "timeout", ":", "2d", "}", "approved", "{", *body, "}", "rejected", "{",
                     "}"],
            lambda: ["activity", "SequenceActivity", '"S"', "{", "}", *opts, "do", "{", *body,
                     "}"],
        ]
    return draw(st.sampled_from(simple))()


@st.composite
def block(draw: st.DrawFn, depth: int = 0) -> list[str]:
    out: list[str] = []
    for _ in range(draw(st.integers(0 if depth else 1, 3))):
        out += draw(statement(depth))
    return out


HEADERS = [
    ["title", '"Generated"'], ["description", '"D"'], ["autostart", "create", ",", "edit"],
    ["param", "p", ":", "int", "=", "2", "required", '"P"', '"the p"'],
    ["var", "n", ":", "int", "=", "0"], ["var", "flag", ":", "bool", "=", "false"],
    ["var", "answer", ":", "string"], ["var", "list", ":", "string", "[]", "=", "[", '"a"',
                                       ",", '"b"', "]"],
    ["const", "who", ":", "user", "=", "user", "(", "5", ")", '"Who"'],
    ["field", "extra", ":", "text", "=", '"UF_CRM_9"', '"Extra"'],
]


@st.composite
def program(draw: st.DrawFn) -> str:
    headers = draw(st.permutations(HEADERS))
    tokens = ["workflow", "generated", "for", "crm.deal", "{"]
    for header in headers:
        tokens += header
    tokens += draw(block())
    tokens.append("}")
    out = []
    for index, token in enumerate(tokens):
        if index:
            separator = draw(st.sampled_from(SEPARATORS))
            out.append(separator)
        out.append(token)
    return "".join(out) + "\n"
