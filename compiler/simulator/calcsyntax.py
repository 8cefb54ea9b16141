"""How Bitrix's calc parser reads a formula: tokens and reverse Polish notation.

Bitrix\\Bizproc\\Calc\\Parser::getPolishNotation (bizproc/lib/Calc/Parser.php) turns the text
into reverse Polish notation with an operator stack; Parser::calculate then runs it on a
value stack (compiler.simulator.formulas). The outcome of odd input depends on both steps:

- Priorities, low to high: `( ) @ ;` then comparison `= < > <= >= <>` (3) < `&` (4) <
  `+ -` (5) < `* /` (6) < `^` (7) < postfix `%` (8) < unary `+ -` (9) < functions (12).
  Every binary operator is left-associative: `2 ^ 3 ^ 2` is 64.
- `+`/`-` is unary only at the start or after `( ; = <= >= <> < > & + - * / ^`, not after
  another unary sign: `--5` is `(-null) - 5`, that is -5.
- `,` is `;`; a `;` outside a function makes a list: `1; 2` is [1, 2]. `@` wraps a group
  into a list; it stays only for a list or for a call with arguments.
- A number token is `[0-9.]+` read with (float); one that neither starts with "0" nor
  has a leading integer (`.5`) is read as a variable name, which is null.
- The text is empty (an error) when it is "" or "0" after the leading `=` / `{{=…}}`.

`problems` reports what makes Bitrix compute something other than the text suggests; the
checker warns about it (W305) in formulas a .bpl file carries verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from compiler.php.values import php_trim, to_float
from compiler.simulator.expressions import TOKEN_PLAIN, FormulaError

# Parser.php's token pattern, alternative by alternative; PCRE's \s, \d and \w are ASCII.
_TOKEN = re.compile(
    r"""\s*\(\s* | \s*\)\s* | \s*,\s* | \s*;\s* | \s*=\s* | \s*<=\s* | \s*>=\s* | \s*<>\s*
    | \s*<\s* | \s*>\s* | \s*&\s* | \s*\+\s* | \s*-\s* | \s*\*\s* | \s*/\s* | \s*\^\s*
    | \s*%\s* | \s*[\d.]+\s* | \s*'[^']*'\s* | \s*"[^"]*"\s*
    | (?P<func>\s*\w+\s*\(\s*)
    | \s*""" + TOKEN_PLAIN + r"""\s*
    | (?P<error>.+)""",
    re.VERBOSE | re.IGNORECASE | re.ASCII,
)
PRIORITY = {"(": 0, ")": 1, "@": 2, ";": 2, "=": 3, "<": 3, ">": 3, "<=": 3, ">=": 3,
            "<>": 3, "&": 4, "+": 5, "-": 5, "*": 6, "/": 6, "^": 7, "%": 8, "-m": 9,
            "+m": 9, "f": 12}
_OPERATORS = frozenset(PRIORITY) - {"(", ")", "@", "f"}
_BEFORE_UNARY = frozenset({"", "(", ";", "=", "<=", ">=", "<>", "<", ">", "&", "+", "-", "*",
                           "/", "^"})
UNARY = frozenset({"+m", "-m", "%"})

Step = tuple[str, Any]  # ("op" | "var" | "const", value)
# Function name → whether the parser hands it an argument list ('args' => true).
Functions = Mapping[str, bool]


def strip_markers(text: str) -> str:
    """getPolishNotation: trim, drop one leading `=`, then a wrapping `{{=` … `}}`."""
    text = php_trim(text)
    if text.startswith("="):
        text = text[1:]
    if text.startswith("{{=") and text.endswith("}}"):
        text = text[3:-2]
    return text


class _Builder:
    def __init__(self, functions: Functions):
        self.functions = functions
        self.out: list[Step] = []
        self.stack: list[tuple[str, int]] = []  # operator, priority; the top is the end
        self.top_level_list = False

    def build(self, source: str) -> list[Step]:
        text = strip_markers(source)
        if text in ("", "0"):
            raise FormulaError("Empty")
        previous = ""
        while text:
            match = _TOKEN.search(text)
            if match is None:
                break
            if match.group("error") is not None:
                raise FormulaError(f'Syntax error "{match.group("error")}"')
            previous = self.token(match, previous)
            text = text[len(match.group(0)):]
        while self.stack:
            operator = self.stack.pop()[0]
            if operator == "(":
                raise FormulaError('Unmatched opening bracket "("')
            self.out.append(("op", operator))
        if not self.out:
            raise FormulaError("Empty")
        return self.out

    def token(self, match: re.Match[str], previous: str) -> str:
        token = php_trim(match.group(0))
        if token == ",":
            token = ";"
        if match.group("func"):
            name = token.lower().split("(")[0].strip()
            if name not in self.functions:
                raise FormulaError(f'Unknown function "{name}"')
            while self.stack and PRIORITY["f"] <= self.stack[-1][1]:
                self.out.append(("op", self.stack.pop()[0]))
            self.stack.append((name, PRIORITY["f"]))
            token = "("
        if token in ("-", "+") and previous in _BEFORE_UNARY:
            token += "m"
        if token == "(":
            self.stack.append(("(", 0))
            self.stack.append(("@", 2))
        elif token == ")":
            self.close_bracket(previous)
        elif token in _OPERATORS:
            self.push_operator(token)
        elif token.startswith("0") or _leading_int(token):
            self.out.append(("const", to_float(token)))
        elif token[:1] in ("'", '"'):
            self.out.append(("const", token[1:-1]))
        else:
            self.out.append(("var", token))
        return token

    def push_operator(self, token: str) -> None:
        if token == ";" and not any(op == "(" for op, _ in self.stack):
            self.top_level_list = True
        if not self.stack:
            self.stack.append((token, PRIORITY[token]))
            if token == ";":
                self.out.append(("op", "@"))
            return
        while self.stack and PRIORITY[token] <= self.stack[-1][1]:
            self.out.append(("op", self.stack.pop()[0]))
        self.stack.append((token, PRIORITY[token]))

    def close_bracket(self, previous: str) -> None:
        has_comma = False
        has_arguments = previous != "("
        if previous == ";":
            self.stack.pop()  # a trailing comma
        while self.stack:
            operator = self.stack.pop()[0]
            if operator == "(":
                return
            if operator == ";":
                has_comma = True
            in_function = len(self.stack) >= 2 and self.stack[-1][0] == "(" and \
                self.stack[-2][0] in self.functions
            if operator == "@" and ((not has_comma and not in_function)
                                    or (not has_arguments and in_function)):
                continue
            self.out.append(("op", operator))
        raise FormulaError('Unmatched closing bracket ")"')


def _leading_int(token: str) -> bool:
    # Whether PHP's (int)$token is not 0: its leading digits hold one that is not 0 (PHP
    # saturates a longer number, and Python refuses int() of more than 4,300 digits).
    match = re.match(r"\d+", token)
    return bool(match and match.group(0).strip("0"))


def notation(text: str, functions: Functions) -> list[Step]:
    """The reverse Polish notation of a formula; FormulaError where Bitrix reports one."""
    return _Builder(functions).build(text)


def problems(text: str, functions: Functions) -> list[str]:
    """What makes Bitrix read the formula other than as written: a refusal (the text is
    kept), a missing operand (null takes its place), operands without an operator (the
    result is null), or a list made by a `;` or `,` outside any call."""
    builder = _Builder(functions)
    try:
        steps = builder.build(text)
    except FormulaError as error:
        return [f"Bitrix cannot read it ({error}) and keeps the text as it is"]
    found: list[str] = []
    depth = 0
    for kind, value in steps:
        if kind != "op":
            depth += 1
            continue
        wanted = 0 if value in functions and not functions[value] else \
            1 if value in UNARY or value == "@" or value in functions else 2
        if depth < wanted and "missing" not in found:
            found.append("missing")
        depth = max(depth - wanted, 0) + 1
    messages = []
    if "missing" in found:
        messages.append("an operator lacks an operand; Bitrix uses null in its place "
                        "(`1 +` is 1, `* 2` is 0)")
    if depth > 1:
        messages.append("operands follow each other without an operator; Bitrix's result is "
                        "null and the text is kept")
    if builder.top_level_list:
        messages.append("a `;` or `,` outside a function call makes a list (`1; 2` is [1, 2])")
    return messages
