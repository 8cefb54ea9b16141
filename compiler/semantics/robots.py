"""App robot and action declarations: what `bizproc.robot.add` / `bizproc.activity.add` would
refuse, found before anything is sent (E304), and the values a declaration takes in one
environment.

The portal's own checks (reference bitrix-format §8.1) are repeated here: a CODE of
`[a-z0-9.-_]`, property keys starting with a letter, a non-empty NAME, and a handler that is an
http(s) URL whose host has a dot. Handler URLs also follow the project's URL policy
(compiler.hosts): https on a portal, and no host that is not on the internet. A robot and an
action of one app share the CODE namespace (both are keyed by md5(client_id@CODE)), so they
cannot share a CODE either; that one is reported where the declarations are collected, in
semantics.program. Everything else is what a registration needs to mean what the author
wrote: valid property types, select options, defaults that fit, document types the portal
knows, names in other languages.

`Resolver` turns declaration values (texts with env symbols, users, document types, constant
defaults) into what is registered; codegen uses the same resolver, so the checker and the
registration can never read a declaration differently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from compiler.catalog import Catalog
from compiler.catalog.statements import ROBOT_OPTIONS
from compiler.diagnostics import Diagnostics, Label
from compiler.hosts import Resolve, check_url, host_of, is_loopback, remembered, shown
from compiler.record import record
from compiler.semantics import types as T
from compiler.semantics.environment import Environment, unresolved
from compiler.semantics.program import Program
from compiler.semantics.suggestions import did_you_mean, option_key
from compiler.source import Span
from compiler.syntax import ast

CODE = "E304"
CODE_PATTERN = re.compile(r"^[a-z0-9.\-_]+$", re.IGNORECASE)
PROPERTY_KEY = re.compile(r"^[a-z][a-z0-9_]*$", re.IGNORECASE)
LANGUAGE = re.compile(r"^[a-z]{2}$")
# Types a registered property can have without a DOCUMENT_TYPE (the docs' base list plus the
# time type every document type knows); `type("UF:…")` names a document-specific one.
PROPERTY_TYPES = ("string", "text", "int", "double", "bool", "date", "datetime", "time", "user",
                  "file", "select")
DISTRIBUTIONS = ("b24", "box")  # FILTER rules that are not document types: cloud, on-premise
TIMEOUT_RESULT = "IsTimeout"  # the result Bitrix adds to a waiting robot or action
# The name after the CODE is registered as the English one: Bitrix shows it wherever a
# language has no translation of its own.
BASE_LANGUAGE = "en"


class _NotConstant:
    """A default that is not a constant (returned instead of raising)."""


NOT_CONSTANT = _NotConstant()


def io_type(ref: ast.TypeRef) -> T.Type:
    """The value type of an input or output, without diagnostics: the declaration reports its
    problems once (here), not once per call."""
    if ref.name == "type" and ref.argument:
        return T.Type(ref.argument, ref.multiple)
    if ref.name == "internalselect":
        return T.Type("internalselect", ref.multiple)
    if ref.name in T.BASE_TYPES:
        return T.Type(ref.name, ref.multiple)
    return T.Type("any", ref.multiple)


def property_type(ref: ast.TypeRef) -> str:
    """The Type a property is registered with."""
    if ref.name == "type" and ref.argument:
        return ref.argument
    return ref.name


def waits(decl: ast.RobotDecl) -> bool:
    """Whether calls wait for bizproc.event.send: Bitrix waits unless told 'N'."""
    setting = setting_of(decl, "wait_for_result")
    return setting is None or not (isinstance(setting.value, ast.Bool)
                                   and not setting.value.value)


def setting_of(decl: ast.RobotDecl, key: str) -> ast.Setting | None:
    return next((s for s in decl.settings if s.key == key), None)


@record(slots=False)
class UrlVerdict:
    """What a handler or placement URL gets: an error or a warning, and a sentence that follows
    the quoted URL."""

    error: bool
    text: str
    help: str | None = None


_PUBLIC_HELP = ("a portal calls its handlers from its own network with the app's access token: "
                "give the handler a public https address (env.NAME per environment)")
_HELP = {
    "credentials": "let the handler check auth[application_token] instead (the handler kit "
                   "does)",
    "http": "a portal sends every call with the app's access token; plain http:// is for the "
            "embedded sandbox only",
    "notation": "write the address in dotted decimal, as the portal and the sandbox read it",
}


def handler_verdict(url: str, *, sandbox: bool | None,
                    resolve: Resolve | None = None) -> UrlVerdict | None:
    """The policy of compiler.hosts for a HANDLER or PLACEMENT_HANDLER on a target: the
    embedded sandbox (True), a Bitrix24 portal (False) or unknown (None, `bpl check`).

    Everything is an error but two things: plain http, which is fine for the sandbox and for
    this machine (it crosses no network) and an error for a portal elsewhere; and a handler on
    this machine, which is what the sandbox calls and only a warning for a portal (an
    on-premise portal may run the app on its own machine)."""
    local = is_loopback(host_of(url))
    for finding in check_url(url, resolve=resolve):
        if finding.refused is not None:
            return UrlVerdict(True, f"{finding.text} (the portal answers '{finding.refused}')")
        if finding.kind == "http":
            if sandbox is False and not local:
                return UrlVerdict(True, finding.text, _HELP["http"])
        elif finding.kind == "loopback" and local:
            if sandbox is False:
                return UrlVerdict(False, "is on this machine: a Bitrix24 portal cannot reach it",
                                  "loopback handlers work with the embedded sandbox only; give "
                                  "this environment the app's public address (env.NAME)")
        else:
            return UrlVerdict(True, finding.text, _HELP.get(finding.kind, _PUBLIC_HELP))
    return None


@record(frozen=False, slots=False)
class Resolver:
    """Declaration values in one environment; problems go to `diag`."""

    env: Environment
    catalog: Catalog
    diag: Diagnostics

    def env_value(self, ref: ast.Ref) -> Any:
        """env.NAME's value, or None (reported when the environment is not symbolic)."""
        if len(ref.parts) != 2:
            self.diag.error("E100", f"{ref.dotted}: environment symbols are env.NAME", ref.span)
            return None
        name = ref.parts[1]
        value = self.env.get(name)
        if value is None and not self.env.symbolic:
            # Worded as the workflow checker words it, so a symbol read by both is one report.
            message, help = unresolved(self.env, name)
            self.diag.error("E600", message, ref.span, help=help)
        return value

    def text(self, expr: ast.Expr, what: str) -> str | None:
        """A text registered as written: literal parts and env symbols only (the portal stores
        it; nothing evaluates it later). None when it cannot be known."""
        parts: tuple[str | ast.Expr, ...]
        if isinstance(expr, ast.Text):
            parts = expr.parts
        elif _is_env(expr):
            parts = (expr,)
        else:
            self.diag.error(CODE, f"{what} is a text (\"…\") or env.NAME", expr.span)
            return None
        out: list[str] = []
        for part in parts:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, ast.Ref) and _is_env(part):
                value = self.env_value(part)
                if value is None:
                    return None
                out.append(str(value))
            else:
                self.diag.error(CODE, f"{what} is registered as written: it can interpolate "
                                      "env.NAME, nothing that changes per workflow", part.span)
                return None
        return "".join(out)

    def user_id(self, expr: ast.Expr) -> int | None:
        """AUTH_USER_ID: user(12), 12, "user_12" or env.NAME holding one of those."""
        value: Any
        if isinstance(expr, ast.Call) and expr.dotted == "user" and len(expr.args) == 1:
            return self.user_id(expr.args[0].value)
        if isinstance(expr, ast.Number):
            value = expr.value
        elif isinstance(expr, ast.Text) and expr.is_plain:
            value = expr.plain
        elif _is_env(expr):
            assert isinstance(expr, ast.Ref)
            value = self.env_value(expr)
            if value is None:
                return None
        else:
            value = None
        number = _user_number(value)
        if number is None:
            self.diag.error(CODE, "auth_user is one user: user(12), or env.NAME holding user_12",
                            expr.span, help="the handler gets this user's token (AUTH_USER_ID)")
        return number

    def document_rule(self, expr: ast.Expr, *, full: bool) -> list[str] | str | None:
        """A document type as the portal's array: `crm.deal` → ["crm", "CCrmDocumentDeal",
        "DEAL"]; unless `full`, also a partial one (`crm` → ["crm"], `crm.dynamic` → module and
        entity) or a distribution (`b24`, `box`)."""
        if isinstance(expr, ast.Call) and expr.dotted == "document":
            return self._explicit(expr, full=full)
        if isinstance(expr, ast.Text) and expr.is_plain and expr.plain in DISTRIBUTIONS \
                and not full:
            return expr.plain
        name = expr.dotted if isinstance(expr, ast.Ref | ast.Call) else ""
        if not full and isinstance(expr, ast.Ref):
            if name in DISTRIBUTIONS:
                return name
            if name in self._modules():
                return [name]
        spec = self.catalog.document(name) if name else None
        if spec is None:
            known = ", ".join(sorted(self.catalog.documents))
            extra = "" if full else ", a module (crm, lists, disk), b24 or box"
            self.diag.error(CODE, f"expected a document type such as crm.deal{extra}",
                            expr.span, help=f"document types: {known}; or document(\"module\", "
                                            "\"entity\", \"type\")")
            return None
        argument = expr.args[0].value if isinstance(expr, ast.Call) and expr.args else None
        if isinstance(expr, ast.Call) and len(expr.args) != 1:
            self.diag.error(CODE, f"{name}(…) takes one id", expr.span)
            return None
        if not spec.parameter:
            if argument is not None:
                self.diag.error(CODE, f"{name} takes no id", expr.span)
                return None
            return [spec.module, spec.entity, spec.document_type]
        if argument is None:
            if full:
                self.diag.error(CODE, f"{name} needs an id here: {name}(ID)", expr.span)
                return None
            return [spec.module, spec.entity]  # every document type of the entity
        value = self._id(argument)
        if value is None:
            return None
        return [spec.module, spec.entity,
                spec.document_type.replace("{" + spec.parameter + "}", str(value))]

    def constant(self, expr: ast.Expr) -> Any:
        """A default as registered and as written into calls, or NOT_CONSTANT."""
        if isinstance(expr, ast.Text):
            pieces: list[str] = []
            for part in expr.parts:
                if isinstance(part, str):
                    pieces.append(part)
                elif isinstance(part, ast.RawBitrix):
                    pieces.append(part.text)
                else:
                    return NOT_CONSTANT
            return "".join(pieces)
        if isinstance(expr, ast.Number):
            return expr.value
        if isinstance(expr, ast.Unary) and isinstance(expr.operand, ast.Number):
            return -expr.operand.value if expr.op == "-" else expr.operand.value
        if isinstance(expr, ast.Bool):
            return "Y" if expr.value else "N"
        if isinstance(expr, ast.RawBitrix):
            return expr.text
        if isinstance(expr, ast.Call) and expr.dotted == "user" and len(expr.args) == 1:
            number = _user_number(self.constant(expr.args[0].value))
            return f"user_{number}" if number is not None else NOT_CONSTANT
        if isinstance(expr, ast.ListExpr):
            items = [self.constant(item) for item in expr.items]
            return NOT_CONSTANT if any(i is NOT_CONSTANT for i in items) else items
        return NOT_CONSTANT

    def _explicit(self, expr: ast.Call, *, full: bool) -> list[str] | None:
        parts = [a.value for a in expr.args]
        texts = [p.plain for p in parts if isinstance(p, ast.Text) and p.is_plain and p.plain]
        if len(texts) != len(parts) or not 1 <= len(parts) <= 3 or (full and len(parts) != 3):
            wanted = "three strings" if full else "one to three strings"
            self.diag.error(CODE, f"document(…) takes {wanted}: document(\"module\", "
                                  "\"entity\", \"type\")", expr.span)
            return None
        return texts

    def _id(self, argument: ast.Expr) -> object:
        if isinstance(argument, ast.Number) and isinstance(argument.value, int):
            return argument.value
        if _is_env(argument):
            assert isinstance(argument, ast.Ref)
            value = self.env_value(argument)
            if value is not None and not (isinstance(value, int) or str(value).isdigit()):
                self.diag.error("E601", f"env.{argument.parts[1]} must be a number, not "
                                        f"{value!r} (environment '{self.env.name}')",
                                argument.span,
                                help="a document type id is the number of the smart process, "
                                     "list or storage on that portal")
                return None
            return value
        self.diag.error(CODE, "a document id is a number or env.NAME", argument.span)
        return None

    def _modules(self) -> set[str]:
        return {name.split(".", 1)[0] for name in self.catalog.documents}


def _is_env(expr: object) -> bool:
    return isinstance(expr, ast.Ref) and expr.parts[0] == "env"


def _user_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    match = re.fullmatch(r"(?:user_)?(\d+)", str(value)) if isinstance(value, str) else None
    return int(match[1]) if match and int(match[1]) > 0 else None


# ── the checks ──────────────────────────────────────────────────────────────────────────────


class RobotChecker:
    """Checks one declaration; `ok` is False when the portal would refuse its registration or
    the registration would not mean what was written."""

    def __init__(self, decl: ast.RobotDecl, resolver: Resolver, *, sandbox: bool | None,
                 resolve: Resolve | None = None) -> None:
        self.decl = decl
        self.resolver = resolver
        self.diag = resolver.diag
        self.sandbox = sandbox
        self.resolve = resolve

    def check(self) -> bool:
        before = self.diag.error_count
        decl = self.decl
        if not CODE_PATTERN.match(decl.code):
            self.diag.error(CODE, f"'{decl.code}' is not a valid {decl.kind} code", decl.code_span,
                            help="codes use letters, digits, '.', '-' and '_' (the portal "
                                 "answers 'Wrong activity code!')")
        self._name()
        self._settings()
        self._properties(decl.inputs, "input")
        self._properties(decl.outputs, "output")
        return self.diag.error_count == before

    def _name(self) -> None:
        name = self.decl.name
        if not name.is_plain:
            self.diag.error(CODE, f"the name of {self.decl.kind} '{self.decl.code}' is "
                                  "registered as written: it cannot interpolate", name.span)
        elif not name.plain.strip():
            self.diag.error(CODE, f"{self.decl.kind} '{self.decl.code}' needs a name",
                            name.span, help="the portal answers 'Empty activity NAME!'")

    # -- settings --------------------------------------------------------------------------

    def _settings(self) -> None:
        specs = ROBOT_OPTIONS
        seen: dict[str, Span] = {}
        for setting in self.decl.settings:
            if option_key(self.diag, self.decl.kind, specs, setting, seen) != "first":
                continue  # a repeated option is read once, as first given
            seen[setting.key] = setting.key_span
            getattr(self, f"_s_{setting.key}")(setting.value)
        if "handler" not in seen:
            self.diag.error(CODE, f"{self.decl.kind} '{self.decl.code}' needs a handler: the URL "
                                  "the portal calls", self.decl.code_span,
                            help='handler "https://app.example.com/robot"')
        if self.decl.outputs and not waits(self.decl):
            first = self.decl.outputs[0]
            self.diag.warning(CODE, f"{self.decl.kind} '{self.decl.code}' does not wait for its "
                                    "result, so its outputs are never filled", first.span,
                              help="bizproc.event.send answers only a robot that waits: drop "
                                   "wait_for_result false, or the outputs")
        custom = [io for io in (*self.decl.inputs, *self.decl.outputs) if io.type.name == "type"]
        if custom and "document_type" not in seen:
            self.diag.warning(CODE, f"{custom[0].kind} '{custom[0].name}' has a document-specific "
                                    "type, but the declaration has no document_type",
                              custom[0].type.span,
                              help="the portal renders such a property only for the document "
                                   "type given by document_type (DOCUMENT_TYPE)")

    def _s_handler(self, value: ast.Expr) -> None:
        self._url(value, "handler")

    def _s_placement(self, value: ast.Expr) -> None:
        self._url(value, "placement")

    def _url(self, value: ast.Expr, what: str) -> None:
        url = self.resolver.text(value, what)
        if url is None:
            return
        verdict = handler_verdict(url, sandbox=self.sandbox, resolve=self.resolve)
        if verdict is not None:
            report = self.diag.error if verdict.error else self.diag.warning
            report(CODE, f"{what} {shown(url)!r} {verdict.text}", value.span, help=verdict.help)

    def _s_auth_user(self, value: ast.Expr) -> None:
        self.resolver.user_id(value)

    def _s_wait_for_result(self, value: ast.Expr) -> None:
        if not isinstance(value, ast.Bool):
            self.diag.error(CODE, "wait_for_result is true or false", value.span)

    def _s_documents(self, value: ast.Expr) -> None:
        for item in _items(value):
            self.resolver.document_rule(item, full=False)

    _s_exclude = _s_documents

    def _s_document_type(self, value: ast.Expr) -> None:
        self.resolver.document_rule(value, full=True)

    def _s_description(self, value: ast.Expr) -> None:
        self.resolver.text(value, "description")

    def _s_translations(self, value: ast.Expr) -> None:
        if not isinstance(value, ast.MapExpr):
            self.diag.error(CODE, "translations is a map of language codes to names: "
                                  "{ de: \"…\", ru: \"…\" }", value.span)
            return
        for entry in value.entries:
            if not LANGUAGE.match(entry.key):
                self.diag.error(CODE, f"'{entry.key}' is not a language code", entry.key_span,
                                help="two lower-case letters, as the portal's languages: de, "
                                     "ru, fr, …")
            elif entry.key == BASE_LANGUAGE:
                self.diag.error(CODE, "the name after the code is the English one", entry.key_span,
                                help="change that name instead of translating it to 'en'")
            if not (isinstance(entry.value, ast.Text) and entry.value.is_plain
                    and entry.value.plain.strip()):
                self.diag.error(CODE, f"the '{entry.key}' name is a non-empty text written out",
                                entry.value.span)

    # -- inputs and outputs ----------------------------------------------------------------

    def _properties(self, items: Iterable[ast.RobotIO], kind: str) -> None:
        seen: dict[str, Span] = {}
        for io in items:
            if not PROPERTY_KEY.match(io.name):
                self.diag.error(CODE, f"'{io.name}' is not a valid {kind} name", io.name_span,
                                help="property keys start with a letter and use letters, "
                                     "digits and '_' (the portal answers 'Wrong property key')")
            if io.name in seen:
                self.diag.error("E101", f"{kind} '{io.name}' is declared twice", io.name_span,
                                labels=(Label(seen[io.name], "first declared here"),))
            seen[io.name] = io.name_span
            if kind == "output" and io.name.lower() == TIMEOUT_RESULT.lower() and \
                    waits(self.decl):
                self.diag.error(CODE, f"'{io.name}' is the result Bitrix adds when the wait "
                                      "times out", io.name_span, help="choose another name")
            for text in (io.label, io.description):
                if text is not None and not text.is_plain:
                    self.diag.error(CODE, "labels and descriptions are registered as written: "
                                          "they cannot interpolate", text.span)
            if self._type(io) and io.default is not None:
                self._default(io)

    def _type(self, io: ast.RobotIO) -> bool:
        ref = io.type
        if ref.name == "type":
            if not ref.argument:
                self.diag.error(CODE, "type(…) names a field type: type(\"UF:crm\")", ref.span)
                return False
            return True
        if ref.name not in PROPERTY_TYPES:
            hint = did_you_mean(ref.name, PROPERTY_TYPES)
            self.diag.error(CODE, f"'{ref.name}' is not a type an app {self.decl.kind} property "
                                  "can have", ref.span,
                            help=hint or f"types are {', '.join(PROPERTY_TYPES)}, select {{…}} "
                                         "or type(\"UF:…\") with document_type")
            return False
        if ref.name == "select":
            return self._options(ref)
        return True

    def _options(self, ref: ast.TypeRef) -> bool:
        if not ref.options:
            self.diag.error(CODE, "a select needs its options: select { \"key\": \"Label\" }",
                            ref.span)
            return False
        keys: dict[str, Span] = {}
        for option in ref.options:
            if not option.key:
                self.diag.error(CODE, "an option key cannot be empty", option.span)
            elif option.key in keys:
                self.diag.error("E101", f"option '{option.key}' is given twice", option.span,
                                labels=(Label(keys[option.key], "first"),))
            keys[option.key] = option.span
            if not option.label.is_plain:
                self.diag.error(CODE, "option labels are registered as written: they cannot "
                                      "interpolate", option.label.span)
        return True

    def _default(self, io: ast.RobotIO) -> None:
        assert io.default is not None
        value = self.resolver.constant(io.default)
        if value is NOT_CONSTANT:
            self.diag.error(CODE, f"the default of {io.kind} '{io.name}' is registered with the "
                                  f"{self.decl.kind}: it is a constant", io.default.span,
                            help="a text, a number, true/false, user(N), a {=…} token, or a "
                                 "list of those")
            return
        typ = io_type(io.type)
        values = value if isinstance(value, list) else [value]
        if isinstance(value, list) and not typ.multiple:
            self.diag.error(CODE, f"a list is not a valid default for a single {typ}",
                            io.default.span, help=f"declare it as {typ}[] to hold several values")
            return
        for item in values:
            problem = _default_problem(io.type, typ, item)
            if problem is not None:
                self.diag.error(CODE, f"default {item!r} of {io.kind} '{io.name}' {problem}",
                                io.default.span)
                return


def _default_problem(ref: ast.TypeRef, typ: T.Type, value: Any) -> str | None:
    if isinstance(value, str) and value.startswith("{="):
        return None  # a token the portal evaluates when the robot runs
    if ref.name == "select":
        keys = [o.key for o in ref.options]
        return None if str(value) in keys else f"is not an option ({', '.join(keys)})"
    base = typ.base
    if base == "bool":
        return None if value in ("Y", "N") else "is not true or false"
    if base in ("int", "double"):
        if isinstance(value, int | float):
            return None if base == "double" or isinstance(value, int) else "is not an integer"
        return "is not a number"
    if base == "user":
        return None if _user_number(value) is not None or value in ("author",) or \
            str(value).startswith("group_") else "is not a user: user(N)"
    if base in ("date", "datetime", "time"):
        return None if isinstance(value, str) else f"is not a {base} text"
    return None


def _items(value: ast.Expr) -> tuple[ast.Expr, ...]:
    return value.items if isinstance(value, ast.ListExpr) else (value,)


def check_robots(program: Program, catalog: Catalog, env: Environment, diag: Diagnostics, *,
                 sandbox: bool | None = None, resolve: Resolve | None = None) -> set[str]:
    """Check every declared robot and action; the CODEs whose declarations have errors.

    `sandbox`: True when the target is the embedded sandbox, False for a Bitrix24 portal (a
    loopback handler is then a warning), None when unknown. `resolve` looks handler host
    names up (compiler.hosts); without it names are judged by how they are written."""
    resolver = Resolver(env, catalog, diag)
    looked_up = remembered(resolve) if resolve is not None else None
    broken: set[str] = set()
    for decl in program.robots.values():
        if not RobotChecker(decl, resolver, sandbox=sandbox, resolve=looked_up).check():
            broken.add(decl.code)
    return broken
