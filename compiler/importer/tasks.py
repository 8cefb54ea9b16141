"""Task activities with option blocks: `approve`, `review`, `ask` and `task` (§6).

A property holding what stands when its option is not written gets no option; any other value
becomes the option that produces it, in the statement table's order. Which property an option
fills, how its words are stored and what stands without it are the table's
(compiler/catalog/statements.py): this module reads them backwards.
"""

from __future__ import annotations

from typing import Any

from compiler.bitrix.canonical import flag
from compiler.bitrix.canonical import value as canonical
from compiler.catalog.models import DURATION_UNITS
from compiler.catalog.statements import (
    APPROVAL_BRANCHES,
    CATALOG,
    OMIT,
    STATEMENTS,
    TASK_FIELDS,
    Option,
    task_options,
    writes,
)
from compiler.importer.nodes import Context, Node, text_setting, word
from compiler.importer.scope import NOWHERE
from compiler.syntax import ast


class TaskStatements:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.values = ctx.values

    def build(self, node: Node) -> ast.Stmt | None:
        method = getattr(self, "_" + node.type, None)
        return method(node) if method is not None else None

    # ── shared by approve, review and ask ────────────────────────────────────────────────
    def _common(self, node: Node, kind: str) -> tuple[ast.Text, ast.Expr, list[ast.Setting]] | None:
        get = self.ctx.get
        name = self.values.any_text(get(node, "Name"))
        users = self.values.users(get(node, "Users"))
        if name is None or users is None:
            return None
        settings: list[ast.Setting] = []
        for key, option in task_options(kind).items():
            if not self._option(node, key, option, settings):
                return None
        return name, users, settings

    def _option(self, node: Node, key: str, option: Option,
                settings: list[ast.Setting]) -> bool:
        """Append the setting that gives back what `node` holds for one option (none when it
        holds what stands without it); False when no setting does."""
        get = self.ctx.get
        prop = option.properties[0]
        if option.kind == "duration":
            timeout = self._timeout(node)
            if isinstance(timeout, ast.Setting):
                settings.append(timeout)
            return timeout is not False
        if option.values:
            stored = tuple(self._stored(node, p) for p in option.properties)
            try:
                found = option.word_of(stored if len(stored) > 1 else stored[0])
            except KeyError:
                return False
            if found is not None:
                settings.append(word(key, found))
            return True
        raw = get(node, prop)
        if option.kind == "bool":
            if flag(raw) == "Y":
                settings.append(text_setting(key, ast.Bool(NOWHERE, True)))
            return True
        if option.kind == "date":
            if raw not in ("", None):
                settings.append(text_setting(key, self.values.value(raw)))
            return True
        if option.kind == "list":
            if raw in ([], "", None):
                return True
            if not isinstance(raw, list):
                return False
            settings.append(text_setting(key, self.values.value(raw)))
            return True
        if option.switch:  # the text counts only when the switch says it was written
            if flag(get(node, option.switch)) != "Y":
                return raw in ("", None)
        elif raw in ("", None):
            return True
        text = self.values.any_text(raw)
        if text is None:
            return False
        settings.append(text_setting(key, text))
        return True

    def _stored(self, node: Node, prop: str) -> Any:
        """A property as an option word's stored value is compared with: Y/N for a flag,
        otherwise its canonical form, where an empty value reads as the default."""
        raw = self.ctx.get(node, prop)
        spec = self.ctx.catalog.activity(node.type)
        prop_spec = spec.properties.get(prop) if spec is not None else None
        if prop_spec is not None and prop_spec.type == "yn":
            return flag(raw)
        return canonical(raw or self.ctx.default(node, prop))

    def _timeout(self, node: Node) -> ast.Setting | bool | None:
        amount = str(canonical(self.ctx.get(node, "TimeoutDuration") or 0))
        unit = str(self.ctx.get(node, "TimeoutDurationType") or "s")
        if amount == "0":
            return None
        if not amount.isdigit() or unit not in DURATION_UNITS:
            return False
        return text_setting("timeout", ast.Duration(NOWHERE, int(amount), unit))

    def _button(self, node: Node, key: str, settings: list[ast.Setting], kind: str) -> bool:
        option = STATEMENTS[kind].options[key]
        prop = option.properties[0]
        default = self.ctx.default(node, prop) if option.absent == CATALOG else option.absent
        raw = self.ctx.get(node, prop)
        if canonical(raw) == canonical(default):
            return True
        text = self.values.any_text(raw)
        if text is None:
            return False
        settings.append(text_setting(key, text))
        return True

    # ── approve ──────────────────────────────────────────────────────────────────────────
    def _ApproveActivity(self, node: Node) -> ast.Stmt | None:
        get = self.ctx.get
        common = self._common(node, "approve")
        children = node.children
        titles = self._branches(children)
        if common is None or titles is None or \
                not self.ctx.only(node, set(writes(node.type))):
            return None
        name, users, settings = common
        kind, percent = get(node, "ApproveType"), str(canonical(get(node, "ApproveMinPercent")))
        vote = STATEMENTS["approve"].options["vote"]
        if kind == "vote" and percent.isdigit() and 0 < int(percent) <= 100:
            settings.insert(0, text_setting("vote", ast.Number(NOWHERE, int(percent), percent)))
        elif kind in vote.choices and \
                percent == str(canonical(self.ctx.default(node, "ApproveMinPercent"))):
            if kind != vote.absent:
                settings.insert(0, word("vote", kind))
        else:
            return None
        if not self._option(node, "wait_for_all", STATEMENTS["approve"].options["wait_for_all"],
                            settings) or \
                not self._button(node, "approve_button", settings, "approve") or \
                not self._button(node, "reject_button", settings, "approve"):
            return None
        opts = self.ctx.opts(node, STATEMENTS["approve"].title)
        if opts is None:
            return None
        approved, rejected = (self.ctx.block(child.children) for child in children)
        approved_title, rejected_title = titles
        return ast.ApproveStmt(NOWHERE, opts, name, users, tuple(settings),
                               approved or (() if approved_title else None),
                               rejected or (() if rejected_title else None),
                               approved_title=approved_title, rejected_title=rejected_title)

    def _branches(self, children: list[Node]) -> tuple[ast.Text | None, ...] | None:
        """The titles of the two SequenceActivity children of an approval (None where it is
        the one codegen gives); None when the children are not two plain sequences."""
        if [c.type for c in children] != ["SequenceActivity", "SequenceActivity"]:
            return None
        titles: list[ast.Text | None] = []
        for child, default in zip(children, APPROVAL_BRANCHES, strict=True):
            title = child.properties.get("Title")
            if not child.activated or set(child.properties) != {"Title"} or \
                    child.name in self.ctx.scope.labels:
                return None
            if title == default:
                titles.append(None)
                continue
            text = self.values.any_text(title)
            if text is None:
                return None
            titles.append(text)
        return tuple(titles)

    # ── review ───────────────────────────────────────────────────────────────────────────
    def _ReviewActivity(self, node: Node) -> ast.Stmt | None:
        common = self._common(node, "review")
        if common is None or node.children or not self.ctx.only(node, set(writes(node.type))):
            return None
        name, users, settings = common
        vote = STATEMENTS["review"].options["vote"]
        kind = self.ctx.get(node, "ApproveType") or self.ctx.default(node, "ApproveType")
        try:
            found = vote.word_of(kind, self.ctx.default(node, "ApproveType"))
        except KeyError:
            return None
        if found is not None:
            settings.insert(0, word("vote", found))
        opts = self.ctx.opts(node, STATEMENTS["review"].title)
        if opts is None or not self._button(node, "button", settings, "review"):
            return None
        return ast.ReviewStmt(NOWHERE, opts, name, users, tuple(settings))

    # ── ask ──────────────────────────────────────────────────────────────────────────────
    def _RequestInformationActivity(self, node: Node) -> ast.Stmt | None:
        common = self._common(node, "ask")
        requested = self.ctx.get(node, "RequestedInformation")
        if common is None or node.children or not isinstance(requested, list) or \
                not requested or not self.ctx.only(node, set(writes(node.type))):
            return None
        name, users, settings = common
        fields = [self._field(item) for item in requested]
        if any(f is None for f in fields):
            return None
        opts = self.ctx.opts(node, STATEMENTS["ask"].title)
        if opts is None or not self._button(node, "button", settings, "ask"):
            return None
        return ast.AskStmt(NOWHERE, opts, name, users,
                           tuple(f for f in fields if f is not None), tuple(settings))

    def _field(self, item: Any) -> ast.AskField | None:
        """One requested field: it writes a declared variable of the same type."""
        if not isinstance(item, dict):
            return None
        ident = str(item.get("Name", ""))
        target = self.ctx.scope.decl("var", ident)
        declared = self.ctx.scope.decls.get(ident)
        if target is None or declared is None:
            return None
        typ = declared[1]
        if str(item.get("Type", "")) != typ.name or \
                (flag(item.get("Multiple")) == "Y") != typ.multiple or \
                item.get("Description") not in ("", None) or item.get("Default") not in (
                    "", None):
            return None
        title = item.get("Title", ident)
        label = None if title == ident else self.values.any_text(title)
        if title != ident and label is None:
            return None
        return ast.AskField(NOWHERE, target, label, flag(item.get("Required")) == "Y")

    # ── task ─────────────────────────────────────────────────────────────────────────────
    def _Task2Activity(self, node: Node) -> ast.Stmt | None:
        get = self.ctx.get
        fields = get(node, "Fields")
        if not isinstance(fields, dict) or node.children or \
                not self.ctx.only(node, set(writes(node.type))):
            return None
        if flag(get(node, "AUTO_LINK_TO_CRM_ENTITY")) != \
                flag(self.ctx.default(node, "AUTO_LINK_TO_CRM_ENTITY")) or \
                not self.ctx.empty_or_default(node, "TimeEstimateHour") or \
                not self.ctx.empty_or_default(node, "TimeEstimateMin"):
            return None
        name = self.values.any_text(fields.get("TITLE"))
        settings = self._task_settings(fields)
        if name is None or settings is None:
            return None
        for key, option in STATEMENTS["task"].options.items():
            if option.fills and not self._option(node, key, option, settings):
                return None
        opts = self.ctx.opts(node, STATEMENTS["task"].title)
        return ast.TaskStmt(NOWHERE, opts, name, tuple(settings)) if opts is not None else None

    def _task_settings(self, fields: dict[str, Any]) -> list[ast.Setting] | None:
        """The options of the keys of Task2Activity's Fields."""
        if set(fields) - set(TASK_FIELDS) or "RESPONSIBLE_ID" not in fields:
            return None
        settings: list[ast.Setting] = []
        for key, option in STATEMENTS["task"].options.items():
            field = option.fields_key
            if not field or field not in fields:
                continue
            raw = fields[field]
            assumed = list(option.absent) if isinstance(option.absent, tuple) else None
            if option.kind in ("users", "user"):
                if assumed and raw == assumed:
                    continue  # what stands without the option (the starter creates it)
                if raw == "" and option.absent == OMIT:
                    continue  # the designer's "no one": the option left out
                # One user may stand alone (Bitrix reads users as a list: ExtractUsers).
                users = self.values.users([raw] if isinstance(raw, str) else raw)
                if users is None or (assumed and raw == []):
                    return None
                settings.append(text_setting(key, users))
            elif option.kind == "choice":
                try:
                    settings.append(word(key, option.word_of(str(canonical(raw)))))
                except KeyError:
                    return None
            elif option.kind == "bool":
                spelled = flag(raw)
                if spelled is None:
                    return None
                settings.append(text_setting(key, ast.Bool(NOWHERE, spelled == "Y")))
            else:
                settings.append(text_setting(key, self.values.value(raw)))
        return settings
