"""A strict reader of the Mermaid flowchart subset `bpl graph` writes, for tests.

It accepts only what Mermaid's flowchart grammar accepts for these statements (quoted labels,
known shapes, ids that are not keywords, balanced subgraphs) and gives back what it read, so a
test can both reject invalid output and inspect the diagram.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ID = r"[A-Za-z_][A-Za-z0-9_]*"
# Words Mermaid's flowchart lexer takes as keywords wherever an id could stand.
KEYWORDS = {"end", "subgraph", "graph", "flowchart", "click", "class", "classDef", "style",
            "linkStyle", "direction", "call", "href", "default"}
SHAPES = [("((", "))"), ("([", "])"), ("[[", "]]"), ("[/", "/]"), ("[/", "\\]"), ("[\\", "/]"),
          ("{{", "}}"), ("[", "]"), ("{", "}"), ("(", ")")]
# Text inside quotes: no raw quote, no raw HTML but <br/>, entities written #name; or #123;.
_TEXT = r'(?:[^"<>]|<br/>)*'
_NODE = re.compile(rf"^(?P<id>{ID})(?P<open>[\[\(\{{/\\]+)\"(?P<text>{_TEXT})\""
                   rf"(?P<close>[\]\)\}}/\\]+)$")
_EDGE = re.compile(rf'^(?P<a>{ID}) (?P<arrow>-->|-\.->)(?:\|"(?P<text>{_TEXT})"\|)? (?P<b>{ID})$')
_SUBGRAPH = re.compile(rf'^subgraph (?P<id>{ID}) \["(?P<text>{_TEXT})"\]$')
_CLICK = re.compile(rf'^click (?P<id>{ID}) href "(?P<url>[^"]*)" "(?P<tip>[^"]*)"$')
_CLASSDEF = re.compile(rf"^classDef (?P<name>{ID}) "
                       rf"(?P<styles>[a-z-]+:[^\s,;]+(?:,[a-z-]+:[^,;]+)*)$")
_CLASS = re.compile(rf"^class (?P<ids>{ID}(?:,{ID})*) (?P<name>{ID})$")
_ENTITY = re.compile(r"#(?:[a-z]+|[0-9]+);")
_NAMED = {"quot": '"', "lt": "<", "gt": ">", "amp": "&"}


class MermaidError(AssertionError):
    pass


@dataclass
class Flowchart:
    direction: str
    nodes: dict[str, tuple[str, str]] = field(default_factory=dict)  # id → (shape, text)
    edges: list[tuple[str, str, str, str]] = field(default_factory=list)  # a, b, label, arrow
    subgraphs: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # id → label, ids
    clicks: dict[str, tuple[str, str]] = field(default_factory=dict)
    classes: dict[str, list[str]] = field(default_factory=dict)  # class → node ids
    class_defs: dict[str, str] = field(default_factory=dict)

    def text(self, node_id: str) -> str:
        return self.nodes[node_id][1]

    def out_edges(self, node_id: str) -> list[tuple[str, str, str, str]]:
        return [e for e in self.edges if e[0] == node_id]


def unescape(text: str) -> str:
    """Label text as a reader sees it: entities decoded, line breaks as spaces."""
    text = text.replace("<br/>", " ")

    def decode(match: re.Match[str]) -> str:
        name = match.group(0)[1:-1]
        return chr(int(name)) if name.isdigit() else _NAMED[name]

    return _ENTITY.sub(decode, text)


def _check_text(text: str, where: str) -> str:
    stray = _ENTITY.sub("", text.replace("<br/>", ""))
    if "#" in stray:
        raise MermaidError(f"{where}: a '#' that is not an entity: {text!r}")
    for match in _ENTITY.finditer(text):
        name = match.group(0)[1:-1]
        if not name.isdigit() and name not in _NAMED:
            raise MermaidError(f"{where}: unknown entity {match.group(0)}")
    if text.startswith("`"):
        raise MermaidError(f"{where}: a label starting with a backtick is a markdown string")
    return unescape(text)


def _id(value: str, where: str) -> str:
    if value in KEYWORDS or value.lower() == "end":
        raise MermaidError(f"{where}: {value!r} is a Mermaid keyword, not an id")
    return value


def parse(source: str) -> Flowchart:
    lines = source.splitlines()
    if not lines:
        raise MermaidError("empty diagram")
    head = re.fullmatch(r"flowchart (TB|TD|BT|LR|RL)", lines[0])
    if head is None:
        raise MermaidError(f"line 1: expected 'flowchart <direction>', got {lines[0]!r}")
    chart = Flowchart(head.group(1))
    stack: list[str] = []
    for number, raw in enumerate(lines[1:], 2):
        line = raw.strip()
        where = f"line {number}"
        if not line or line.startswith("%%"):
            continue
        if line == "end":
            if not stack:
                raise MermaidError(f"{where}: 'end' without a subgraph")
            stack.pop()
            continue
        if m := _SUBGRAPH.match(line):
            sid = _id(m["id"], where)
            if sid in chart.subgraphs or sid in chart.nodes:
                raise MermaidError(f"{where}: id {sid} used twice")
            chart.subgraphs[sid] = (_check_text(m["text"], where), [])
            stack.append(sid)
            continue
        if m := _EDGE.match(line):
            label = _check_text(m["text"], where) if m["text"] is not None else ""
            chart.edges.append((_id(m["a"], where), _id(m["b"], where), label, m["arrow"]))
            continue
        if m := _CLICK.match(line):
            chart.clicks[_id(m["id"], where)] = (m["url"], m["tip"])
            continue
        if m := _CLASSDEF.match(line):
            chart.class_defs[_id(m["name"], where)] = m["styles"]
            continue
        if m := _CLASS.match(line):
            if m["name"] not in chart.class_defs:
                raise MermaidError(f"{where}: class {m['name']} is not defined")
            chart.classes.setdefault(m["name"], []).extend(m["ids"].split(","))
            continue
        if m := _NODE.match(line):
            nid = _id(m["id"], where)
            shape = (m["open"], m["close"])
            if shape not in SHAPES:
                raise MermaidError(f"{where}: unknown shape {shape}")
            if nid in chart.nodes or nid in chart.subgraphs:
                raise MermaidError(f"{where}: node {nid} declared twice")
            chart.nodes[nid] = (m["open"] + m["close"], _check_text(m["text"], where))
            if stack:
                chart.subgraphs[stack[-1]][1].append(nid)
            continue
        raise MermaidError(f"{where}: not a flowchart statement: {line!r}")
    if stack:
        raise MermaidError(f"subgraph {stack[-1]} is not closed")
    declared = set(chart.nodes)
    for a, b, _, _ in chart.edges:
        for end in (a, b):
            if end not in declared:
                raise MermaidError(f"edge to undeclared node {end}")
    for ids in [list(chart.clicks), *chart.classes.values()]:
        missing = [i for i in ids if i not in declared]
        if missing:
            raise MermaidError(f"click/class of undeclared nodes {missing}")
    return chart
