"""PHP serialize/unserialize: bytes in, bytes out, no workflow knowledge. (`.bpt` packing is
the Bitrix layer's: compiler.bitrix.bpt.)"""

from compiler.pack.php import PhpSerializeError, PhpValue, serialize, unserialize

__all__ = [
    "PhpSerializeError",
    "PhpValue",
    "serialize",
    "unserialize",
]
