"""The VS Code extension (editors/vscode): its TextMate grammar passes its assertion tests and
highlights every sample as the compiler reads it (vscode-tmgrammar-test from npm, which .ci/run
installs), its snippets are .bpl, its manifest points at files that exist, and its keywords are
those of the statement table."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from compiler.catalog.statements import HANDLERS, STATEMENTS
from compiler.diagnostics import Diagnostics
from compiler.lsp.scan import tokens
from compiler.semantics.walk import references
from compiler.source import SourceFile
from compiler.syntax import ast, parse_module

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "editors" / "vscode"
GRAMMAR = EXTENSION / "syntaxes" / "bpl.tmLanguage.json"
SAMPLES = sorted((ROOT / "samples").glob("*.bpl"))


def _tool(name: str) -> str | None:
    folder = os.environ.get("BPL_VSCODE_TOOLS")
    if folder:
        candidate = Path(folder) / "node_modules" / ".bin" / name
        return str(candidate) if candidate.exists() else None
    return shutil.which(name)


needs_tmgrammar = pytest.mark.skipif(
    _tool("vscode-tmgrammar-test") is None,
    reason="vscode-tmgrammar-test (npm) is not installed; .ci/run installs it and sets "
           "BPL_VSCODE_TOOLS")


@needs_tmgrammar
def test_the_grammar_passes_its_assertion_tests() -> None:
    done = subprocess.run([_tool("vscode-tmgrammar-test"), "-g", str(GRAMMAR),
                           str(EXTENSION / "test" / "*.test.bpl")],
                          capture_output=True, text=True, cwd=EXTENSION, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def _scopes(snap: str) -> dict[tuple[int, int], str]:
    """(line, column) 1-based → the scopes vscode-tmgrammar-snap gives the character there."""
    found: dict[tuple[int, int], str] = {}
    line = 0
    for row in snap.split("\n"):
        if row.startswith(">"):
            line += 1
        elif row.startswith("#"):
            match = re.match(r"#( *)(\^+) (.*)", row)
            if match:
                start = len(match.group(1)) + 1
                for column in range(start, start + len(match.group(2))):
                    found[(line, column)] = match.group(3)
    return found


@needs_tmgrammar
def test_every_sample_is_highlighted_as_the_compiler_reads_it(tmp_path: Path) -> None:
    for sample in SAMPLES:
        shutil.copy(sample, tmp_path / sample.name)
    done = subprocess.run([_tool("vscode-tmgrammar-snap"), "-u", "-g", str(GRAMMAR),
                           "-s", "source.bpl", str(tmp_path / "*.bpl")],
                          capture_output=True, text=True, cwd=EXTENSION, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    for sample in SAMPLES:
        source = SourceFile.from_text(sample.name, sample.read_text(encoding="utf-8"))
        scopes = _scopes((tmp_path / f"{sample.name}.snap").read_text(encoding="utf-8"))
        expected = {"comment": "comment.", "block": "comment.", "string": "string.",
                    "long": "string."}
        for token in tokens(source.text):
            if token.kind in expected:
                line, column = source.position(token.start)
                assert expected[token.kind] in scopes.get((line, column), ""), \
                    f"{sample.name}:{line}:{column} {token.text[:30]!r}"
        module = parse_module(source, Diagnostics())
        assert module is not None
        for ref in references(module):
            if len(ref.parts) > 1 and ref.span.line == ref.span.end_line:
                where = (ref.span.line, ref.span.column)
                assert "variable." in scopes.get(where, ""), f"{sample.name}:{where} {ref.dotted}"
        for node in _durations(module):
            # A negative duration's minus is an operator to the grammar; its digits are not.
            minus = source.text[source_offset(source, node)] == "-"
            where = (node.span.line, node.span.column + minus)
            assert "constant.numeric.duration" in scopes.get(where, ""), f"{sample.name}:{where}"


def source_offset(source: SourceFile, node: ast.Node) -> int:
    return sum(len(source.line_text(n)) + 1 for n in range(1, node.span.line)) + \
        node.span.column - 1


def _durations(root: object) -> list[ast.Duration]:
    found, stack = [], [root]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Duration):
            found.append(node)
        elif isinstance(node, tuple | list):
            stack.extend(node)
        elif isinstance(node, ast.Node | ast.StmtOpts):
            stack.extend(getattr(node, name) for name in node.__dataclass_fields__)
    return found


def _default(snippet: str) -> str:
    """A snippet as it is inserted with its defaults (the first choice of a choice)."""
    text = re.sub(r"\$\{\d+\|([^,|]*)[^}]*\|\}", r"\1", snippet)
    previous = None
    while previous != text:
        previous = text
        text = re.sub(r"\$\{\d+:((?:[^${}]|\\\})*)\}", lambda m: m.group(1), text)
    return re.sub(r"\$\d+", "", text).replace("\\}", "}")


TOP_LEVEL = ("workflow", "statemachine", "macro", "robot")


def test_every_snippet_is_bpl() -> None:
    snippets = json.loads((EXTENSION / "snippets" / "bpl.json").read_text(encoding="utf-8"))
    for name, snippet in snippets.items():
        body = _default("\n".join(snippet["body"]))
        prefix = snippet["prefix"]
        if prefix in TOP_LEVEL:
            text = body
        elif prefix == "state":
            text = f"statemachine s for crm.deal {{\n{body}\n}}"
        else:
            text = f"workflow w for crm.deal {{\n{body}\n}}"
        diagnostics = Diagnostics()
        parse_module(SourceFile.from_text(name, text), diagnostics)
        assert not diagnostics.items, f"{name}: {diagnostics.items[0].message}\n{text}"


def test_the_manifest_names_files_that_exist() -> None:
    manifest = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    contributes = manifest["contributes"]
    (grammar,) = contributes["grammars"]
    assert json.loads((EXTENSION / grammar["path"]).read_text())["scopeName"] == \
        grammar["scopeName"]
    (language,) = contributes["languages"]
    json.loads((EXTENSION / language["configuration"]).read_text())
    assert (EXTENSION / manifest["main"]).is_file()
    assert language["extensions"] == [".bpl"]


def test_the_grammar_knows_every_keyword_of_the_statement_table() -> None:
    grammar = GRAMMAR.read_text(encoding="utf-8")
    words = set(re.findall(r"[a-z_]+", " ".join(
        re.findall(r'\\\\b\(([a-z_| ]+)\)\\\\b', grammar))))
    keywords = {k for row in STATEMENTS.values() for k in row.words}
    keywords |= {k for handler in HANDLERS.values() for k in handler.head}
    assert keywords <= words, keywords - words
