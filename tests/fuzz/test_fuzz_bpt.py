"""Hostile `.bpt` files: truncated and corrupt zlib, PHP objects and references, wrong lengths
and counts, deep nesting, and random shape mutations of the compiled samples. Unpacking says
BptError in one sentence or gives a package; importing a package gives a workflow or one
ImportError_ sentence; `bpl import` prints one error line for the bad file and imports the
good one. Never a traceback, never "internal error".

tests/importer/test_hostile.py holds one file per known problem; this file searches for the
unknown ones. `make fuzz` runs it BPL_FUZZ_SCALE times longer.
"""

from __future__ import annotations

import copy
import re
import zlib
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from fuzzing import budget
from hypothesis import given
from hypothesis import strategies as st

from compiler.bitrix.bpt import BptError, gzcompress, unpack_package
from compiler.cli.main import main
from compiler.importer import DocumentError, Importer, ImportError_, TemplateSource, from_option
from compiler.php import serialize
from compiler.php.serialize import PhpSerializeError
from tests.importer.support import CATALOG, compile_samples

SAMPLES = {t.workflow: t for t in compile_samples()}
# The smaller samples: every mutation is imported, checked and compiled back.
SMALL = sorted(SAMPLES, key=lambda name: len(SAMPLES[name].bpt()))[:6]
IMPORTER = Importer(CATALOG)
DEAL = from_option(CATALOG, "crm.deal")
MAX_SIZE = 16 * 1024 * 1024


def import_cleanly(package: Any) -> None:
    """Importing gives a workflow or one sentence; anything else fails the test."""
    source = TemplateSource(package, "fuzz.bpt", suggested="fuzz")
    try:
        result = IMPORTER.run(source, DEAL)
    except (ImportError_, DocumentError) as error:
        assert str(error) and "\n" not in str(error)
        return
    assert result.text.startswith(("workflow ", "statemachine "))


def unpack_and_import(data: bytes) -> None:
    try:
        package = unpack_package(data, max_size=MAX_SIZE)
    except BptError as error:
        assert str(error).startswith(("not a Bitrix template", "the template package"))
        assert "\n" not in str(error)
        return
    import_cleanly(package)


# ── bytes ────────────────────────────────────────────────────────────────────────────────────

_TOKENS = [b'O:8:"stdClass":0:{}', b'O:8:"stdClass":1:{s:1:"a";i:1;}', b'C:3:"Foo":0:{}',
           b"r:1;", b"R:2;", b"E:7:\"X:Y\";", b"d:NAN;", b"d:INF;", b"i:99999999999999999999;",
           b"N;", b"b:2;", b"a:-1:{}", b"a:1:{", b"}", b's:-1:"";', b's:999999:"x";',
           b"a:1:{i:0;" * 300, b"}" * 300]
_LENGTH = re.compile(rb"([sa]):(\d+):")


@st.composite
def mutated_bytes(draw: st.DrawFn) -> bytes:
    name = draw(st.sampled_from(SMALL))
    plain = serialize(SAMPLES[name].template.to_package())
    data = bytearray(plain)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["length", "token", "flip", "cut", "splice"]))
        position = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "length":
            matches = list(_LENGTH.finditer(bytes(data)))
            if matches:
                match = draw(st.sampled_from(matches))
                number = draw(st.sampled_from([0, 1, int(match[2]) + 1, int(match[2]) - 1,
                                               10**9, 2**63]))
                data[match.start():match.end()] = match[1] + b":%d:" % number
        elif op == "token":
            data[position:position] = draw(st.sampled_from(_TOKENS))
        elif op == "flip" and data:
            data[position] ^= draw(st.integers(1, 255))
        elif op == "cut":
            del data[position:]
        elif op == "splice":
            data[position:position] = draw(st.binary(max_size=16))
    if draw(st.booleans()):
        return bytes(data)
    packed = bytearray(gzcompress(bytes(data)))
    corrupt = draw(st.sampled_from(["none", "truncate", "flip", "trailing", "header"]))
    spot = draw(st.integers(2, max(2, len(packed) - 1)))
    if corrupt == "truncate":
        del packed[spot:]
    elif corrupt == "flip" and spot < len(packed):
        packed[spot] ^= 0xFF
    elif corrupt == "trailing":
        packed += draw(st.binary(min_size=1, max_size=8))
    elif corrupt == "header":
        packed[1] ^= 0x01
    return bytes(packed)


@budget(80)
@given(data=mutated_bytes())
def test_mutated_bytes_unpack_and_import_cleanly(data: bytes) -> None:
    unpack_and_import(data)


@budget(20)
@given(depth=st.integers(0, 5000), kind=st.sampled_from(["array", "template", "zlib bomb"]))
def test_deep_or_large_packages_are_refused_in_a_sentence(depth: int, kind: str) -> None:
    if kind == "array":
        data = b'a:1:{s:8:"TEMPLATE";' + b"a:1:{i:0;" * depth + b"N;" + b"}" * (depth + 1)
    elif kind == "template":
        node: dict[str, Any] = {"Type": "LogActivity", "Name": "L", "Properties": {"Text": "x"}}
        for level in range(min(depth, 120)):
            node = {"Type": "SequenceActivity", "Name": f"S{level}", "Children": [node]}
        root = {"Type": "SequentialWorkflowActivity", "Name": "Template", "Children": [node]}
        try:
            data = gzcompress(serialize({"TEMPLATE": [root]}))
        except PhpSerializeError:
            return
    else:
        data = zlib.compress(b"a:1:{" + b" " * (depth * 4096), 1)
    unpack_and_import(data)


# ── shapes ───────────────────────────────────────────────────────────────────────────────────

_KEYS = st.sampled_from(["Type", "Name", "Properties", "Children", "Activated", "Title", "Text",
                         "Options", "Default", 0, 1, "", "a"])
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1),
                     st.floats(allow_nan=False), st.text(max_size=12),
                     st.sampled_from(["{=Document:TITLE}", "{=Variable:nope}", "{{=x",
                                      "{=A1:Result}", "Y", "N", "", "LogActivity",
                                      "IfElseActivity", "SequentialWorkflowActivity"]))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=3)), max_leaves=8)


def _activities(node: Any, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found.append(node)
        children = node.get("Children")
        for child in children if isinstance(children, list) else []:
            _activities(child, found)
    return found


@st.composite
def mutated_packages(draw: st.DrawFn) -> dict[str, Any]:
    package = copy.deepcopy(SAMPLES[draw(st.sampled_from(SMALL))].template.to_package())
    for _ in range(draw(st.integers(1, 3))):
        nodes = _activities(package["TEMPLATE"][0], [])
        node = draw(st.sampled_from(nodes))
        where = draw(st.sampled_from(["node", "property", "declarations", "child"]))
        properties = node.get("Properties")
        if where == "property" and isinstance(properties, dict) and properties:
            properties[draw(st.sampled_from(sorted(properties, key=str)))] = draw(_VALUES)
        elif where == "declarations":
            part = draw(st.sampled_from(["PARAMETERS", "VARIABLES", "CONSTANTS",
                                         "DOCUMENT_FIELDS"]))
            declared = package.get(part)
            if isinstance(declared, dict) and declared and draw(st.booleans()):
                name = draw(st.sampled_from(sorted(declared, key=str)))
                entry = declared[name]
                if isinstance(entry, dict):
                    entry[draw(st.sampled_from(["Type", "Default", "Multiple", "Required",
                                                "Options", "Name"]))] = draw(_VALUES)
                else:
                    declared[name] = draw(_VALUES)
            else:
                package[part] = draw(_VALUES)
        elif where == "child" and isinstance(node.get("Children"), list):
            position = draw(st.integers(0, len(node["Children"])))
            node["Children"].insert(position, draw(_VALUES))
        else:
            node[draw(_KEYS)] = draw(_VALUES)
    return package


@budget(60)
@given(package=mutated_packages())
def test_shape_mutations_of_the_samples_import_cleanly(package: dict[str, Any]) -> None:
    import_cleanly(package)


# ── through the command line ─────────────────────────────────────────────────────────────────

@budget(6)
@given(data=st.one_of(mutated_bytes(), mutated_packages().map(
    lambda package: gzcompress(serialize(package)))))
def test_bpl_import_prints_one_line_for_a_hostile_file(tmp_path_factory: Any,
                                                      data: bytes) -> None:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    bad, good = folder / "bad.bpt", folder / "good.bpt"
    bad.write_bytes(data)
    good.write_bytes(SAMPLES[SMALL[0]].bpt())
    result = CliRunner().invoke(main, ["import", str(bad), str(good), "--document", "crm.deal",
                                       "-o", str(folder / "out")])
    output = result.output + result.stderr
    assert "Traceback" not in output and "internal error" not in output, output
    assert result.exception is None or isinstance(result.exception, SystemExit), output
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(errors) <= 1 and all(line.startswith(f"{bad}: error: ") for line in errors)
    # Text from the file reaches the terminal escaped: no newline, no escape sequence.
    assert all(line.isprintable() for line in result.stderr.splitlines())
    assert (folder / "out" / "good.bpl").exists()
