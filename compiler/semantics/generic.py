"""The keys of a generic activity (`activity Type "Title" { Key: value }`) against the catalog:
which are properties of the type, which are the condition a branch or a loop carries, and
which are neither (W301, with the key it may have meant)."""

from __future__ import annotations

from typing import Literal

from compiler.catalog import ActivitySpec, Catalog
from compiler.catalog.statements import CATALOG, Option, Statement
from compiler.record import record
from compiler.semantics.model import DocumentBinding
from compiler.semantics.suggestions import did_you_mean
from compiler.syntax import ast

# The keys every node may hold besides its type's properties.
NODE_KEYS = ("Title",)

KeyKind = Literal["property", "condition", "node", "unknown"]


@record
class UnknownKey:
    message: str
    help: str


def key_kind(catalog: Catalog, spec: ActivitySpec, key: str) -> KeyKind:
    """What a key of a catalogued activity is. A condition is stored as a property named after
    its condition class (truecondition, propertyvariablecondition…), on the types that carry
    one (IfElseBranchActivity, WhileActivity: the catalog's `condition`). The class reads the
    first key that names a condition class and ignores the keys after it (InitializeFromArray,
    [ZW] bitrix/activities/bitrix/ifelsebranchactivity/ifelsebranchactivity.php)."""
    if key in spec.properties:
        return "property"
    if key in NODE_KEYS:
        return "node"
    if spec.condition != "none" and catalog.condition(key) is not None:
        return "condition"
    return "unknown"


def unknown_key(catalog: Catalog, spec: ActivitySpec, type_name: str, key: str) -> UnknownKey:
    """The W301 message and help for a key the type does not read."""
    message = f"{type_name} has no property '{key}'"
    if catalog.condition(key) is not None:
        carriers = sorted(t for t, a in catalog.activities.items() if a.condition != "none")
        return UnknownKey(message, f"'{key}' is a condition; only {', '.join(carriers)} carry "
                                   "one (write `if` or `while`)")
    known = [*spec.properties]
    if spec.condition != "none":
        known += list(catalog.conditions)
    hint = did_you_mean(key, known)
    return UnknownKey(message, hint or "Bitrix ignores unknown properties")


# ── statements of one activity (ast.ActionStmt) ───────────────────────────────────────────────


@record
class Problem:
    code: str
    message: str
    help: str


def offered(spec: ActivitySpec, document: DocumentBinding) -> bool:
    """Is the activity offered for the document? Its FILTER (the catalog's filter_include /
    filter_exclude) names modules ("crm") or module:entity pairs, as the designer tests them."""
    def matches(rule: str) -> bool:
        module, _, entity = rule.partition(":")
        return module == document.module and (not entity or entity == document.entity)

    if any(matches(rule) for rule in spec.filter_exclude):
        return False
    return not spec.filter_include or any(matches(rule) for rule in spec.filter_include)


def action_problems(catalog: Catalog, document: DocumentBinding, row: Statement,
                    stmt: ast.ActionStmt) -> list[Problem]:
    """What makes a statement of one activity wrong where it stands: an activity the designer
    does not offer for the workflow's document type (E400), an option whose property Bitrix
    requires and that stands for nothing when it is not written (E300)."""
    problems: list[Problem] = []
    spec = catalog.activity(row.activity)
    if spec is not None and document.known and not offered(spec, document):
        help = f"Bitrix offers it for {', '.join(spec.filter_include)}" if \
            spec.filter_include else f"Bitrix hides it for {', '.join(spec.filter_exclude)}"
        problems.append(Problem("E400", f"'{' '.join(row.head)}' ({row.activity}) is not "
                                        f"offered for {document.name}", help))
    given = {setting.key for setting in stmt.settings}
    if row.subject is not None and row.subject.document and \
            not isinstance(stmt.subject, ast.Number):
        problems.append(Problem("E303", f"'{' '.join(row.head)}' needs the id written as a "
                                        "number",
                                f"{row.activity} names it in a document type "
                                f"({row.subject.document}), made when compiling"))
    prefixed = [key for key, option in row.options.items() if option.prefixed and key in given]
    if prefixed and not isinstance(stmt.subject, ast.Number):
        problems.append(Problem("E303", f"'{' '.join(row.head)}' with '{prefixed[0]}' needs "
                                        "the type id written as a number",
                                f"{row.activity} stores each field as \"<type id>_<FIELD>\"; "
                                "the prefix is made when compiling"))
    for key, option in row.options.items():
        prop = spec.properties.get(option.properties[0]) if spec is not None else None
        if key in given or prop is None or not prop.required or option.absent != CATALOG or \
                prop.default not in (None, "", []):
            continue
        problems.append(Problem("E300", f"'{' '.join(row.head)}' needs the option '{key}': "
                                        f"Bitrix requires {row.activity}.{prop_name(option)}",
                                f"{key}: {option.summary}"))
    return problems


def prop_name(option: Option) -> str:
    return option.properties[0]


# Statements of one activity after which nothing of the workflow runs: CrmChangeDealCategory
# terminates every workflow of the deal once it has moved it ([AC] modules/crm/install/
# activities/bitrix/crmchangedealcategoryactivity/crmchangedealcategoryactivity.php).
_ENDING = ("pipeline",)


def ends_workflow(stmt: ast.Stmt) -> str | None:
    """The statement's words when it ends the workflow, else None."""
    if isinstance(stmt, ast.ActionStmt) and stmt.kind in _ENDING:
        return stmt.kind
    return None
