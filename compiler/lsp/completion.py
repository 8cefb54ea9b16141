"""Completion: what may be written at the cursor, read from the text before it.

The context comes from the text, not the parse, so completion works in the half-typed line that
does not parse yet: after `doc.` the fields of the workflow's document, after `param.`/`var.`/
`const.` its declarations, after `env.` the project's env symbols, after a label its results,
after `|` the modifiers, after `activity` the catalogued types, in an option block the options
of its statement (from the statement table), at the start of a statement the statements, macros
and robots. The names of the workflow are the last check's (analysis.py), joined with the
declarations and labels written since, found in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from lsprotocol import types as lsp

from compiler.catalog import Catalog
from compiler.catalog.statements import HANDLERS, ROBOT_OPTIONS, STATEMENTS, Option, settings
from compiler.lsp.analysis import Analysis
from compiler.lsp.scan import inside_string_or_comment, open_blocks
from compiler.semantics.builtins import ROLES, SYSTEM_FIELDS, WORKFLOW_FIELDS
from compiler.semantics.model import CheckedWorkflow
from compiler.semantics.types import BASE_TYPES

K = lsp.CompletionItemKind

# Words of the grammar (grammar/bpl.lark) completion offers outside the statement table: the
# headers of a workflow, what a file and a statemachine hold, the options every statement takes
# after its head (tests/lsp checks each is a keyword of the grammar).
HEADERS = ("title", "root", "description", "autostart", "permission", "param", "var", "const",
           "field")
ITEMS = ("workflow", "statemachine", "macro", "robot", "action", "import")
STATEMENT_OPTIONS = ("title", "disabled", "as", "comment")
ROBOT_ITEMS = ("input", "output")
TYPE_CALLS = ("select", "internalselect", "type")
VALUES = ("true", "false")
REFERENCE_HEADS = ("doc", "param", "var", "const", "env", "role", "system", "workflow", "user",
                   "global")
# Statements that take an option block, by the words that start them (`add item` and
# `add element` are told apart by their second word).
_OPTION_OWNERS = {" ".join(row.head): row.kind for row in STATEMENTS.values()
                  if row.options and row.head}


def _option_owner(head: str) -> str | None:
    """The statement kind whose option block a head opens."""
    words = head.split()
    return _OPTION_OWNERS.get(" ".join(words[:2])) or _OPTION_OWNERS.get(" ".join(words[:1]))

_NAME = r"[A-Za-z_]\w*"
_WORKFLOW_HEAD = re.compile(rf"^[ \t]*(?:workflow|statemachine)[ \t]+({_NAME})[ \t]+for[ \t]+"
                            rf"([^{{\n]*)", re.MULTILINE)
_DECL = re.compile(rf"\b(param|var|const)[ \t]+({_NAME})[ \t]*:[ \t]*([\w\[\]]+)?")
_FIELD = re.compile(rf"\bfield[ \t]+({_NAME})[ \t]*:[ \t]*([\w\[\]]+)?")
_LABEL = re.compile(rf"\bas[ \t]+({_NAME})")
_LOOP = re.compile(rf"\bfor[ \t]+each[ \t]+({_NAME})(?:[ \t]*,[ \t]*({_NAME}))?")
_STATE = re.compile(rf"^[ \t]*state[ \t]+({_NAME})", re.MULTILINE)
_MACRO = re.compile(rf"^[ \t]*macro[ \t]+({_NAME})", re.MULTILINE)
_ROBOT = re.compile(rf"^[ \t]*(?:robot|action)[ \t]+({_NAME})", re.MULTILINE)


@dataclass
class Scope:
    """The names of the workflow at the cursor: the last check's, and those in its text."""

    document: str = ""
    fields: dict[str, tuple[str, str]] = field(default_factory=dict)  # name → (type, label)
    user_groups: tuple[str, ...] = ()
    decls: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # name → kind, type, label
    labels: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    loops: dict[str, bool] = field(default_factory=dict)  # item name → is the key
    states: list[str] = field(default_factory=list)
    macros: dict[str, str] = field(default_factory=dict)  # name → parameters
    robots: dict[str, list[str]] = field(default_factory=dict)  # code → input names
    env: dict[str, dict[str, object]] = field(default_factory=dict)  # env → values


class Completer:
    def __init__(self, text: str, offset: int, analysis: Analysis | None,
                 catalog: Catalog) -> None:
        self.text = text
        self.offset = offset
        self.analysis = analysis
        self.catalog = catalog
        self.scope = self._scope()

    # ── the context ──────────────────────────────────────────────────────────────────────
    def items(self) -> list[lsp.CompletionItem]:
        prefix = self._prefix()
        if prefix is None:
            return []
        for context in (self._dotted, self._after_word, self._in_block):
            found = context(prefix)
            if found is not None:
                return found
        return self._expression(prefix)

    def _prefix(self) -> str | None:
        """The text of the cursor's line before it, or of the interpolation it is in; None in a
        comment or in a string's text."""
        token = inside_string_or_comment(self.text, self.offset)
        if token is None:
            start = self.text.rfind("\n", 0, self.offset) + 1
            return self.text[start:self.offset]
        if token.kind not in ("string", "long", "open_string", "open_long"):
            return None
        inside = self.text[token.start:self.offset]
        opened = _open_interpolation(inside)
        return inside[opened + 1:] if opened is not None else None

    def _dotted(self, prefix: str) -> list[lsp.CompletionItem] | None:
        match = re.search(rf"(?<![\w.])({_NAME}(?:\.{_NAME})*)\.(\w*)$", prefix)
        if match is None:
            return None
        path = match.group(1).split(".")
        head, rest = path[0], path[1:]
        scope = self.scope
        if head == "doc":
            return self._fields(rest)
        if head in ("param", "var", "const") and not rest:
            items = [_item(name, K.Variable, f"{kind} {name}: {typ}", label)
                     for name, (kind, typ, label) in scope.decls.items() if kind == head]
            if head == "param":
                items.append(_item("TargetUser", K.Variable, "param TargetUser: user",
                                   "the user who started the workflow"))
            return items
        if head == "env" and not rest:
            return self._env_items()
        if head == "role" and not rest:
            return [_item(r, K.EnumMember, "role", "") for r in
                    dict.fromkeys((*ROLES, *scope.user_groups))]
        if head == "system" and not rest:
            return [_item(n, K.Constant, str(t), f"{{=System:{f}}}")
                    for n, (f, t) in SYSTEM_FIELDS.items()]
        if head == "workflow" and not rest:
            return [_item(n, K.Constant, str(t), f"{{=Workflow:{f}}}")
                    for n, (f, t) in WORKFLOW_FIELDS.items()]
        if head == "user" and not rest:
            return [_item("current", K.Constant, "user", "{=User:ID}")]
        if head == "global":
            return [_item(w, K.Module, "global", "") for w in ("var", "const")] if not rest \
                else []
        if head in scope.labels and not rest:
            activity, returns = scope.labels[head]
            return [_item(name, K.Field, typ, f"result of {activity}")
                    for name, typ in returns.items()]
        if head in scope.loops and not rest:
            return [_item(w, K.Field, "loop item", "") for w in ("key", "value")]
        return []

    def _fields(self, rest: list[str]) -> list[lsp.CompletionItem]:
        spec = self.catalog.document(self.scope.document) if self.scope.document else None
        if rest:
            target = spec.references.get(".".join(rest) + ".") if spec else None
            referenced = self.catalog.document(target) if target else None
            if referenced is None:
                return []
            return [_item(code, K.Field, f.type, f"{f.name} (read-only)")
                    for code, f in referenced.fields.items()]
        items = [_item(name, K.Field, typ, label)
                 for name, (typ, label) in self.scope.fields.items()]
        if spec is not None:
            items += [_item(prefix.rstrip("."), K.Module, f"→ {target}", "fields of the "
                            f"referenced {target}") for prefix, target in spec.references.items()]
        return items

    def _env_items(self) -> list[lsp.CompletionItem]:
        names: dict[str, list[str]] = {}
        for env, values in self.scope.env.items():
            for name, value in values.items():
                names.setdefault(name, []).append(f"{env}: {value!r}")
        return [_item(name, K.Constant, "env", "\n".join(values))
                for name, values in names.items() if name != "app_client_id"]

    def _after_word(self, prefix: str) -> list[lsp.CompletionItem] | None:
        if re.search(r"\|\s*\w*$", prefix):
            return [_item(name, K.Function, spec.kind, spec.summary)
                    for name, spec in self.catalog.modifiers.items()]
        if re.search(r"(?:^|\s)activity\s+\w*$", prefix):
            return [_item(name, K.Class, spec.title, spec.summary)
                    for name, spec in self.catalog.activities.items()]
        if re.search(rf"^\s*(?:workflow|statemachine)\s+{_NAME}\s+for\s+[\w.]*$", prefix):
            return self._documents()
        if re.search(r"\bgoto\s+\w*$", prefix):
            return [_item(s, K.EnumMember, "state", "") for s in self.scope.states]
        if re.search(rf"\b(?:param|var|const|field|input|output)\s+{_NAME}\s*:\s*\w*$", prefix):
            return [_item(t, K.TypeParameter, "type", "") for t in (*BASE_TYPES, *TYPE_CALLS)
                    if t not in ("select", "internalselect")] + \
                [_item(t, K.TypeParameter, "type", "") for t in TYPE_CALLS]
        return None

    def _documents(self) -> list[lsp.CompletionItem]:
        items = []
        for name in self.catalog.documents:
            spec = self.catalog.document(name)
            if spec is None:
                continue
            item = _item(name, K.Module, spec.title, f"DOCUMENT_TYPE {spec.document_type}")
            if spec.parameter:
                item.insert_text = f"{name}(${{1:{spec.parameter}}})"
                item.insert_text_format = lsp.InsertTextFormat.Snippet
            items.append(item)
        return items

    def _in_block(self, prefix: str) -> list[lsp.CompletionItem] | None:
        blocks = open_blocks(self.text, self.offset)
        if not blocks:
            return _keywords(ITEMS) if _at_word_start(prefix) else None
        block = blocks[-1]
        head = block.head
        first = head.split(maxsplit=1)[0] if head else ""
        if block.bracket == "(":
            robot = re.search(rf"({_NAME})\s*$", self.text[:block.offset])
            inputs = self.scope.robots.get(robot.group(1)) if robot else None
            if inputs is not None and re.search(r"(?:^|[(,])\s*\w*$", prefix):
                return [_item(f"{name}: ", K.Property, "input", "", label=name)
                        for name in inputs]
            return None
        if block.bracket == "[" or not _at_word_start(prefix):
            return self._option_value(prefix, first, head)
        if first == "activity" and " do" not in f" {head}":
            return self._properties(head)
        owner = _option_owner(head)
        if owner is not None and not head.endswith(("approved", "rejected")):
            return _options(settings(owner))
        if re.match(rf"{_NAME}\s*\(.*\)", head) and first not in STATEMENT_WORDS:
            return _options(settings("call"))
        if first in ("robot", "action"):
            return _options(ROBOT_OPTIONS) + _keywords(ROBOT_ITEMS)
        if first == "state":
            return _keywords(handler_words())
        if first == "statemachine":
            return _keywords((*HEADERS, "state"))
        if first == "parallel":
            return _keywords(("branch",))
        statements = self._statements()
        return _keywords(HEADERS) + statements if first == "workflow" else statements

    def _option_value(self, prefix: str, first: str, head: str) -> list[lsp.CompletionItem] | None:
        """After an option's key: the words it takes (a choice), else None (an expression)."""
        owner = _option_owner(head)
        key = re.search(rf"^\s*({_NAME})\s*:?\s+\w*$", prefix)
        if owner is None or key is None:
            return None
        option = settings(owner).get(key.group(1))
        if option is None or not option.choices:
            return None
        return [_item(c, K.EnumMember, key.group(1), option.summary) for c in option.choices]

    def _properties(self, head: str) -> list[lsp.CompletionItem] | None:
        match = re.match(rf"activity\s+({_NAME})", head)
        spec = self.catalog.activity(match.group(1)) if match else None
        if spec is None:
            return []
        return [_item(f"{name}: ", K.Property, prop.type + (" (required)" if prop.required
                                                             else ""), prop.summary, label=name)
                for name, prop in spec.properties.items()]

    def _statements(self) -> list[lsp.CompletionItem]:
        items = _keywords(STATEMENT_WORDS)
        items += [_item(name, K.Function, f"macro {name}({params})", "", label=name,
                        insert=f"{name}(")
                  for name, params in self.scope.macros.items()]
        items += [_item(code, K.Function, "robot", "", label=code, insert=f"{code}(")
                  for code in self.scope.robots]
        return items

    def _expression(self, prefix: str) -> list[lsp.CompletionItem]:
        scope = self.scope
        items = [_item(h, K.Module, "reference", "") for h in REFERENCE_HEADS]
        items += [_item(label, K.Reference, f"label: {activity}", "")
                  for label, (activity, _) in scope.labels.items()]
        items += [_item(name, K.Variable, "loop item", "") for name in scope.loops]
        items += [_item(name, K.Function, f"→ {spec.returns}", spec.summary,
                        insert=f"{name}(") for name, spec in self.catalog.functions.items()]
        items += [_item(w, K.Function, "user or group by id", "", insert=f"{w}(")
                  for w in ("user", "group")]
        items += _keywords(VALUES)
        line_start = prefix.lstrip().split(maxsplit=1)
        if line_start and line_start[0] in STATEMENT_WORDS:
            items += _keywords(STATEMENT_OPTIONS)
        return items

    # ── the names in scope ───────────────────────────────────────────────────────────────
    def _scope(self) -> Scope:
        scope = Scope()
        analysis = self.analysis
        region = self._workflow_region()
        name = region[0] if region else ""
        checked = analysis.workflow(name) if analysis is not None and name else None
        if checked is not None:
            _from_checked(scope, checked)
        elif region is not None:
            document = re.sub(r"\(.*", "", region[1]).strip()
            spec = self.catalog.document(document)
            scope.document = document
            if spec is not None:
                scope.fields = {code: (f.type, f.name) for code, f in spec.fields.items()}
                scope.user_groups = spec.user_groups
        if region is not None:
            _from_text(scope, self.text[region[2]:region[3]], self.text[region[2]:self.offset])
        if analysis is not None:
            scope.macros = {n: ", ".join(m.params) for n, m in analysis.program.macros.items()}
            scope.robots = {c: [io.name for io in r.inputs]
                            for c, r in analysis.program.robots.items()}
            scope.env = {env: dict(values) for env, values in analysis.project.values.items()}
        for match in _MACRO.finditer(self.text):
            scope.macros.setdefault(match.group(1), "")
        for match in _ROBOT.finditer(self.text):
            scope.robots.setdefault(match.group(1), [])
        return scope

    def _workflow_region(self) -> tuple[str, str, int, int] | None:
        """(name, document text, start, end) of the workflow whose header is the last one
        before the cursor; it ends where the next begins."""
        heads = list(_WORKFLOW_HEAD.finditer(self.text))
        before = [m for m in heads if m.start() <= self.offset]
        if not before:
            return None
        head = before[-1]
        after = [m.start() for m in heads if m.start() > head.start()]
        return head.group(1), head.group(2), head.start(), after[0] if after else len(self.text)


STATEMENT_WORDS = tuple(dict.fromkeys(" ".join(row.head) for row in STATEMENTS.values()
                                     if row.head))


def _from_checked(scope: Scope, checked: CheckedWorkflow) -> None:
    document = checked.document
    scope.document = document.name
    scope.fields = {name: (str(info.type), info.label) for name, info in document.fields.items()}
    scope.user_groups = document.user_groups
    scope.decls = {name: (info.decl.kind, str(info.type),
                          info.decl.label.plain if info.decl.label else "")
                   for name, info in checked.decls.items()}
    scope.labels = {label: (info.activity_type, {k: str(v) for k, v in info.returns.items()})
                    for label, info in checked.labels.items()}
    scope.states = [s.name for s in checked.workflow.states]


def _from_text(scope: Scope, region: str, before: str) -> None:
    """Names written in the workflow's text that the last check may not have seen."""
    for match in _DECL.finditer(region):
        scope.decls.setdefault(match.group(2), (match.group(1), match.group(3) or "", ""))
    for match in _FIELD.finditer(region):
        scope.fields.setdefault(match.group(1), (match.group(2) or "", "declared"))
    for match in _LABEL.finditer(region):
        scope.labels.setdefault(match.group(1), ("", {}))
    for match in _STATE.finditer(region):
        if match.group(1) not in scope.states:
            scope.states.append(match.group(1))
    for match in _LOOP.finditer(before):  # loops around the cursor (or before it)
        scope.loops[match.group(1)] = False
        if match.group(2):
            scope.loops[match.group(2)] = True


def _open_interpolation(inside: str) -> int | None:
    """The offset of the `{` of an interpolation open at the end of a string's text."""
    depth, opened, index = 0, None, 0
    while index < len(inside):
        char = inside[index]
        if char == "\\":
            index += 2
            continue
        if char == "{":
            depth, opened = depth + 1, index if depth == 0 else opened
        elif char == "}" and depth:
            depth -= 1
            if depth == 0:
                opened = None
        index += 1
    return opened


def _at_word_start(prefix: str) -> bool:
    """Only blanks (or a separating comma) before the word being typed on this line."""
    return re.fullmatch(r"[\s,]*\w*", prefix) is not None


def _item(name: str, kind: lsp.CompletionItemKind, detail: str, documentation: str, *,
          label: str | None = None, insert: str | None = None) -> lsp.CompletionItem:
    return lsp.CompletionItem(
        label=label or name, kind=kind, detail=detail or None,
        documentation=lsp.MarkupContent(lsp.MarkupKind.Markdown, documentation)
        if documentation else None,
        insert_text=insert or (name if label else None))


def _keywords(words: Iterable[str]) -> list[lsp.CompletionItem]:
    return [_item(w, K.Keyword, "keyword", "") for w in words]


def _options(options: Mapping[str, Option]) -> list[lsp.CompletionItem]:
    return [_item(key, K.Property, option.kind, option.summary)
            for key, option in options.items()]


def handler_words() -> tuple[str, ...]:
    return tuple(" ".join(h.head) for h in HANDLERS.values())
