"""What `build` hands back: which workflows become templates when some files have errors."""

from __future__ import annotations

from pathlib import Path

from compiler.pipeline import build

GOOD = 'workflow good for crm.deal {\n    log "fine"\n}\n'


def _files(tmp_path: Path, **texts: str) -> list[Path]:
    paths = []
    for name, text in texts.items():
        path = tmp_path / f"{name}.bpl"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def test_error_inside_a_string_keeps_that_files_workflows_out(tmp_path: Path) -> None:
    # The bad escape is reported and the parser goes on, so an AST exists; its text lost
    # the escape, and a template made from it would not be what the author wrote.
    paths = _files(tmp_path, good=GOOD,
                   broken='workflow broken for crm.deal {\n    log "a\\qb"\n}\n')
    result = build(paths)
    assert [d.code for d in result.diagnostics] == ["E004"]
    assert [t.workflow for t in result.templates] == ["good"]


def test_duplicate_workflow_names_yield_no_template(tmp_path: Path) -> None:
    # Two templates of one name would overwrite each other on deploy.
    paths = _files(tmp_path, good=GOOD, twice=GOOD.replace("good", "twice") * 2)
    result = build(paths)
    assert [d.code for d in result.diagnostics] == ["E101"]
    assert [t.workflow for t in result.templates] == ["good"]


def test_a_file_with_a_checker_error_does_not_stop_other_files(tmp_path: Path) -> None:
    paths = _files(tmp_path, good=GOOD,
                   bad='workflow bad for crm.deal {\n    log "{doc.NOPE}"\n}\n')
    result = build(paths)
    assert [d.code for d in result.diagnostics] == ["E100"]
    assert [t.workflow for t in result.templates] == ["good"]
