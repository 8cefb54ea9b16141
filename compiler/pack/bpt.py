"""Moved to `compiler.bitrix.bpt`; these names stay until every reader imports them there."""

from compiler.bitrix.bpt import (
    BPT_KEYS,
    BptError,
    decode_template_data,
    encode_template_data,
    gzcompress,
)
from compiler.bitrix.bpt import pack_package as pack_template
from compiler.bitrix.bpt import unpack_package as unpack_template

__all__ = [
    "BPT_KEYS",
    "BptError",
    "decode_template_data",
    "encode_template_data",
    "gzcompress",
    "pack_template",
    "unpack_template",
]
