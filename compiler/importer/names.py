"""Names the importer writes: which Bitrix ids can stand as .bpl names, and fresh ones."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from compiler.diagnostics import Diagnostics
from compiler.semantics.builtins import BUILTIN_NAMES
from compiler.source import SourceFile
from compiler.syntax import parse_module
from compiler.syntax.grammar import keywords, name_pattern

# Heads of references (a label or loop variable named like one would hide it) and the names
# of special calls.
BUILTINS = BUILTIN_NAMES


def is_name(text: str) -> bool:
    """Can `text` be written as a .bpl name anywhere (a label, a loop variable)? The keywords
    of grammar/bpl.lark are refused: the contextual lexer admits most of them as names where no
    keyword fits, but a generated name never relies on that."""
    return bool(name_pattern().fullmatch(text)) and text not in keywords()


@cache
def is_member_name(text: str) -> bool:
    """Can `text` be the name of a declaration, field or state? Those stand only where the
    grammar expects a name (`var NAME:`, `var.NAME`, `state NAME`, `goto NAME`), where the
    contextual lexer reads most keywords as names too; a keyword is tried out."""
    if not name_pattern().fullmatch(text):
        return False
    if text not in keywords():
        return True
    probe = (f"statemachine w for crm.deal {{\n    var {text}: int\n    field {text}: int\n"
             f"    state {text} {{\n        enter {{\n            var.{text} = doc.{text}\n"
             f"            log \"{{var.{text}}}\"\n            goto {text}\n        }}\n"
             f"    }}\n}}\n")
    diagnostics = Diagnostics()
    module = parse_module(SourceFile.from_text("probe.bpl", probe), diagnostics)
    return module is not None and not diagnostics.has_errors


def slug(text: str, fallback: str, *, keywords: bool = False) -> str:
    """A lower-case name made of the ASCII letters and digits of `text`; with `keywords`, a
    keyword may be the name (where only a name can stand, as for states)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[A-Za-z0-9]+", ascii_text.lower())
    name = "_".join(words)[:40].strip("_")
    if not name or name[0].isdigit():
        name = f"{fallback}_{name}" if name else fallback
    usable = is_member_name(name) if keywords else is_name(name)
    return name if usable and name not in BUILTINS else f"{name}_"


# Device names Windows reserves in every folder, whatever the extension (con.bpl is the
# console); superscript digits count as well.
_WINDOWS_DEVICES = frozenset({"con", "prn", "aux", "nul",
                              *(f"{port}{n}" for port in ("com", "lpt")
                                for n in (*"123456789", "\u00b9", "\u00b2", "\u00b3"))})
_UNSAFE_IN_FILE_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def file_stem(name: str) -> str:
    """A file name (without extension) every system can create for `name`: no character
    Windows refuses, no trailing dot or space (Windows drops them), and not a device name
    (CON, NUL, COM1, … in any case, with any extension) — those get a `_`."""
    stem = _UNSAFE_IN_FILE_NAMES.sub("_", name).rstrip(". ") or "workflow"
    base, dot, rest = stem.partition(".")
    if base.rstrip(" ").casefold() in _WINDOWS_DEVICES:
        stem = f"{base}_{dot}{rest}"
    return stem


class Names:
    """Hands out names unique within one scope."""

    def __init__(self, taken: set[str] | None = None) -> None:
        self.taken = set(taken or ())

    def claim(self, wanted: str) -> str:
        name = wanted
        counter = 2
        while name in self.taken or not is_member_name(name) or name in BUILTINS:
            name = f"{wanted}_{counter}"
            counter += 1
        self.taken.add(name)
        return name
