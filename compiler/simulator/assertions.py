"""What a scenario expects (`[scenario.expect]`) checked against the finished run.

    status = "completed"            running | completed | terminated | error
    state = "approved"              state machines: the current state's Name or Title
    status_text = "Approved"        the status text (SetStateTitle, a state's Title …)
    error = "Loop iteration"        part of the run's error message
    document = { FIELD = value }    fields after the run (only those named)
    variables = { name = value }
    log = ["…", "…"]                every log line, in order (`*` and `?` are wildcards)
    log_contains = ["…"]            lines that must appear (in this order)
    path = ["Title", "Title"]       activity titles run, in this order (others may be between)
    path_not = ["Title"]            titles that must not run
    tasks = [{ name, users, status, kind, by }]     tasks created, in order (a subsequence)
    task_count = 2
    messages = [{ to, text, kind, from, subject }]  messages sent, in order (a subsequence)
    message_count = 1
    records = [{ kind = "webhook", url = "…" }]     webhooks, robots, documents, workflows …
    documents = { "DEAL_1001" = { TITLE = "…" } }   fields of the portal's other documents
    global_variables = { name = value }             global variables after the run
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from compiler.php.values import is_numeric, to_float, to_str
from compiler.simulator.directory import user_id_of
from compiler.simulator.run import Run

KEYS = {"status", "state", "status_text", "error", "document", "variables", "log",
        "log_contains", "path", "path_not", "tasks", "task_count", "messages",
        "message_count", "records", "documents", "global_variables"}


@dataclass
class Failure:
    what: str
    expected: Any
    actual: Any


def check(run: Run, expect: Mapping[str, Any]) -> list[Failure]:
    failures: list[Failure] = []
    unknown = sorted(set(expect) - KEYS)
    if unknown:
        failures.append(Failure("expect keys", sorted(KEYS), unknown))
    for key, wanted in expect.items():
        checker = _CHECKS.get(key)
        if checker is not None:
            failures.extend(checker(run, wanted))
    return failures


def same(expected: Any, actual: Any) -> bool:
    """Loose equality for scenario values: 5 == "5" == 5.0, 12 == "user_12", globs in text."""
    if isinstance(expected, list) or isinstance(actual, list):
        left = expected if isinstance(expected, list) else [expected]
        right = actual if isinstance(actual, list) else ([] if actual in ("", None) else [actual])
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right,
                                                                            strict=True))
    if isinstance(expected, bool):
        return to_str(actual).upper() in (("Y", "1", "TRUE") if expected else ("N", "", "0"))
    if is_numeric(expected) and is_numeric(actual):
        return to_float(expected) == to_float(actual)
    if isinstance(expected, int) and isinstance(actual, str) and actual.startswith("user_"):
        return user_id_of(actual) == expected
    return text_matches(to_str(expected), to_str(actual))


def text_matches(pattern: str, text: str) -> bool:
    if pattern == text:
        return True
    return any(c in pattern for c in "*?[") and fnmatch.fnmatchcase(text, pattern)


def _status(run: Run, wanted: Any) -> list[Failure]:
    if run.status == wanted:
        return []
    detail = f"{run.status} ({run.error})" if run.error else run.status
    return [Failure("status", wanted, detail)]


def _state(run: Run, wanted: Any) -> list[Failure]:
    node = run.nodes.get(run.state or "")
    title = node.title if node is not None else ""
    if (run.state is not None and same(wanted, run.state)) or same(wanted, title):
        return []
    return [Failure("state", wanted, run.state)]


def _status_text(run: Run, wanted: Any) -> list[Failure]:
    return [] if same(wanted, run.state_title) else [
        Failure("status text", wanted, run.state_title)]


def _error(run: Run, wanted: Any) -> list[Failure]:
    if run.error is not None and str(wanted) in run.error:
        return []
    return [Failure("error", wanted, run.error)]


def _values(what: str, actual: Mapping[str, Any]) -> Callable[[Run, Any], list[Failure]]:
    def check_values(run: Run, wanted: Any) -> list[Failure]:
        source = {"document": run.document, "variables": run.variables,
                  "global_variables": run.global_variables}[what]
        failures = []
        for key, value in dict(wanted).items():
            if key not in source:
                failures.append(Failure(f"{what}.{key}", value, "(not set)"))
            elif not same(value, source[key]):
                failures.append(Failure(f"{what}.{key}", value, source[key]))
        return failures
    return check_values


def _documents(run: Run, wanted: Any) -> list[Failure]:
    failures = []
    for key, fields in dict(wanted).items():
        document = run.store.get(str(key))
        if document is None or str(key).upper() in run.store.deleted:
            failures.append(Failure(f"documents.{key}", fields, "(no such document)"))
            continue
        for code, value in dict(fields).items():
            if code not in document:
                failures.append(Failure(f"documents.{key}.{code}", value, "(not set)"))
            elif not same(value, document[code]):
                failures.append(Failure(f"documents.{key}.{code}", value, document[code]))
    return failures


def _log(run: Run, wanted: Any) -> list[Failure]:
    lines = run.report_lines()
    expected = [str(w) for w in wanted]
    if len(lines) == len(expected) and all(text_matches(e, a) for e, a in zip(
            expected, lines, strict=True)):
        return []
    return [Failure("log", expected, lines)]


def _subsequence(wanted: list[Any], actual: list[Any],
                 fits: Callable[[Any, Any], bool]) -> Any:
    """The first wanted item that cannot be found after the previous match, or None."""
    position = 0
    for item in wanted:
        while position < len(actual) and not fits(item, actual[position]):
            position += 1
        if position == len(actual):
            return item
        position += 1
    return None


def _log_contains(run: Run, wanted: Any) -> list[Failure]:
    lines = run.report_lines()
    missing = _subsequence([str(w) for w in wanted], lines,
                           lambda w, line: w in line or text_matches(w, line))
    return [] if missing is None else [Failure("log line", missing, lines)]


def _path(run: Run, wanted: Any) -> list[Failure]:
    titles = [entry.title for entry in run.trace]
    missing = _subsequence([str(w) for w in wanted], titles,
                           lambda w, title: text_matches(w, title))
    return [] if missing is None else [Failure("path step", missing, titles)]


def _path_not(run: Run, wanted: Any) -> list[Failure]:
    titles = [entry.title for entry in run.trace]
    ran = [str(w) for w in wanted if any(text_matches(str(w), t) for t in titles)]
    return [Failure("path must not include", w, "it ran") for w in ran]


def _task_fits(want: Mapping[str, Any], task: Any) -> bool:
    checks = {
        "name": lambda v: text_matches(str(v), task.name),
        "title": lambda v: text_matches(str(v), task.title),
        "users": lambda v: sorted(user_id_of(u) or 0 for u in (v if isinstance(v, list)
                                                              else [v])) == sorted(task.users),
        "status": lambda v: str(v) == task.status,
        "kind": lambda v: str(v) == task.kind,
        "by": lambda v: sorted(user_id_of(u) or 0 for u in (v if isinstance(v, list) else [v]))
        == sorted(a.user for a in task.answers),
        "description": lambda v: text_matches(str(v), task.description),
    }
    return all(checks[k](v) if k in checks else False for k, v in want.items())


def _tasks(run: Run, wanted: Any) -> list[Failure]:
    missing = _subsequence(list(wanted), run.tasks, _task_fits)
    if missing is None:
        return []
    actual = [{"name": t.name, "users": t.users, "status": t.status, "kind": t.kind,
               "by": [a.user for a in t.answers]} for t in run.tasks]
    return [Failure("task", missing, actual)]


def _count(what: str, items: Callable[[Run], list[Any]]) -> Callable[[Run, Any], list[Failure]]:
    def check_count(run: Run, wanted: Any) -> list[Failure]:
        count = len(items(run))
        return [] if count == int(wanted) else [Failure(what, int(wanted), count)]
    return check_count


def _message_fits(want: Mapping[str, Any], message: Mapping[str, Any]) -> bool:
    for key, value in want.items():
        actual = message.get(key)
        if key in ("to",):
            wanted = [user_id_of(v) if user_id_of(v) is not None else v
                      for v in (value if isinstance(value, list) else [value])]
            if sorted(map(str, wanted)) != sorted(map(str, actual or [])):
                return False
        elif key == "from":
            if user_id_of(value) != user_id_of(actual) and str(value) != str(actual):
                return False
        elif key == "text":
            if not (text_matches(str(value), str(actual)) or str(value) == str(actual)):
                return False
        elif not same(value, actual):
            return False
    return True


def _messages(run: Run, wanted: Any) -> list[Failure]:
    missing = _subsequence(list(wanted), run.messages, _message_fits)
    if missing is None:
        return []
    actual = [{k: m[k] for k in ("kind", "from", "to", "subject", "text")}
              for m in run.messages]
    return [Failure("message", missing, actual)]


def _records(run: Run, wanted: Any) -> list[Failure]:
    def fits(want: Mapping[str, Any], record: Mapping[str, Any]) -> bool:
        return all(k in record and same(v, record[k]) if not isinstance(v, Mapping)
                   else all(same(iv, (record.get(k) or {}).get(ik)) for ik, iv in v.items())
                   for k, v in want.items())
    missing = _subsequence(list(wanted), run.records, fits)
    return [] if missing is None else [Failure("record", missing, run.records)]


_CHECKS: dict[str, Callable[[Run, Any], list[Failure]]] = {
    "status": _status, "state": _state, "status_text": _status_text, "error": _error,
    "document": _values("document", {}), "variables": _values("variables", {}),
    "log": _log, "log_contains": _log_contains, "path": _path, "path_not": _path_not,
    "tasks": _tasks, "task_count": _count("task count", lambda r: r.tasks),
    "messages": _messages, "message_count": _count("message count", lambda r: r.messages),
    "records": _records, "documents": _documents,
    "global_variables": _values("global_variables", {}),
}
