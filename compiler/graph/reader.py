"""Condition properties and texts of a template as .bpl reads them, for labels in diagrams.

The importer already turns `fieldcondition` / `propertyvariablecondition` / `mixedcondition`
/ `truecondition` back into .bpl conditions (and proves each by lowering it again); this
module only sets up its scope for one template and prints what it gives. What the importer
cannot express is shown shortened as stored, never guessed at.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from compiler.catalog import Catalog
from compiler.deploy.render import short
from compiler.format.expressions import ExpressionPrinter
from compiler.format.strings import Unprintable
from compiler.graph.source import Template
from compiler.importer.conditions import Conditions, condition_key
from compiler.importer.declarations import declare_all
from compiler.importer.document import from_triple
from compiler.importer.nodes import Node
from compiler.importer.report import Report
from compiler.importer.scope import Scope
from compiler.importer.tree import assign_labels, name_hints
from compiler.importer.values import Values
from compiler.syntax import ast

# Longest condition or text shown on one label before it is cut.
MAX_TEXT = 160


class Reader:
    def __init__(self, template: Template, catalog: Catalog) -> None:
        document = from_triple(catalog, template.document_type)
        root = Node(template.source.root, ())
        field_hints = name_hints(root)[0]
        self.scope = Scope(catalog, document.spec, document.user_groups, field_hints=field_hints)
        self.values = Values(self.scope, catalog.functions)
        declare_all(template.source, self.values, Report(template.workflow, template.workflow))
        # The .bpl labels first (`as head_vote`), then the importer's aN for the rest.
        types = {activity.name: activity.type for activity in template.activities()}
        for name, label in template.labels.items():
            self.scope.labels.setdefault(name, label)
            self.scope.label_types.setdefault(label, types.get(name, ""))
        assign_labels(root, self.scope, set())
        self.conditions = Conditions(self.values)
        self.printer = ExpressionPrinter()

    def condition(self, properties: Mapping[str, Any]) -> str | None:
        """The condition an IfElseBranch / While activity holds, or None without one."""
        key = condition_key(properties)
        if key is None:
            return None
        raw = properties[key]
        if key == "truecondition":
            return None  # always true: the branch's title says it all ("Otherwise")
        expr = self.conditions.expression(key, raw)
        printed = self._print(expr) if expr is not None else None
        return printed if printed is not None else f"{key} {short(raw, MAX_TEXT)}"

    def text(self, raw: Any) -> str:
        """A text property (a task's name, a message) with its tokens as .bpl references."""
        node = self.values.any_text(raw) if not isinstance(raw, list | dict) else None
        printed = self._print(node) if node is not None else None
        if printed is None:
            return short(raw, MAX_TEXT)
        if printed.startswith('"""'):
            printed = " ".join(line.strip() for line in printed[3:-3].strip().splitlines())
        elif printed.startswith('"') and printed.endswith('"'):
            printed = printed[1:-1].replace('\\"', '"')
        return _cut(printed)

    def value(self, raw: Any) -> str:
        """Any property value as a .bpl expression (a duration's amount, a date)."""
        printed = self._print(self.values.value(raw))
        return _cut(printed) if printed is not None else short(raw, MAX_TEXT)

    def _print(self, expr: ast.Expr) -> str | None:
        try:
            return self.printer.flat(expr)
        except Unprintable:
            return None


def _cut(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"
