"""The four renderings of diagnostics: human (rustc style), JSON, GitHub annotations, SARIF."""

from __future__ import annotations

import json
import re
from pathlib import Path

from compile_support import FIXTURES

from compiler import __version__
from compiler.diagnostics import RULES, Diagnostic
from compiler.diagnostics.render import render_github, render_human, render_json, render_sarif
from compiler.pipeline import BuildResult, build

ERRORS = FIXTURES / "errors"


def _build(name: str) -> BuildResult:
    return build([ERRORS / name])


def _one(result: BuildResult) -> Diagnostic:
    [diagnostic] = result.diagnostics.sorted()
    return diagnostic


def test_human_rendering_shows_location_source_line_and_caret() -> None:
    result = _build("names_unknown_field.bpl")
    diagnostic = _one(result)
    lines = render_human([diagnostic], result.sources).splitlines()
    assert lines[0] == (f"{diagnostic.span.file}:5:11: error[E100]: crm.deal has no field "
                        "'TITEL' [unknown-reference]")
    source_line = next(line for line in lines if line.endswith('log "{doc.TITEL}"'))
    assert source_line.startswith("5 | ")
    underline = lines[lines.index(source_line) + 1]
    # The carets sit under the reference, as wide as it is.
    assert underline.index("^") == source_line.index("doc.TITEL")
    assert underline.count("^") == len("doc.TITEL")
    assert underline.strip(" |^") == ""
    assert lines[-1].strip() == "= help: did you mean 'TITLE'?"


def test_human_rendering_of_a_secondary_label() -> None:
    result = _build("duplicate_declaration.bpl")
    text = render_human(result.diagnostics.sorted(), result.sources)
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.endswith("param limit: double"))
    label = lines[first + 1]
    assert label.endswith("----- first declared here")
    assert label.index("-") == lines[first].index("limit")


def test_human_rendering_points_into_another_file(tmp_path: Path) -> None:
    (tmp_path / "a.bpl").write_text('workflow same for crm.deal {\n    log "a"\n}\n',
                                    encoding="utf-8")
    (tmp_path / "b.bpl").write_text('\nworkflow same for crm.lead {\n    log "b"\n}\n',
                                    encoding="utf-8")
    result = build([tmp_path])
    text = render_human(result.diagnostics.sorted(), result.sources)
    assert re.search(r"^\s*--> \S*a\.bpl:1:10$", text, re.MULTILINE), text
    assert re.search(r"\S*b\.bpl:2:10: error\[E101\]", text), text


def test_human_rendering_is_plain_without_color_and_painted_with_it() -> None:
    result = _build("names_unknown_field.bpl")
    assert "\x1b[" not in render_human(result.diagnostics, result.sources, color=False)
    painted = render_human(result.diagnostics, result.sources, color=True)
    assert "\x1b[1;31merror[E100]" in painted
    assert re.sub(r"\x1b\[[0-9;]*m", "", painted) == render_human(result.diagnostics,
                                                                   result.sources)


def test_human_rendering_of_a_warning_and_an_error_together() -> None:
    result = _build("activity_missing_required_property.bpl")
    text = render_human(result.diagnostics.sorted(), result.sources)
    assert ":7:5: error[E300]" in text
    assert ":7:28: warning[W301]" in text


def test_human_rendering_without_the_source_still_names_the_place() -> None:
    result = _build("names_unknown_field.bpl")
    diagnostic = _one(result)
    text = render_human([diagnostic], {})
    assert text.startswith(f"{diagnostic.span.file}:5:11: error[E100]")
    assert "^" not in text


def test_json_rendering_parses_and_carries_every_field() -> None:
    result = _build("activity_missing_required_property.bpl")
    items = json.loads(render_json(result.diagnostics.sorted()))
    assert [(i["code"], i["severity"], i["line"], i["column"]) for i in items] == \
        [("E300", "error", 7, 5), ("W301", "warning", 7, 28)]
    warning = items[1]
    assert warning["rule"] == RULES["W301"].name
    assert warning["file"].endswith("activity_missing_required_property.bpl")
    assert (warning["end_line"], warning["end_column"]) == (7, 31)
    assert warning["help"] == "did you mean 'Text'?"


def test_json_rendering_of_nothing_is_an_empty_list() -> None:
    assert json.loads(render_json([])) == []


_GITHUB = re.compile(r"^::(error|warning) (?P<props>[^:]*(?:%3A[^:]*)*)::(?P<message>.*)$")


def test_github_annotations_have_properties_and_escaped_text() -> None:
    result = _build("activity_missing_required_property.bpl")
    lines = render_github(result.diagnostics.sorted()).splitlines()
    assert len(lines) == 2  # one line per diagnostic: newlines in texts are escaped
    match = _GITHUB.match(lines[1])
    assert match is not None, lines[1]
    props = dict(item.split("=", 1) for item in match["props"].split(","))
    assert props["line"] == "7" and props["col"] == "28" and props["title"] == "W301"
    assert props["file"].endswith("activity_missing_required_property.bpl")
    assert lines[1].startswith("::warning ")
    assert "%0Ahelp: did you mean 'Text'?" in match["message"]


def test_github_annotation_escapes_property_separators() -> None:
    from compiler.diagnostics import Severity
    from compiler.source import Span

    diagnostic = Diagnostic("E100", Severity.ERROR, "50% done\nnext", Span("a,b:c.bpl", 1, 2, 1, 3))
    line = render_github([diagnostic])
    assert line == ("::error file=a%2Cb%3Ac.bpl,line=1,col=2,endLine=1,endColumn=3,title=E100"
                    "::50%25 done%0Anext")


def test_sarif_is_valid_json_with_rules_and_results() -> None:
    result = _build("activity_missing_required_property.bpl")
    log = json.loads(render_sarif(result.diagnostics.sorted(), version=__version__))
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "bpl" and driver["version"] == __version__
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert rule_ids == ["E300", "W301"]
    for rule in driver["rules"]:
        assert rule["name"] == RULES[rule["id"]].name
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
    levels = {(r["ruleId"], r["level"]) for r in run["results"]}
    assert levels == {("E300", "error"), ("W301", "warning")}
    for item in run["results"]:
        assert item["ruleId"] in rule_ids
        [location] = item["locations"]
        region = location["physicalLocation"]["region"]
        assert region["startLine"] == 7 and region["startColumn"] >= 1
        assert region["endLine"] >= region["startLine"]
        uri = location["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.endswith("activity_missing_required_property.bpl")
        assert item["message"]["text"]


def test_sarif_of_a_clean_run_has_no_results() -> None:
    log = json.loads(render_sarif([], version="0"))
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"] == []
