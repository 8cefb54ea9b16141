"""`bpl import` on files made to hurt: each gets one clear error line, quickly, and never a
traceback; the other files of the same run are still imported."""

from __future__ import annotations

import copy
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.bitrix.bpt import gzcompress, pack_package
from compiler.cli.main import main
from compiler.php import serialize
from tests.importer.designer import BIG_DEAL


def _nested(depth: int) -> dict[str, object]:
    leaf: dict[str, object] = {"Type": "LogActivity", "Name": "L", "Properties": {
        "Title": "x", "Text": "deep"}, "Children": []}
    for level in range(depth):
        leaf = {"Type": "SequenceActivity", "Name": f"S{level}",
                "Properties": {"Title": "s"}, "Children": [leaf]}
    return {"TEMPLATE": [{"Type": "SequentialWorkflowActivity", "Name": "Template",
                          "Properties": {"Title": "t"}, "Children": [leaf]}]}


def _wide(count: int) -> dict[str, object]:
    leaf = {"Type": "LogActivity", "Name": "L", "Properties": {"Title": "x", "Text": "y"}}
    return {"TEMPLATE": [{"Type": "SequentialWorkflowActivity", "Name": "Template",
                          "Properties": {"Title": "t"}, "Children": [leaf] * count}]}


def _shaped(**changes: object) -> bytes:
    """A small template whose log activity (or, with `root=True`, whose root) is changed."""
    root = changes.pop("root", False)
    leaf: dict[str, object] = {"Type": "LogActivity", "Name": "L1", "Properties": {
        "Title": "x", "Text": "y"}}
    top: dict[str, object] = {"Type": "SequentialWorkflowActivity", "Name": "Template",
                              "Properties": {"Title": "t"}, "Children": [leaf]}
    (top if root else leaf).update(changes)
    return pack_package({"TEMPLATE": [top]})


def _branch_holding(child: object) -> bytes:
    branch = {"Type": "IfElseBranchActivity", "Name": "B1", "Properties": {"Title": "b"},
              "Children": [child]}
    return _shaped(root=True, Children=[{"Type": "IfElseActivity", "Name": "I1",
                                         "Properties": {"Title": "if"},
                                         "Children": [branch]}])


def _text_before_the_activities() -> bytes:
    """The reproducer of "internal error (IndexError)": a text among a real template's
    children shifted every path after it."""
    package = copy.deepcopy(BIG_DEAL)
    root = package["TEMPLATE"][0]
    root["Children"] = ["x", *root["Children"]]
    return pack_package(package)


GOOD = pack_package(BIG_DEAL)
CASES: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "the file is empty"),
    "random bytes": (bytes(range(256)) * 4, "neither serialized PHP nor zlib"),
    "truncated zlib": (GOOD[: len(GOOD) // 2], "truncated"),
    "corrupt zlib": (GOOD[:2] + b"\x00" * 40 + GOOD[42:], "corrupt"),
    "trailing garbage": (GOOD + b"junk", "unexpected bytes after the zlib data"),
    "decompression bomb": (zlib.compress(b"a:1:{" + b" " * (64 * 1024 * 1024), 9),
                           "larger than 16 MiB once decompressed"),
    "php object": (b'a:1:{s:8:"TEMPLATE";O:8:"stdClass":0:{}}', "object"),
    "wrong string length": (b'a:1:{s:8:"TEMPLATE";s:99:"short";}', "not a Bitrix template"),
    "absurd nesting": (b"a:1:{i:0;" * 5000 + b"N;" + b"}" * 5000, "nest"),
    "not a template": (serialize({"VERSION": 2}), "no TEMPLATE key"),
    "no root": (pack_package({"TEMPLATE": []}), "exactly one root activity"),
    "node designer root": (pack_package({"TEMPLATE": [{"Type": "NodeWorkflowActivity",
                                                        "Name": "Template"}]}),
                           "NodeWorkflowActivity root has no .bpl form"),
    "activities nested too deep": (pack_package(_nested(110)), "more than 100 levels"),
    "too many activities": (pack_package(_wide(6000)), "more than 5000 activities"),
    # Shapes Bitrix never writes: one sentence that says where, not "internal error".
    "children hold a text": (_shaped(root=True, Children=["x", {"Type": "LogActivity"}]),
                             "damaged: the Children of activity Template "
                             "(SequentialWorkflowActivity, at TEMPLATE[0]) hold a text where "
                             "an activity belongs"),
    "children hold a number": (_shaped(root=True, Children=[7]), "hold a number where"),
    "text before the activities": (_text_before_the_activities(), "hold a text where"),
    "children a text": (_shaped(root=True, Children="abc"),
                        "are a text, not a list of activities"),
    "children a number": (_shaped(root=True, Children=5), "are a number, not a list"),
    "nested children garbage": (_branch_holding([1, 2]),
                                "activity B1 (IfElseBranchActivity, at TEMPLATE[0].Children[0]"
                                ".Children[0]) hold a list where an activity belongs"),
    "properties a text": (_shaped(Properties="x"), "the Properties of activity L1 "
                          "(LogActivity, at TEMPLATE[0].Children[0]) are a text"),
    "properties a list": (_shaped(Properties=["a", "b"]), "are a list, not an array of"),
    "type missing": (_shaped(Type=None), "the activity at TEMPLATE[0].Children[0] has no Type"),
    "type a number": (_shaped(Type=5), "has a number as its Type"),
    "type empty": (_shaped(Type=" "), "has an empty Type"),
    "name a list": (_shaped(Name=[1]), "has a list as its Name"),
    "root type a list": (_shaped(root=True, Type=["x"]), "at TEMPLATE[0] has a list as its"),
    "root type with escapes": (_shaped(root=True, Type="Evil\n\x1b[2J"),
                               "a Evil\\n\\x1b[2J root has no .bpl form"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_file_gets_one_line_and_the_others_are_imported(tmp_path: Path, case: str) -> None:
    data, expected = CASES[case]
    bad = tmp_path / "bad.bpt"
    bad.write_bytes(data)
    good = tmp_path / "good.bpt"
    good.write_bytes(GOOD)
    result = CliRunner().invoke(main, ["import", str(bad), str(good), "--document",
                                       "crm.deal", "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output + result.stderr
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and errors[0].startswith(f"{bad}: error: ")
    assert expected in errors[0], errors[0]
    assert (tmp_path / "out" / "good.bpl").exists()


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    huge = tmp_path / "huge.bpt"
    with huge.open("wb") as handle:
        handle.seek(17 * 1024 * 1024)
        handle.write(b"\0")
    result = CliRunner().invoke(main, ["import", str(huge), "--document", "crm.deal",
                                       "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "larger than 16 MiB" in result.stderr


def test_uncompressed_serialized_template_is_accepted(tmp_path: Path) -> None:
    plain = tmp_path / "plain.bpt"
    plain.write_bytes(serialize(BIG_DEAL))
    result = CliRunner().invoke(main, ["import", str(plain), "--document", "crm.deal",
                                       "-o", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "plain.bpl").exists()


def test_texts_that_are_not_utf8_are_reported(tmp_path: Path) -> None:
    package = {"TEMPLATE": [{"Type": "SequentialWorkflowActivity", "Name": "Template",
                             "Properties": {"Title": "t"}, "Children": [
                                 {"Type": "LogActivity", "Name": "L", "Properties": {
                                     "Title": "Log", "Text": b"caf\xe9"}}]}]}
    path = tmp_path / "latin1.bpt"
    path.write_bytes(gzcompress(serialize(package)))
    result = CliRunner().invoke(main, ["import", str(path), "--document", "crm.deal",
                                       "-o", str(tmp_path)])
    assert "not UTF-8" in result.stderr
    assert 'log "caf\ufffd"' in (tmp_path / "latin1.bpl").read_text(encoding="utf-8")


def test_children_that_are_null_or_empty_are_no_children(tmp_path: Path) -> None:
    for index, children in enumerate((None, [], {})):
        path = tmp_path / f"empty_{index}.bpt"
        path.write_bytes(_shaped(Children=children))
        result = CliRunner().invoke(main, ["import", str(path), "--document", "crm.deal",
                                           "-o", str(tmp_path / "out")])
        assert result.exit_code == 0, result.stderr


def test_formula_with_a_number_of_thousands_of_digits_imports(tmp_path: Path) -> None:
    """Calc reads an integer beyond PHP_INT_MAX as a float; Python's int() refuses more than
    4,300 digits, so the importer must not make one."""
    digits = "7" * 4400
    source = tmp_path / "big.bpt"
    source.write_bytes(_shaped(Properties={"Title": "x", "Text": f"={digits} + 1"}))
    result = CliRunner().invoke(main, ["import", str(source), "--document", "crm.deal",
                                       "-o", str(tmp_path / "out")])
    assert "Traceback" not in result.output + result.stderr
    assert result.exit_code == 0, result.stderr
    assert digits in (tmp_path / "out" / "big.bpl").read_text(encoding="utf-8")
