"""Help for a name that was not found ("did you mean …?"), and the one wording of an option
block's key errors, shared by statements and robot declarations."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Literal

from compiler.diagnostics import Diagnostics, Label
from compiler.diagnostics.model import did_you_mean_help
from compiler.source import Span

if TYPE_CHECKING:  # the syntax tree only names a type here; `bpl check`'s replay loads no parser
    from compiler.syntax import ast


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    pool = list(candidates)
    close = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    if not close:
        upper = {c.upper(): c for c in pool}
        if name.upper() in upper:
            close = [upper[name.upper()]]
    return did_you_mean_help(close[0]) if close else None


OptionKey = Literal["unknown", "repeated", "first"]


def option_key(diag: Diagnostics, owner: str, specs: Mapping[str, object],
               setting: ast.Setting, seen: Mapping[str, Span]) -> OptionKey:
    """Report an option block's key that `owner` does not take (E303) or that `seen` holds
    already (E101); statements and robot declarations word these alike. The caller records
    `seen` and decides whether a repeated option's value is still checked."""
    if setting.key not in specs:
        diag.error("E303", f"'{owner}' has no option '{setting.key}'", setting.key_span,
                   help=did_you_mean(setting.key, specs) or
                   f"options are: {', '.join(sorted(specs))}")
        return "unknown"
    if setting.key in seen:
        diag.error("E101", f"option '{setting.key}' is given twice", setting.key_span,
                   labels=(Label(seen[setting.key], "first"),))
        return "repeated"
    return "first"
