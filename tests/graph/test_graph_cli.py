"""`bpl graph` as a user runs it, in a scratch project with a copy of the samples."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from graph_support import SAMPLES, needs_graphviz
from mermaid_check import parse

from compiler.cli.main import main


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(SAMPLES, tmp_path / "samples", ignore=shutil.ignore_patterns("robot_app"))
    (tmp_path / "bpl.toml").write_text('[project]\nsources = ["samples"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_one_workflow_as_mermaid_on_stdout(project: Path) -> None:
    result = run("graph", "samples/contract_review.bpl")
    assert result.exit_code == 0, result.stderr
    chart = parse(result.stdout)
    assert chart.clicks["wf_start"] == ("samples/contract_review.bpl#L9",
                                        "samples/contract_review.bpl:9")


def test_several_workflows_need_a_choice_or_a_folder(project: Path) -> None:
    result = run("graph", "samples")
    assert result.exit_code == 1
    assert "choose one with --workflow, or give -o FOLDER" in result.stderr
    unknown = run("graph", "samples", "--workflow", "nope")
    assert unknown.exit_code == 1 and "no workflow nope in the sources" in unknown.stderr


def test_format_follows_the_output_suffix(project: Path) -> None:
    result = run("graph", "samples", "--workflow", "deal_approval", "-o", "out/deal.dot")
    assert result.exit_code == 0, result.stderr
    text = (project / "out" / "deal.dot").read_text(encoding="utf-8")
    assert text.startswith('digraph "Large deal approval" {')
    # Links are relative to the folder the drawing is written to.
    assert 'URL="../samples/deal_approval.bpl#L15"' in text


@needs_graphviz
def test_every_workflow_into_a_folder_as_svg(project: Path) -> None:
    result = run("graph", "samples", "-o", "pictures", "--format", "svg",
                 "--link-base", "https://example.com/repo/blob/main")
    assert result.exit_code == 0, result.stderr
    drawn = sorted(p.name for p in (project / "pictures").iterdir())
    assert "vacation_request.svg" in drawn and len(drawn) == 9
    svg = (project / "pictures" / "contract_review.svg").read_text(encoding="utf-8")
    assert "https://example.com/repo/blob/main/samples/contract_review.bpl#L30" in svg


def test_svg_without_graphviz_is_one_sentence(project: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(project))  # no `dot`
    result = run("graph", "samples", "--workflow", "deal_approval", "--format", "svg")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: --format svg needs Graphviz")
    assert "Traceback" not in result.stderr


def test_a_workflow_with_errors_is_not_drawn(project: Path) -> None:
    (project / "samples" / "broken.bpl").write_text(
        "workflow broken for crm.deal {\n    log doc.NO_SUCH_FIELD\n}\n", encoding="utf-8")
    result = run("graph", "samples", "--workflow", "broken")
    assert result.exit_code == 1
    assert "broken.bpl:2" in result.stderr and "has errors" in result.stderr
