"""One .bpl workflow per catalogued activity type, written in the generic form
(`activity Type "Title" { Property: value, … }`) with the properties Bitrix requires at
import filled from the catalog with values of the right type (a select's first option), on a
document type the activity is offered for. Containers get the children their rules ask for.

Types the generic form cannot write are written by the statements that make them, and listed
in NOT_GENERIC with the reason: the roots (the `workflow` / `statemachine` header) and the
state-machine parts (`state`, `enter`, `exit`)."""

from __future__ import annotations

from typing import Any

from compiler.catalog import ActivitySpec, PropertySpec, load_catalog

CATALOG = load_catalog()

NOT_GENERIC = {
    "SequentialWorkflowActivity": "the root of every `workflow`",
    "StateMachineWorkflowActivity": "the root of every `statemachine`",
    "StateActivity": "a `state` of a statemachine; a statemachine holds states only",
    "StateInitializationActivity": "a state's `enter` block",
    "StateFinalizationActivity": "a state's `exit` block",
}

# The document type (as .bpl writes it) for an activity offered only for some: the first
# catalogued document type its FILTER includes. Filters naming no catalogued document type
# (tasks, rpa, iblock) fall back to a deal.
_DOCUMENTS = {
    "crm:CCrmDocumentDeal": "crm.deal", "crm:CCrmDocumentLead": "crm.lead",
    "crm:CCrmDocumentContact": "crm.contact", "crm:CCrmDocumentCompany": "crm.company",
    "crm:Bitrix\\Crm\\Integration\\BizProc\\Document\\Dynamic": "crm.dynamic(128)",
    "crm:Bitrix\\Crm\\Integration\\BizProc\\Document\\Quote": "crm.quote",
    "crm:Bitrix\\Crm\\Integration\\BizProc\\Document\\SmartInvoice": "crm.invoice",
    "crm": "crm.deal", "lists": "lists.element(5)",
}
# What the runs may read: the workflow's own document is key 7 of its type; these others.
DOCUMENTS: dict[str, dict[str, Any]] = {
    "DEAL_1": {"TITLE": "Other deal", "STAGE_ID": "WON"},
    "LEAD_1": {"TITLE": "Other lead", "STATUS_ID": "CONVERTED"},
    "CONTACT_3": {"NAME": "Anna", "PHONE": ["+100200300"], "EMAIL": ["anna@example.com"]},
    "COMPANY_4": {"TITLE": "Acme"},
    "DYNAMIC_128_1": {"TITLE": "Claim"},
    "ELEMENT_1": {"NAME": "Element", "IBLOCK_ID": "5"},
    "TASK_1": {"TITLE": "A task"},
}
OWN_DOCUMENT = {"TITLE": "Own", "ASSIGNED_BY_ID": "user_1", "CONTACT_ID": 3, "COMPANY_ID": 4,
                "PHONE": ["+100200300"], "EMAIL": ["own@example.com"], "STAGE_ID": "NEW",
                "PARENT_ID_2": 1}

# Values by property type; a select takes its first option.
_VALUES = {
    "string": '"x"', "text": '"some text"', "int": "1", "double": "1.5", "bool": "true",
    "yn": "true", "user": "user(1)", "users": "[user(1)]", "list": '["x"]',
    "duration_unit": '"d"', "datetime": '"2025-01-07 10:00:00"', "document_id": '"DEAL_1"',
    "expression": '"x"', "condition": '"x"', "file": "1",
    "document_type": '["lists", "BizprocDocument", "iblock_5"]',
}


# Values for the import checks that need more than a value of the type.
_CHECKED = {"chat_members": "[user(1), user(2)]", "positive_int_or_expression": '"1"',
            "math_conditions": '{ n: ["1", "+", "2"] }'}


def value(spec: PropertySpec) -> str:
    if spec.required_check in _CHECKED:
        return _CHECKED[spec.required_check]
    if spec.options:
        first = spec.options[0]
        text = f'"{first}"' if isinstance(first, str) else str(first)
        return f"[{text}]" if spec.multiple else text
    if spec.type == "map":
        keys = spec.required_keys or (spec.keys or ("A",))[:1]
        return "{ " + ", ".join(f'{k}: "x"' for k in keys) + " }"
    if spec.multiple:
        return f"[{_VALUES.get(spec.type, chr(34) + 'x' + chr(34))}]"
    return _VALUES[spec.type]


def required(activity: ActivitySpec) -> dict[str, str]:
    """The properties import insists on: required ones, one of each require_one_of group,
    and the conditionally required ones (their conditions are not looked into)."""
    names = [n for n, p in activity.properties.items()
             if p.required or p.required_if is not None or p.required_unless is not None]
    names += [group[0] for group in activity.require_one_of if not set(group) & set(names)]
    return {n: value(activity.properties[n]) for n in dict.fromkeys(names) if n != "Title"}


def generic(type_name: str, title: str, props: dict[str, str], children: str = "",
            indent: str = "    ") -> str:
    body = "".join(f"{indent}    {k}: {v}\n" for k, v in props.items())
    block = f" do {{\n{children}{indent}}}" if children else ""
    return f'{indent}activity {type_name} "{title}" {{\n{body}{indent}}}{block}\n'


def _seq(title: str, inner: str, indent: str) -> str:
    return generic("SequenceActivity", title, {}, inner, indent)


def _log(text: str, indent: str) -> str:
    return f'{indent}log "{text}"\n'


def _children(type_name: str, indent: str) -> str:
    """What a container's rules ask for, generically too."""
    deeper = indent + "    "
    if type_name in ("ApproveActivity", "RequestInformationOptionalActivity"):
        return _seq("Yes", _log("yes", deeper + "    "), deeper) + \
            _seq("No", _log("no", deeper + "    "), deeper)
    if type_name == "IfElseActivity":
        return generic("IfElseBranchActivity", "Yes", {"truecondition": '"1"'},
                       _log("yes", deeper + "    "), deeper) + \
            generic("IfElseBranchActivity", "Else", {}, _log("else", deeper + "    "), deeper)
    if type_name == "ParallelActivity":
        return _seq("A", _log("a", deeper + "    "), deeper) + \
            _seq("B", _log("b", deeper + "    "), deeper)
    if type_name in ("ListenActivity", "EventDrivenActivity", "HandleExternalEventActivity"):
        command = generic("HandleExternalEventActivity", "Command", {"Permission": "[user(1)]"},
                          "", deeper + "    ")
        delay = generic("DelayActivity", "Pause", {"TimeoutDuration": "1",
                                                   "TimeoutDurationType": '"h"'},
                        "", deeper + "    ")
        return generic("EventDrivenActivity", "On command", {}, command, deeper) + \
            generic("EventDrivenActivity", "On time", {}, delay + _log("timed out",
                                                                      deeper + "    "), deeper)
    return _log("inside", deeper)


_CONTAINER_PROPS = {
    "WhileActivity": {"propertyvariablecondition": '[["n", "<", "2"]]'},
    "ForEachActivity": {"Variable": '"items"'},
}
# What a type needs at run time beyond what import requires. Task2Activity checks nothing at
# import, but Bitrix stops the task without a creator; its dialog asks for these three.
_RUN_NEEDS = {
    "Task2Activity": {"Fields": '{ TITLE: "Call", CREATED_BY: user(1), RESPONSIBLE_ID: user(1) }'},
}
_WRAPPED = {"IfElseBranchActivity": "IfElseActivity", "EventDrivenActivity": "ListenActivity",
            "HandleExternalEventActivity": "ListenActivity"}


def _document(activity: ActivitySpec) -> str:
    for rule in activity.filter_include:
        if rule in _DOCUMENTS:
            return _DOCUMENTS[rule]
    return "crm.deal"


def workflow(type_name: str) -> str:
    activity = CATALOG.activities[type_name]
    name = "w_" + type_name.lower()
    head = (f"workflow {name} for {_document(activity)} {{\n"
            f'    var n: int = 0 "Counter"\n'
            f'    var items: string[] = ["a", "b"] "Items"\n')
    if type_name == "WhileActivity":
        inner = _seq("Body", '            var.n = var.n + 1\n', "        ")
        body = generic(type_name, f"T {type_name}", _CONTAINER_PROPS[type_name], inner)
    elif type_name in _WRAPPED:
        outer = _WRAPPED[type_name]
        body = generic(outer, f"T {type_name}", {}, _children(outer, "    "))
    elif activity.category in ("container", "branch"):
        props = {**required(activity), **_CONTAINER_PROPS.get(type_name, {})}
        body = generic(type_name, f"T {type_name}", props, _children(type_name, "    "))
    else:
        body = generic(type_name, f"T {type_name}", {**required(activity),
                                                     **_RUN_NEEDS.get(type_name, {})})
    return head + body + '    log "after"\n}\n'


STATEMACHINE = """\
statemachine w_states for crm.deal {
    state first "First" initial {
        enter {
            activity SetStateActivity "T SetStateActivity" { TargetStateName: "second" }
        }
        exit {
            log "leaving first"
        }
    }
    state second "Second" {
        enter {
            log "in second"
        }
    }
}
"""


def workflows() -> dict[str, str]:
    """File name → .bpl text: one workflow per catalogued type, plus the statemachine that
    holds the types only `state`, `enter` and `exit` write."""
    out = {f"{t.lower()}.bpl": workflow(t) for t in CATALOG.activities if t not in NOT_GENERIC
           and t != "SetStateActivity"}
    out["states.bpl"] = STATEMACHINE
    return out
