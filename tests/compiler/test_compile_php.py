"""Real PHP reads what the compiler writes, exactly as Bitrix's importer would.

For every golden fixture and every sample, one PHP process does what Bpt::unpack does —
gzuncompress, then unserialize without classes — and then writes the value back: serialize()
must give our uncompressed bytes and gzcompress($s, 9) our .bpt bytes, byte for byte.
Skipped (with the reason) when php-cli is missing; CI installs it.
"""

from __future__ import annotations

import json
import zlib

import pytest
from compile_support import (
    FIXTURES,
    fixture_environment,
    php_shape,
    sample_environment,
    sample_files,
)
from php import _READ_BLOBS, Php, frame, unframe

from compiler.codegen import CompiledTemplate
from compiler.pipeline import build

pytestmark = pytest.mark.php

GOLDEN = sorted((FIXTURES / "compile").glob("*.bpl"))

# For each .bpt blob: "ok" and three answers — the value as PHP sees it (JSON), serialize()
# of the unserialized value, gzcompress of the uncompressed text — or one "!step" answer
# naming the step that failed. $blobs and put() come from tests/php.py's framing.
_SCRIPT = r"""
foreach ($blobs as $blob) {
    $text = @gzuncompress($blob);
    if ($text === false) { put("!gzuncompress"); continue; }
    $value = @unserialize($text, ['allowed_classes' => false]);
    if (!is_array($value) || !array_key_exists('TEMPLATE', $value)) {
        put("!unserialize");
        continue;
    }
    put("ok");
    put(json_encode([
        'keys' => array_keys($value),
        'version' => $value['VERSION'],
        'root' => [$value['TEMPLATE'][0]['Type'], $value['TEMPLATE'][0]['Name']],
        'value' => $value,
    ], JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION | JSON_THROW_ON_ERROR));
    put(serialize($value));
    put(gzcompress($text, 9));
}
"""


def _templates() -> list[tuple[str, CompiledTemplate]]:
    found: list[tuple[str, CompiledTemplate]] = []
    for source in GOLDEN:
        result = build([source], fixture_environment(source.read_text(encoding="utf-8")))
        assert result.ok, source.name
        found += [(f"{source.stem}:{t.workflow}", t) for t in result.templates]
    samples = sample_files()
    if samples:
        result = build(samples, sample_environment())
        assert result.ok, [f"{d.code} {d.span}: {d.message}" for d in result.diagnostics]
        found += [(f"samples:{t.workflow}", t) for t in result.templates]
    return found


@pytest.fixture(scope="module")
def php_answers(php: Php) -> dict[str, tuple[CompiledTemplate, bytes, list[bytes]]]:
    templates = _templates()
    blobs = [t.bpt() for _, t in templates]
    answers = unframe(php.run(_READ_BLOBS + _SCRIPT, frame(blobs)))
    out: dict[str, tuple[CompiledTemplate, bytes, list[bytes]]] = {}
    for (key, template), blob in zip(templates, blobs, strict=True):
        status = answers.pop(0)
        assert status == b"ok", f"{key}: PHP failed at {status.decode()}"
        out[key] = (template, blob, [answers.pop(0) for _ in range(3)])
    assert answers == []
    return out


def test_every_fixture_and_sample_was_sent(
        php_answers: dict[str, tuple[CompiledTemplate, bytes, list[bytes]]]) -> None:
    stems = {key.split(":")[0] for key in php_answers}
    assert {p.stem for p in GOLDEN} <= stems
    if sample_files():
        assert "samples" in stems


def test_php_serialize_gives_back_our_bytes(
        php_answers: dict[str, tuple[CompiledTemplate, bytes, list[bytes]]]) -> None:
    for key, (_, blob, (_, reserialized, _)) in php_answers.items():
        assert reserialized == zlib.decompress(blob), key


def test_php_gzcompress_gives_back_our_file(
        php_answers: dict[str, tuple[CompiledTemplate, bytes, list[bytes]]]) -> None:
    for key, (_, blob, (_, _, compressed)) in php_answers.items():
        assert compressed == blob, key


def test_php_sees_the_package_we_meant(
        php_answers: dict[str, tuple[CompiledTemplate, bytes, list[bytes]]]) -> None:
    for key, (template, _, (shape, _, _)) in php_answers.items():
        seen = json.loads(shape)
        # Bitrix's packer writes exactly these keys, in this order (bitrix-format.md §1.2).
        assert seen["keys"] == ["VERSION", "TEMPLATE", "PARAMETERS", "VARIABLES", "CONSTANTS",
                                "DOCUMENT_FIELDS"], key
        assert seen["version"] == 2, key  # an integer, not "2"
        assert seen["root"][1] == "Template", key
        assert seen["root"][0] in ("SequentialWorkflowActivity",
                                   "StateMachineWorkflowActivity"), key
        assert seen["value"] == php_shape(template.template.to_package()), key
