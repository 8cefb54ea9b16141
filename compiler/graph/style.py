"""Colours and line styles shared by every writer, so Mermaid and Graphviz drawings agree."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from compiler.graph.model import GraphNode, Link, Mark, NodeKind

Href = Callable[[Link], str | None]

# fill, stroke per node kind.
KIND_COLORS: dict[NodeKind, tuple[str, str]] = {
    "start": ("#e8f0fe", "#1a56db"),
    "end": ("#e8f0fe", "#1a56db"),
    "action": ("#ffffff", "#57606a"),
    "task": ("#fff8c5", "#9a6700"),
    "wait": ("#f3e8ff", "#8250df"),
    "robot": ("#ddf4ff", "#0969da"),
    "decision": ("#f6f8fa", "#57606a"),
    "fork": ("#f6f8fa", "#57606a"),
    "join": ("#f6f8fa", "#57606a"),
    "listen": ("#f6f8fa", "#8250df"),
    "loop": ("#f6f8fa", "#57606a"),
    "terminate": ("#ffebe9", "#cf222e"),
    "state": ("#ffffff", "#1a56db"),
}
# fill, stroke of a node a plan adds, changes, moves or removes.
MARK_COLORS: dict[Mark, tuple[str, str]] = {
    "added": ("#dafbe1", "#1a7f37"),
    "changed": ("#fff1c2", "#bf8700"),
    "moved": ("#ddf4ff", "#0969da"),
    "removed": ("#ffebe9", "#cf222e"),
}
MARK_SIGNS: dict[Mark, str] = {"added": "+", "changed": "~", "moved": "↷", "removed": "-"}
DISABLED = ("#f6f8fa", "#8c959f")
UNCOVERED_STROKE = "#bc4c00"


def colors(node: GraphNode) -> tuple[str, str]:
    if node.mark is not None:
        return MARK_COLORS[node.mark]
    if node.disabled:
        return DISABLED
    return KIND_COLORS[node.kind]


def lines(node: GraphNode) -> list[str]:
    """The node's text, one entry per line: title (marked), details, notes."""
    title = node.label
    if node.mark is not None:
        title = f"{MARK_SIGNS[node.mark]} {title}"
    out = [title, *node.detail]
    if node.disabled:
        out.append("(disabled)")
    if node.covered is False:
        out.append("(not covered by the scenarios)")
    return out


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` characters, broken at spaces where possible."""
    words = text.split(" ")
    result: list[str] = []
    line = ""
    for word in words:
        while len(word) > width:
            if line:
                result.append(line)
                line = ""
            result.append(word[:width])
            word = word[width:]
        if line and len(line) + 1 + len(word) > width:
            result.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    result.append(line)
    return result


def relative_links(base: Path) -> Href:
    """Links to source lines relative to `base` (the folder the drawing is written to), with
    the line as a `#L<n>` fragment, as code hosts and editors read it."""

    def href(link: Link) -> str | None:
        target = Path(link.file)
        if link.file.startswith("<"):
            return None  # sources without a file (`<text>`)
        relative = os.path.relpath(target.resolve(), base.resolve())
        return f"{Path(relative).as_posix()}#L{link.line}"

    return href


def prefixed_links(prefix: str, root: Path) -> Href:
    """Links under `prefix` (a repository's URL) by the path relative to the project `root`."""

    def href(link: Link) -> str | None:
        if link.file.startswith("<"):
            return None
        target = Path(link.file).resolve()
        try:
            path = target.relative_to(root.resolve()).as_posix()
        except ValueError:
            path = target.as_posix().lstrip("/")
        return f"{prefix.rstrip('/')}/{path}#L{link.line}"

    return href
