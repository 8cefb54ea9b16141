"""Number literals that Bitrix, which runs on PHP, cannot hold as written.

PHP integers are 64-bit. PHP reads an integer literal beyond PHP_INT_MAX as the nearest float,
and a number beyond the float range as INF; the syntax tree already holds those values (see
pack.php.php_integer_literal), so compiling writes what PHP would. This says so to the author.
"""

from __future__ import annotations

import math

from compiler.diagnostics import Diagnostics
from compiler.php.serialize import format_float
from compiler.syntax import ast

_HELP = ('write it as a string ("…") if every digit matters, such as an ID from another '
         "system")


def check_number(number: ast.Number, diagnostics: Diagnostics) -> None:
    """Warn (W005) about a literal whose value is not what it says."""
    written = _shown(number.text)
    if isinstance(number.value, float) and math.isinf(number.value):
        diagnostics.warning("W005", f"{written} is beyond the range of PHP's floats; PHP makes "
                                    f"it {format_float(number.value)}", number.span, help=_HELP)
    elif isinstance(number.value, float) and "." not in number.text:
        diagnostics.warning("W005", f"integer {written} does not fit in 64 bits; PHP makes it "
                                    f"the float {format_float(number.value)}", number.span,
                            help=_HELP)


def _shown(text: str) -> str:
    digits = len(text.lstrip("-"))
    return text if digits <= 40 else f"{text[:20]}… ({digits:,} digits)"
