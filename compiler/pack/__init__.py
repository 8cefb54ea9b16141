"""PHP serialize/unserialize and `.bpt` packing: bytes in, bytes out, no workflow knowledge."""

from compiler.pack.bpt import (
    BPT_KEYS,
    BptError,
    decode_template_data,
    encode_template_data,
    gzcompress,
    pack_template,
    unpack_template,
)
from compiler.pack.php import PhpSerializeError, PhpValue, serialize, unserialize

__all__ = [
    "BPT_KEYS",
    "BptError",
    "PhpSerializeError",
    "PhpValue",
    "decode_template_data",
    "encode_template_data",
    "gzcompress",
    "pack_template",
    "serialize",
    "unpack_template",
    "unserialize",
]
