"""Every rule has a stable code, a short name and a doc entry (shown by `bpl explain CODE`).

Codes never change meaning once published; retired codes stay here, marked as such.
E = error, W = warning, I = information (a note). Hundreds group the stage: 0xx syntax and
files, 1xx names, 2xx types, 3xx activities and properties, 4xx structure, 5xx conditions,
6xx environments, 7xx deploying.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    summary: str
    explanation: str


_RULES = [
    # ── syntax and files ───────────────────────────────────────────────────────────
    Rule("E001", "syntax-error", "The text does not follow the .bpl grammar.",
         "The parser met a token it did not expect. The message lists what it expected at that "
         "point. Common causes: a missing closing brace, a missing comma between properties, or a "
         "keyword used as a name."),
    Rule("E002", "invalid-character", "A character that cannot start any token.",
         "Strings use double quotes, comments use // or /* */. Check for a stray quote or a "
         "character pasted from a word processor."),
    Rule("E003", "unclosed-block", "The file ends inside a block.",
         "A block opened with '{' has no matching '}'. The diagnostic points at the innermost "
         "open block."),
    Rule("E004", "invalid-literal", "A literal value is malformed.",
         "Durations are numbers with a unit (30s, 10m, 4h, 3d); users are written user(12); "
         "string escapes are \\n, \\t, \\\", \\\\, \\{ and \\}."),
    Rule("W005", "number-out-of-range", "A number that PHP cannot hold as written.",
         "Bitrix runs on PHP, whose integers are 64-bit: -9223372036854775808 to "
         "9223372036854775807. PHP reads an integer literal beyond that as the nearest float, "
         "which keeps about 16 significant digits (9223372036854775808 becomes "
         "9.223372036854776E+18), and a number beyond about 1.8E+308 as INF. bpl compiles the "
         "literal the same way and warns. Write it as a string if every digit matters, such as "
         "an ID from another system."),
    Rule("E010", "import-not-found", "An imported file cannot be read.",
         "import paths are relative to the importing file; 'stdlib/...' paths resolve to the "
         "standard library shipped with bpl."),
    Rule("E011", "file-unreadable", "A source file cannot be read.",
         "The path does not exist, is not a file, or is not readable."),
    # ── names ─────────────────────────────────────────────────────────────────────
    Rule("E100", "unknown-reference", "A reference names nothing that is declared.",
         "doc.X must be a field of the workflow's document type (see the stdlib field catalog or "
         "declare it with 'field'), param./var./const. names must be declared in the workflow, and "
         "an activity label must be given with 'as' before it is read."),
    Rule("E101", "duplicate-name", "The same name is declared twice.",
         "Parameters, variables and constants share one namespace per workflow; labels given with "
         "'as', state names and workflow names must be unique too."),
    Rule("E102", "unknown-document-type", "The document type after 'for' is not known.",
         "Use crm.deal, crm.lead, crm.contact, crm.company, crm.quote, crm.invoice, "
         "crm.dynamic(ID), lists.element(IBLOCK_ID) or disk.file(STORAGE_ID), or spell the "
         "three parts with document(\"module\", \"entity\", \"type\")."),
    Rule("E103", "unknown-state", "goto names a state that the state machine does not declare.",
         "Every 'goto NAME' target must be a 'state NAME' of the same statemachine."),
    Rule("E104", "unknown-function", "A calc function that Bitrix does not provide.",
         "Formulas may call only Bitrix calc functions (see stdlib/functions.toml). There is no "
         "concat(): use the & operator."),
    Rule("E105", "wrong-arity", "A function or macro is called with the wrong number of arguments.",
         "The catalog gives the minimum and maximum number of arguments of each function."),
    Rule("E106", "unknown-call", "A call names no robot, action or macro.",
         "Declare app robots with 'robot', actions with 'action' and reusable statement blocks "
         "with 'macro', in this file or in an imported one."),
    Rule("E107", "unknown-modifier", "A modifier after '|' is not one Bitrix understands.",
         "Modifiers are a type name (int, double, string, bool, date, datetime, user, ...) or a "
         "format (printable, friendly, bbcode, src, publink, shortlink, name, server, author, "
         "responsible). At most two may be given."),
    Rule("E108", "unknown-argument", "A call passes an argument the callee does not declare.",
         "Robots and actions accept the inputs declared with 'input'; macros accept their "
         "parameters."),
    Rule("E109", "missing-argument", "A required argument of a call is missing.",
         "Inputs declared 'required' must be passed."),
    Rule("W110", "unused-declaration", "A parameter, variable or constant nothing uses.",
         "No statement, condition, text or default reads or writes it. A parameter is still "
         "asked for on the start form, a constant still shown in the designer: remove it, or "
         "use it where it was meant to be used."),
    Rule("W111", "unassigned-read", "A variable is read before anything writes it.",
         "On every way the workflow can reach this read, no statement has written the "
         "variable yet and it has no default, so it is empty here (0 in a number). A loop "
         "body may run again and parallel branches interleave, so what they write counts as "
         "written throughout them; in a statemachine a write in any handler counts, since "
         "states run in any order. Give the variable a default or set it first."),
    # ── types ─────────────────────────────────────────────────────────────────────
    Rule("E200", "type-mismatch", "A value's type does not fit where it is used.",
         "Assignments, defaults and comparisons are checked against declared types: a number "
         "cannot go into a user, a string literal cannot be compared with '>' to a date, and so "
         "on. Use a modifier (x | int) to convert on purpose."),
    Rule("E201", "invalid-default", "A default value does not fit the declared type.",
         "The default of a select must be one of its option keys; a bool default is true/false; "
         "a user default is user(N), group(\"...\"), a role, or an env symbol."),
    Rule("E202", "not-assignable", "The left side of an assignment cannot be written.",
         "Only doc.FIELD (set), var.NAME (assignment) and fields of documents created with "
         "'create' can be written; parameters, constants and activity results are read-only."),
    Rule("W203", "lossy-conversion", "Bitrix converts the value with a loss.",
         "A fraction where a whole number goes (1.5 or \"2.5\" into an int) is cut to its "
         "whole part: Bitrix stores 1. Declare the place as double to keep the fraction, or "
         "write the whole number."),
    Rule("W204", "property-type", "A generic activity's property value does not fit its type.",
         "The catalog types every property of a catalogued activity; a literal that Bitrix "
         "would read as something else (\"many\" for an int, 42 for a user) is reported as "
         "in any other place (docs/language.md §6). It is a warning because the generic form "
         "is also how bpl import keeps a template as Bitrix holds it."),
    # ── activities and properties ─────────────────────────────────────────────────
    Rule("E300", "missing-property", "A required property of an activity is missing.",
         "Bitrix refuses to import a template whose activities lack required properties "
         "or hold values their class rejects (ValidateProperties: PHP's empty(), option "
         "ranges, arrays, admin-only settings). The message names the property and the "
         "activity type. A value of the wrong shape can make PHP 8 throw a TypeError there "
         "(count() of a string): then the portal answers 500 and imports nothing."),
    Rule("W301", "unknown-property", "A property that the activity type does not declare.",
         "Bitrix ignores properties an activity class does not declare. In the generic "
         "'activity' form this is a warning: check the spelling against the stdlib catalog."),
    Rule("W302", "unknown-activity", "An activity type that is not in the catalog.",
         "The generic 'activity' form accepts any type (third-party or newer Bitrix activities), "
         "but its properties cannot be checked. The portal refuses unknown types at import with "
         "'Activity was not found'."),
    Rule("E303", "invalid-property-value", "A property has a value outside what Bitrix accepts.",
         "For example vote must be any, all or a percentage (vote 60); a delay must be "
         "positive and at most 5 years; a webhook URL must be http(s) with a dotted host."),
    Rule("E304", "invalid-declaration", "A robot, action or macro declaration is malformed.",
         "Codes match [a-z0-9.-_]+, property keys start with a letter and use [a-z0-9_], the "
         "handler is an http(s) URL with a dotted host. A portal calls the handler with the "
         "app's access token, so it must also be https (plain http is for the sandbox) and on "
         "the internet: not a private, link-local, carrier-grade NAT or reserved address, not a "
         "cloud metadata service, and not this machine written in disguise (hex or octal "
         "IPv4, IPv4 inside IPv6, wildcard DNS such as 127.0.0.1.nip.io)."),
    # ── structure ─────────────────────────────────────────────────────────────────
    Rule("W305", "verbatim-formula-syntax",
         "A formula kept as Bitrix text is broken in a way Bitrix tolerates.",
         "Values that start with '=' and inline formulas {{=…}} written in a string reach the "
         "portal as written (bpl import keeps the formulas it cannot translate that way). "
         "Bitrix's calc parser does not reject every broken formula: an operator without an "
         "operand takes null (=1 + gives 1, =* 2 gives 0), a ';' or ',' outside a function "
         "call makes a list (=1; 2 gives [1, 2]), operands without an operator between them "
         "give null, and a formula it cannot read at all stays text. bpl test computes what "
         "the portal computes; the warning points at the formula so that it can be "
         "corrected, best by writing it as a .bpl expression."),
    Rule("W306", "non-public-url", "A webhook URL points at a host that is not on the internet.",
         "The portal calls webhooks from its own network: this machine, a private or "
         "link-local network, a cloud metadata service or such an address in disguise is "
         "reached there, not on the internet. A workflow of an on-premise portal may call an "
         "intranet service on purpose; then this warning can be ignored."),
    Rule("E400", "container-rule", "A statement is not allowed where it stands.",
         "Bitrix containers restrict their children: a state holds only enter/exit/on blocks, an "
         "'on' block of a state starts with an event (command or delay), goto only targets states "
         "of a statemachine."),
    Rule("E401", "statemachine-shape", "A state machine is missing states or a start state.",
         "A statemachine needs at least one state; the first state (or the one marked 'initial') "
         "is where it starts."),
    Rule("W402", "unreachable-code", "Statements after terminate (or goto) never run.",
         "terminate ends the workflow and goto leaves the state, so what follows them in the same "
         "block is dead. Remove it or move it before."),
    Rule("E403", "empty-block", "A block that Bitrix requires to have content is empty.",
         "while and for each need a body; parallel needs at least two branches."),
    Rule("W404", "unreachable-state", "A state no goto leads to.",
         "The statemachine starts in its initial state (the one marked initial, else the "
         "first) and moves only by goto; a state that no goto of a reached state names is "
         "never entered. Add a goto to it, or remove it."),
    Rule("W405", "dead-end-state", "A state with no way out.",
         "Nothing in the state goes to another state and nothing ends the workflow "
         "(terminate, or stage for CRM items), so a workflow that enters it waits there "
         "forever. Add terminate to its enter block, or a handler that goes on."),
    Rule("I406", "goto-same-state", "A goto re-enters its own state for nothing.",
         "goto to the state the handler belongs to leaves the state and enters it again: its "
         "exit and enter blocks run again and its delays start over. When the state has "
         "neither block and nothing before the goto changes anything, that restart is all it "
         "does; it is reported as information in case it was meant to go elsewhere."),
    Rule("W407", "duplicate-branch", "An if's branch repeats an earlier branch.",
         "An else if with the condition of an earlier branch never runs: the earlier branch "
         "takes every case it would. Two branches with the same statements are one branch "
         "written twice: join their conditions with 'or', or check that both are meant."),
    # ── conditions ────────────────────────────────────────────────────────────────
    Rule("E500", "inexpressible-condition", "Bitrix cannot express this condition.",
         "Bitrix conditions compare a field, parameter, variable, constant or activity result "
         "(left side) with a value (right side), combined as OR of ANDs. A function call, a "
         "formula or a literal on the left side cannot be expressed. Compute it into a variable "
         "first, then compare the variable."),
    Rule("E501", "operator-type", "The operator does not apply to the operand's type.",
         "'>' and friends need numbers or dates, 'between' needs two bounds, 'changed' applies "
         "only to document fields."),
    Rule("W502", "constant-condition", "The condition is always true or always false.",
         "A branch guarded by such a condition always or never runs."),
    # ── environments ──────────────────────────────────────────────────────────────
    Rule("E600", "unresolved-env", "env.NAME has no value in the chosen environment.",
         "Give it with --define NAME=VALUE, in a values file (--values FILE), or under the "
         "environment's [env.<name>.values] table of bpl.toml."),
    Rule("E601", "invalid-env-value", "An environment value has the wrong shape for its use.",
         "A document type id must be a number, a user must be user_N, N or a group code."),
    # ── deploying ─────────────────────────────────────────────────────────────────
    Rule("E700", "portal-rejected", "The portal refused to import the template.",
         "Bitrix validates a template when it is added or updated and answers with one flat "
         "text; bpl points each of its messages at the statement of the activity it names. "
         "Nothing of the template was changed. Usually the portal knows something the "
         "catalog does not (a field, a user, an app activity): fix the statement or the "
         "environment's values and run bpl apply again."),
]

RULES: dict[str, Rule] = {r.code: r for r in _RULES}


def rule(code: str) -> Rule:
    return RULES[code]
