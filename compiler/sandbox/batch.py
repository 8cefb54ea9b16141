"""The `batch` method: up to 50 query-string commands, `$result[...]` substitution, `halt`."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl

from compiler.php.forms import MAX_NESTING, too_deep
from compiler.sandbox.auth import Caller
from compiler.sandbox.dispatch import Outcome, execute
from compiler.sandbox.errors import RestError
from compiler.sandbox.limits import time_block
from compiler.sandbox.params import (
    invalid_request,
    param_text,
    parse_php_pairs,
    to_json_value,
    upper_keys,
)
from compiler.sandbox.portal import Portal

MAX_COMMANDS = 50
_REFERENCE = re.compile(
    r"\$(result|result_error|result_total|result_next|result_time)((?:\[[^\]\[]*\])+)", re.I
)
_TRUE = {"1", "true", "y", "yes"}


def _error(code: str, text: str) -> dict[str, str]:
    return {"error": code, "error_description": text}


def _commands(raw: Any) -> list[tuple[str | int, Any]]:
    if isinstance(raw, dict):
        return list(raw.items())
    if isinstance(raw, list):
        return list(enumerate(raw))
    return []


def _lookup(state: dict[str, dict[Any, Any]], part: str, path: list[str]) -> Any:
    node: Any = state[part.lower()]
    for index, step in enumerate(path):
        if isinstance(node, dict):
            if step in node:
                node = node[step]
            elif index == 0 and step.isdigit() and int(step) in node:
                node = node[int(step)]
            else:
                return None
        elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
            node = node[int(step)]
        else:
            return None
    return node


def _text(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return ""
    return param_text(value)


def _flatten(key: str, value: Any, depth: int = 0) -> list[tuple[str, str]]:
    """`key[sub][…]=value` pairs of an array result put into a command. A name deeper than PHP
    reads is refused here already, before the recursion could go on."""
    if isinstance(value, dict):
        items: list[tuple[Any, Any]] = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    else:
        return [(key, _text(value))]
    if depth == MAX_NESTING:
        raise invalid_request(too_deep(key.partition("[")[0]))
    return [pair for sub, item in items for pair in _flatten(f"{key}[{sub}]", item, depth + 1)]


def substitute(query: str, state: dict[str, dict[Any, Any]]) -> dict[str, Any]:
    """Parse a command's query string, replacing `$result[key][field]...` in values."""
    pairs: list[tuple[str, str]] = []
    for key, value in parse_qsl(query, keep_blank_values=True, errors="replace"):
        whole = _REFERENCE.fullmatch(value)
        if whole:
            target = _lookup(state, whole.group(1), whole.group(2)[1:-1].split("]["))
            if isinstance(target, (dict, list)):
                pairs.extend(_flatten(key, target))
                continue
        text = _REFERENCE.sub(
            lambda m: _text(_lookup(state, m.group(1), m.group(2)[1:-1].split("]["))), value
        )
        pairs.append((key, text))
    return upper_keys(parse_php_pairs(pairs))


def run(portal: Portal, caller: Caller, params: dict[str, Any]) -> Outcome:
    started = portal.clock.now()
    began = time.perf_counter()
    halt = param_text(params.get("HALT")).strip().lower() in _TRUE
    state: dict[str, dict[Any, Any]] = {
        "result": {},
        "result_error": {},
        "result_total": {},
        "result_next": {},
        "result_time": {},
    }
    wrote = False
    for position, (key, command) in enumerate(_commands(params.get("CMD"))):
        if position >= MAX_COMMANDS:
            state["result_error"][key] = _error(
                "ERROR_BATCH_LENGTH_EXCEEDED", "Max batch length exceeded"
            )
        else:
            outcome = _command(portal, caller, key, command, state)
            if outcome is not None and outcome.fatal:
                return replace(outcome, wrote=wrote)  # a PHP Error ends the whole request
            wrote = (outcome is not None and outcome.wrote) or wrote
        if halt and key in state["result_error"]:
            break
    body = {part: _php_map(values) for part, values in state.items()}
    return Outcome(200, {"result": body}, started, time.perf_counter() - began, wrote=wrote)


def _command(portal: Portal, caller: Caller, key: str | int, command: Any,
             state: dict[str, dict[Any, Any]]) -> Outcome | None:
    """Run one command into `state`; its outcome (None when it never ran)."""
    text = command if isinstance(command, str) else ""
    method, _, query = text.partition("?")
    method = method.strip().lower().removesuffix(".json")
    if method == "batch":
        state["result_error"][key] = _error(
            "ERROR_BATCH_METHOD_NOT_ALLOWED", "Method not allowed by batch"
        )
        return None
    try:
        inner = substitute(query, state)
    except RestError as error:  # a command PHP would not read whole fails on its own
        state["result_error"][key] = error.body()
        return None
    inner.pop("AUTH", None)  # commands run as the batch's caller
    outcome = execute(portal, caller, method, inner)
    state["result_time"][key] = time_block(outcome.started, outcome.elapsed)
    if outcome.failed:
        state["result_error"][key] = outcome.payload
    else:
        state["result"][key] = outcome.payload["result"]
        if "total" in outcome.payload:
            state["result_total"][key] = outcome.payload["total"]
        if "next" in outcome.payload:
            state["result_next"][key] = outcome.payload["next"]
    return outcome


def _php_map(values: dict[Any, Any]) -> Any:
    """A PHP array of results: [] when empty, a list when keyed 0..n-1, else an object."""
    if not values:
        return []
    converted = to_json_value({k: None for k in values})
    if isinstance(converted, list):
        return list(values.values())
    return {str(k): v for k, v in values.items()}
