"""Every rule has a stable code, a short name and a doc entry (shown by `bpl explain CODE`).

Codes never change meaning once published; retired codes stay here, marked as such.
E = error, W = warning, I = information (a note). Hundreds group the stage: 0xx syntax and
files, 1xx names, 2xx types, 3xx activities and properties, 4xx structure, 5xx conditions,
6xx environments, 7xx deploying.
"""

from __future__ import annotations

from compiler.record import record


@record
class Rule:
    code: str
    name: str
    summary: str
    explanation: str


_RULES = [
    # ── syntax and files ───────────────────────────────────────────────────────────
    Rule("E001", "syntax-error",
         "The text does not follow the grammar; the message says what was expected.",
         "The parser met a token it did not expect. The message lists what it expected at that "
         "point. Common causes: a missing closing brace, a missing comma between properties, or a "
         "keyword used as a name."),
    Rule("E002", "invalid-character",
         "A character that cannot start any token (often an unclosed string).",
         "Strings use double quotes, comments use // or /* */. Check for a stray quote or a "
         "character pasted from a word processor."),
    Rule("E003", "unclosed-block", "The file ends inside a block.",
         "A block opened with '{' has no matching '}'. The diagnostic points at the innermost "
         "open block."),
    Rule("E004", "invalid-literal",
         "A malformed literal: a bad escape, an unclosed or empty interpolation, an interpolation "
         "in a text Bitrix shows as written, a bad 'user(…)'/'group(…)'.",
         "Durations are numbers with a unit (30s, 10m, 4h, 3d, 2w); users are written "
         "user(12) and groups group(\"hr\"); string escapes are \\n, \\t, \\r, \\\", \\\\, "
         "\\{ and \\}. An interpolation {…} holds an expression and is closed. Names, labels, "
         "descriptions and select captions are shown as written, so an interpolation there is "
         "refused: write literal braces as \\{ and \\}."),
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
    Rule("E100", "unknown-reference",
         "A reference names nothing declared: field, parameter, variable, label, result.",
         "doc.X must be a field of the workflow's document type (see the stdlib field catalog or "
         "declare it with 'field'), param./var./const. names must be declared in the workflow, "
         "a label must be given to some statement with 'as' (it may be read before that "
         "statement, in a later loop round: Bitrix resolves it by the activity's Name when it "
         "runs), and a result must be one the labelled activity returns."),
    Rule("E101", "duplicate-name",
         "A name declared twice: declarations, labels, states, options, workflows, macros.",
         "Parameters, variables and constants share one namespace per workflow; labels given "
         "with 'as', state names, options of one block, fields, workflow, macro and robot "
         "names must be unique too. A label may not hide a built-in name (doc, param, var, "
         "const, env, global, system, workflow, role, user) or a declaration, and 'TargetUser' "
         "is Bitrix's own parameter: it may be declared as a param (to give it a label, as "
         "Bitrix's templates do), as nothing else."),
    Rule("E102", "unknown-document-type",
         "The document after 'for' (or 'create') is not known or malformed.",
         "Use crm.deal, crm.lead, crm.contact, crm.company, crm.quote, crm.invoice, "
         "crm.dynamic(ID), lists.element(IBLOCK_ID) or disk.file(STORAGE_ID), or spell the "
         "three parts with document(\"module\", \"entity\", \"type\")."),
    Rule("E103", "unknown-state", "'goto' names no state of the statemachine.",
         "Every 'goto NAME' target must be a 'state NAME' of the same statemachine."),
    Rule("E104", "unknown-function", "A calc function Bitrix does not have.",
         "Formulas may call only Bitrix calc functions (see stdlib/functions.toml). There is no "
         "concat(): use the & operator."),
    Rule("E105", "wrong-arity", "A function or macro called with the wrong number of arguments.",
         "The catalog (stdlib/functions.toml) gives the minimum and maximum number of "
         "arguments of each calc function; user(…) and group(…) take one; a macro takes as "
         "many as it declares. A macro that expands itself is stopped at depth 16."),
    Rule("E106", "unknown-call", "A call names no robot, action or macro.",
         "Declare app robots with 'robot', actions with 'action' and reusable statement blocks "
         "with 'macro', in this file or in an imported one."),
    Rule("E107", "unknown-modifier",
         "A modifier Bitrix does not know, too many, or not on a reference.",
         "Modifiers are a type name (int, double, string, bool, date, datetime, user, ...) or a "
         "format (printable, friendly, bbcode, src, publink, shortlink, name, server, author, "
         "responsible). At most two may be given, and only on a reference (doc.X | printable)."),
    Rule("E108", "unknown-argument",
         "An argument the callee does not declare, or a named argument where arguments are "
         "positional.",
         "Robots and actions accept the inputs declared with 'input', by name or in their "
         "order, each once; calc functions and macros take positional arguments only."),
    Rule("E109", "missing-argument", "A required robot or action input is missing.",
         "Inputs declared 'required' must be passed."),
    Rule("W110", "unused-declaration", "A parameter, variable or constant nothing reads or writes.",
         "No statement, condition, text or default reads or writes it. A parameter is still "
         "asked for on the start form, a constant still shown in the designer: remove it, or "
         "use it where it was meant to be used."),
    Rule("W111", "unassigned-read", "A variable read where nothing can have written it yet.",
         "On every way the workflow can reach this read, no statement has written the "
         "variable yet and it has no default, so it is empty here (0 in a number). A loop "
         "body may run again and parallel branches interleave, so what they write counts as "
         "written throughout them; in a statemachine a write in any handler counts, since "
         "states run in any order. Give the variable a default or set it first."),
    Rule("E112", "dangling-activity-reference",
         "A Bitrix token or [object, field] pair reads an activity by a designer Name.",
         "Bitrix reads {=A123_4_5_6:Result} and the pair [\"A123_4_5_6\", \"Result\"] as a "
         "result of the activity Named A123_4_5_6. bpl names every activity itself when it "
         "compiles, so such a Name matches nothing and the value reads nothing. Give the "
         "statement a label with 'as' and read label.Result; bpl import does so for every "
         "activity the template has, and reports the ones it does not have."),
    # ── types ─────────────────────────────────────────────────────────────────────
    Rule("E200", "type-mismatch", "A value does not fit where it is used.",
         "Wherever a type is known (assignments, create fields, robot inputs, users, option "
         "values, wait amounts and dates, comparisons) the value is checked as Bitrix converts "
         "it (docs/language.md §6.1): a literal by what Bitrix reads it as (\"abc\" as a "
         "number is 0, so it does not fit; \"100\" does), any other value by its type, "
         "leniently where Bitrix converts at run time (text fits everywhere). A number is not "
         "a user, a bool is no number. Use a modifier (x | int) to convert on purpose."),
    Rule("E201", "invalid-default", "A default or a declaration's type is not valid.",
         "A default must fit its type as any value does (docs/language.md §6.1): \"abc\" is "
         "no number, \"soon\" no date. The default of a select is one of its option keys; a "
         "bool default is true or false (it is stored as written); a list only for a multiple "
         "type; a user default is user(N), group(\"...\"), a role, or an env symbol. A type "
         "must be one .bpl knows, and a select needs its options."),
    Rule("E202", "not-assignable",
         "The target cannot be written (parameters, constants, results, read-only fields).",
         "Only doc.FIELD and var.NAME can be written (with 'set' or '='), and one 'set' writes "
         "either fields or variables; parameters, constants, activity results and read-only "
         "fields cannot, and an ask field is a variable."),
    Rule("W203", "lossy-conversion",
         "Bitrix converts the value with a loss: a fraction into an int.",
         "A fraction where a whole number goes (1.5 or \"2.5\" into an int) is cut to its "
         "whole part: Bitrix stores 1. Declare the place as double to keep the fraction, or "
         "write the whole number."),
    Rule("W204", "property-type",
         "A generic activity's property value does not fit its catalog type.",
         "The catalog types every property of a catalogued activity; a literal that Bitrix "
         "would read as something else (\"many\" for an int, 42 for a user) is reported as "
         "in any other place (docs/language.md §6). It is a warning because the generic form "
         "is also how bpl import keeps a template as Bitrix holds it."),
    Rule("W205", "user-name-lookup",
         "A user default's printed name that only a name search on the portal resolves.",
         "A user parameter's or variable's default may be written as the designer prints users "
         "(\"Author; Anna Smith [12]\", docs/language.md §5): the start form converts it when it "
         "is submitted. An item without a bracketed id or code, that is not a role of the "
         "document, is looked up by name among the portal's users then: an unknown or "
         "ambiguous name fails the form. Write it as Name [ID] (the user's id), or use "
         "user(ID)."),
    # ── activities and properties ─────────────────────────────────────────────────
    Rule("E300", "missing-property",
         "A required property is missing (also Bitrix's ValidateProperties on the output).",
         "Bitrix refuses to import a template whose activities lack required properties "
         "or hold values their class rejects (ValidateProperties: PHP's empty(), option "
         "ranges, arrays, admin-only settings). The message names the property and the "
         "activity type. A value of the wrong shape can make PHP 8 throw a TypeError there "
         "(count() of a string): then the portal answers 500 and imports nothing."),
    Rule("W301", "unknown-property",
         "A generic activity's property that its type does not declare.",
         "Bitrix ignores properties an activity class does not declare. In the generic "
         "'activity' form this is a warning: check the spelling against the stdlib catalog."),
    Rule("W302", "unknown-activity", "A generic activity's type that is not in the catalog.",
         "The generic 'activity' form accepts any type (third-party or newer Bitrix activities), "
         "but its properties cannot be checked. The portal refuses unknown types at import with "
         "'Activity was not found'."),
    Rule("E303", "invalid-property-value",
         "A value Bitrix refuses: vote, delays, negative timeouts, URLs, autostart, option "
         "choices.",
         "For example vote must be any, all or a percentage (vote 60); a delay must be "
         "positive and at most 5 years; a webhook URL must be http(s) with a dotted host."),
    Rule("E304", "invalid-declaration",
         "A robot or action declaration the portal would refuse or misread: code, property keys, "
         "handler URL, types, select options, defaults, document types, translations.",
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
    Rule("W306", "non-public-url",
         "A 'webhook' URL whose host is not on the internet (this machine, a private network, a "
         "metadata service, or one in disguise).",
         "The portal calls webhooks from its own network: this machine, a private or "
         "link-local network, a cloud metadata service or such an address in disguise is "
         "reached there, not on the internet. A workflow of an on-premise portal may call an "
         "intranet service on purpose; then this warning can be ignored."),
    Rule("W307", "second-condition",
         "A generic branch or loop with more than one condition key: Bitrix reads the first.",
         "IfElseBranchActivity and WhileActivity take their condition as a key named after the "
         "condition class (truecondition, propertyvariablecondition, fieldcondition, "
         "mixedcondition). The class reads the first such key of the node and ignores the "
         "others, so a second condition never applies. Keep one, or put both tests in one "
         "condition (a mixedcondition holds several)."),
    Rule("E400", "container-rule",
         "A statement where it is not allowed (ValidateChild rules, 'goto' outside states, "
         "'stage' outside CRM, options on a macro call).",
         "Bitrix containers restrict their children: a statemachine holds states, a state only "
         "enter/exit/on blocks (at most one of each enter and exit), an "
         "'on' block of a state starts with an event (command or delay), goto only targets states "
         "of a statemachine."),
    Rule("E401", "statemachine-shape", "More than one state is marked initial.",
         "The statemachine starts in the state marked 'initial', or in the first state when "
         "none is; only one state may be marked."),
    Rule("W402", "unreachable-code",
         "Statements after 'terminate', 'stage', 'pipeline' or 'goto' never run.",
         "terminate, stage and pipeline end the workflow (a deal moved to another pipeline "
         "has all its workflows terminated) and goto leaves the state, so what follows them "
         "in the same block is dead. Remove it or move it before."),
    Rule("E403", "empty-block", "An empty loop, or 'parallel' with fewer than two branches.",
         "while and for each need a body; parallel needs at least two branches."),
    Rule("W404", "unreachable-state", "A state no 'goto' leads to.",
         "The statemachine starts in its initial state (the one marked initial, else the "
         "first) and moves only by goto; a state that no goto of a reached state names is "
         "never entered. Add a goto to it, or remove it."),
    Rule("W405", "dead-end-state", "A state nothing leaves and nothing ends the workflow in.",
         "Nothing in the state goes to another state and nothing ends the workflow "
         "(terminate, or stage for CRM items), so a workflow that enters it waits there "
         "forever. Add terminate to its enter block, or a handler that goes on."),
    Rule("I406", "goto-same-state", "A 'goto' that re-enters its own state and changes nothing.",
         "goto to the state the handler belongs to leaves the state and enters it again: its "
         "exit and enter blocks run again and its delays start over. When the state has "
         "neither block and nothing before the goto changes anything, that restart is all it "
         "does; it is reported as information in case it was meant to go elsewhere."),
    Rule("W407", "duplicate-branch",
         "An 'else if' repeating an earlier condition, or two branches alike.",
         "An else if with the condition of an earlier branch never runs: the earlier branch "
         "takes every case it would. Two branches with the same statements are one branch "
         "written twice: join their conditions with 'or', or check that both are meant."),
    # ── conditions ────────────────────────────────────────────────────────────────
    Rule("E500", "inexpressible-condition", "A condition Bitrix cannot store.",
         "Bitrix conditions compare a field, parameter, variable, constant or activity result "
         "(left side) with a value (right side), combined as OR of ANDs. A function call, a "
         "formula or a literal on the left side cannot be expressed. Compute it into a variable "
         "first, then compare the variable."),
    Rule("E501", "operator-type", "An operator that does not apply to the operand's type.",
         "'>' and friends need numbers, dates or text on the left (not users or bools), and "
         "'changed' applies only to document fields."),
    Rule("W502", "constant-condition", "A condition that is always true.",
         "A branch guarded by it always runs, and a while loop with it ends only through "
         "terminate or Bitrix's 1000-round limit. A condition that is always false cannot be "
         "stored at all (E500)."),
    # ── environments ──────────────────────────────────────────────────────────────
    Rule("E600", "unresolved-env",
         "'env.NAME' (or the app's client id) has no value in an environment.",
         "Give it with --define NAME=VALUE, in a values file (--values FILE), or under the "
         "environment's [environments.<name>.values] table of bpl.toml. bpl check resolves "
         "env symbols in every environment of bpl.toml (or the one of --env) and reports a "
         "missing symbol once per environment, with the name it may have meant."),
    Rule("E601", "invalid-env-value",
         "An env value of the wrong shape where it is used (a user that is not one, a document id "
         "that is not a number).",
         "An env value is inlined where it is used and checked there: a document type id "
         "must be a number, a user user_N, N, group_CODE or a role; in a typed place it must "
         "fit like any literal (E200/E201). The report names the environment."),
    # ── deploying ─────────────────────────────────────────────────────────────────
    Rule("E700", "portal-rejected", "The portal refused to import the template (deploy).",
         "Bitrix validates a template when it is added or updated and answers with one flat "
         "text; bpl points each of its messages at the statement of the activity it names. "
         "Nothing of the template was changed. Usually the portal knows something the "
         "catalog does not (a field, a user, an app activity): fix the statement or the "
         "environment's values and run bpl apply again."),
]

RULES: dict[str, Rule] = {r.code: r for r in _RULES}


def rule(code: str) -> Rule:
    return RULES[code]
