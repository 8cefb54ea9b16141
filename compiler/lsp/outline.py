"""Document symbols (the outline: workflows, states, declarations, labels, macros, robots) from
the syntax tree, and folding ranges from the text's blocks and comments (they need no parse)."""

from __future__ import annotations

from lsprotocol import types as lsp

from compiler.lsp.positions import Text
from compiler.lsp.scan import tokens
from compiler.semantics.walk import walk_statements, workflow_bodies
from compiler.source import Span
from compiler.syntax import ast

S = lsp.SymbolKind
_DECL_KINDS = {"param": S.Property, "var": S.Variable, "const": S.Constant}


def document_symbols(module: ast.Module, text: Text) -> list[lsp.DocumentSymbol]:
    symbols = []
    for item in module.items:
        if isinstance(item, ast.Workflow):
            symbols.append(_workflow(item, text))
        elif isinstance(item, ast.MacroDecl):
            symbols.append(_symbol(text, item.name, S.Function, item.span, item.name_span,
                                   f"macro({', '.join(item.params)})"))
        elif isinstance(item, ast.RobotDecl):
            children = [_symbol(text, io.name, S.Field, io.span, io.name_span, io.kind)
                        for io in (*item.inputs, *item.outputs)]
            symbols.append(_symbol(text, item.code, S.Interface, item.span, item.code_span,
                                   f"{item.kind} “{item.name.plain}”", children))
        elif isinstance(item, ast.Import):
            symbols.append(_symbol(text, item.path, S.File, item.span, item.span, "import"))
    return symbols


def _workflow(wf: ast.Workflow, text: Text) -> lsp.DocumentSymbol:
    children = [_symbol(text, d.name, _DECL_KINDS[d.kind], d.span, d.name_span, d.kind)
                for d in wf.decls]
    children += [_symbol(text, f.name, S.Field, f.span, f.name_span, "field") for f in wf.fields]
    for state in wf.states:
        handlers = [_symbol(text, h.command or h.kind, S.Event, h.span, h.span, h.kind)
                    for h in state.handlers]
        children.append(_symbol(text, state.name, S.Enum, state.span, state.name_span,
                                "state" + (" (initial)" if state.initial else ""), handlers))
    for body in workflow_bodies(wf):
        for stmt in walk_statements(body):
            if stmt.opts.label is not None and stmt.opts.label_span is not None:
                children.append(_symbol(text, stmt.opts.label, S.Object, stmt.span,
                                        stmt.opts.label_span, "label"))
    detail = f"{wf.kind} for {_written(text, wf.document.span)}"
    return _symbol(text, wf.name, S.Class, wf.span, wf.name_span, detail, children)


def _symbol(text: Text, name: str, kind: lsp.SymbolKind, span: Span, selection: Span,
            detail: str, children: list[lsp.DocumentSymbol] | None = None) -> lsp.DocumentSymbol:
    whole = text.range(span)
    chosen = text.range(selection)
    if (chosen.start.line, chosen.start.character) < (whole.start.line, whole.start.character):
        chosen = lsp.Range(whole.start, whole.start)  # the selection must lie in the range
    return lsp.DocumentSymbol(name=name or "?", kind=kind, range=whole, selection_range=chosen,
                              detail=detail, children=children or None)


def _written(text: Text, span: Span) -> str:
    return text.text[text.offset_of(span.line, span.column):
                     text.offset_of(span.end_line, span.end_column)]


def folding_ranges(text: Text) -> list[lsp.FoldingRange]:
    """Blocks over several lines, block comments, runs of line comments and of imports."""
    ranges: list[lsp.FoldingRange] = []
    stack: list[int] = []
    source = text.source
    comment_run: list[int] = []

    def close_comments() -> None:
        if len(comment_run) > 1:
            ranges.append(lsp.FoldingRange(comment_run[0] - 1, comment_run[-1] - 1,
                                           kind=lsp.FoldingRangeKind.Comment))
        comment_run.clear()

    for token in tokens(text.text):
        line = source.position(token.start)[0]
        if token.kind == "comment":
            if comment_run and line != comment_run[-1] + 1:
                close_comments()
            comment_run.append(line)
            continue
        close_comments()
        if token.kind in ("block", "open_block", "long"):
            end_line = source.position(token.end)[0]
            if end_line > line:
                kind = lsp.FoldingRangeKind.Comment if token.kind != "long" \
                    else lsp.FoldingRangeKind.Region
                ranges.append(lsp.FoldingRange(line - 1, end_line - 1, kind=kind))
        elif token.text == "{":
            stack.append(line)
        elif token.text == "}" and stack:
            start = stack.pop()
            if line - 1 > start:
                ranges.append(lsp.FoldingRange(start - 1, line - 2))
    close_comments()
    imports = [i + 1 for i, content in enumerate(text.text.split("\n"))
               if content.startswith("import ")]
    if len(imports) > 1 and imports[-1] - imports[0] == len(imports) - 1:
        ranges.append(lsp.FoldingRange(imports[0] - 1, imports[-1] - 1,
                                       kind=lsp.FoldingRangeKind.Imports))
    return sorted(ranges, key=lambda r: (r.start_line, r.end_line))
