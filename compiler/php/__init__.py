"""PHP's value rules in one place: serialize/unserialize (`serialize`), casts, comparisons and
emptiness (`values`), query strings both ways (`forms`). No workflow knowledge; `.bpt` packing
is the Bitrix layer's (compiler.bitrix.bpt)."""

from compiler.php.serialize import PhpSerializeError, PhpValue, serialize, unserialize

__all__ = [
    "PhpSerializeError",
    "PhpValue",
    "serialize",
    "unserialize",
]
