"""`bpl check` and `bpl compile` replay their last result while nothing they read changed, and
never replay a stale or foreign one: a changed import, env value, catalog or compiler is a new
run; a damaged or forged entry is ignored."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import compiler.buildcache
import compiler.catalog.loader
import compiler.pipeline
import compiler.resources
import compiler.semantics.program
from compiler.cli.main import main

PROJECT = """\
[project]
sources = ["src"]
default_environment = "dev"

[environments.dev]
portal = "sandbox"
[environments.dev.values]
head = "user_12"
"""

LIB = """\
macro greet(who) {
    notify who "hello"
}
"""

SOURCE = """\
import "../common/lib.bpl"

workflow w for crm.deal {
    var when: datetime = dateadd(doc.BEGINDATE, 3d)
    greet(env.head)
    log "{var.when}"
}
"""


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # The key that signs entries lives in the user's cache folder: the test's own.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    monkeypatch.chdir(root)
    (root / "bpl.toml").write_text(PROJECT, encoding="utf-8")
    (root / "common").mkdir()  # imported, not a source: only its importer names it
    (root / "common" / "lib.bpl").write_text(LIB, encoding="utf-8")
    (root / "src" / "w.bpl").write_text(SOURCE, encoding="utf-8")
    return root


def bpl(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def entries(root: Path) -> list[Path]:
    return sorted((root / ".bpl" / "cache").glob("*.json"))


class Tripwire:
    """Counts the builds a command runs: a replayed run runs none."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.calls = 0
        real = compiler.pipeline.build

        def counted(*args: object, **kwargs: object) -> compiler.pipeline.BuildResult:
            self.calls += 1
            return real(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(compiler.pipeline, "build", counted)


def test_an_unchanged_project_is_replayed_exactly(project: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "src" / "w.bpl").write_text(SOURCE.replace("env.head", "env.haed"), "utf-8")
    builds = Tripwire(monkeypatch)
    for fmt in ("human", "json", "sarif"):
        first = bpl("check", "--format", fmt)
        again = bpl("check", "--format", fmt)
        assert (again.exit_code, again.stdout, again.stderr) == \
            (first.exit_code, first.stdout, first.stderr)
        assert first.exit_code == 1 and "E600" in first.stdout + first.stderr
    assert builds.calls == 1  # the entry keeps diagnostics, whatever the format printed
    fresh = bpl("check", "--format", "json", "--no-cache")
    assert builds.calls == 2 and fresh.stdout == bpl("check", "--format", "json").stdout


def test_compile_replays_the_same_files(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    builds = Tripwire(monkeypatch)
    assert bpl("compile", "-o", "one").exit_code == 0
    assert bpl("compile", "-o", "two").exit_code == 0
    assert builds.calls == 1
    assert (project / "one" / "w.bpt").read_bytes() == (project / "two" / "w.bpt").read_bytes()


def test_a_changed_import_is_checked_again(project: Path) -> None:
    assert bpl("check").exit_code == 0
    (project / "common" / "lib.bpl").write_text(LIB.replace("greet(who)", "greet(who, n)"),
                                             encoding="utf-8")
    changed = bpl("check", "--format", "json")
    assert changed.exit_code == 1 and "greet" in changed.stdout


def test_an_import_that_appears_is_read(project: Path) -> None:
    (project / "common" / "lib.bpl").unlink()
    assert "E010" in bpl("check", "--format", "json").stdout
    (project / "common" / "lib.bpl").write_text(LIB, encoding="utf-8")
    assert bpl("check", "--format", "json").exit_code == 0


def test_a_changed_env_value_is_checked_again(project: Path) -> None:
    assert bpl("check").exit_code == 0
    toml = project / "bpl.toml"
    toml.write_text(PROJECT.replace('head = "user_12"', 'chief = "user_12"'), encoding="utf-8")
    changed = bpl("check", "--format", "json")
    assert changed.exit_code == 1 and "env.head has no value" in changed.stdout
    assert bpl("check", "-D", "head=user_3").exit_code == 0


def test_a_changed_catalog_is_checked_again(project: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    stdlib = tmp_path / "stdlib"
    shutil.copytree(compiler.resources.stdlib_dir(), stdlib)
    for module in (compiler.resources, compiler.catalog.loader, compiler.semantics.program):
        monkeypatch.setattr(module, "stdlib_dir", lambda: stdlib)
    compiler.catalog.loader._load.cache_clear()
    monkeypatch.setattr(compiler.catalog.loader, "_load", compiler.catalog.loader._load)
    try:
        assert bpl("check").exit_code == 0
        functions = stdlib / "functions.toml"
        text = functions.read_text(encoding="utf-8")
        functions.write_text(text.replace("[functions.dateadd]\nmin_args = 2\nmax_args = 2",
                                          "[functions.dateadd]\nmin_args = 3\nmax_args = 3"),
                             encoding="utf-8")
        compiler.catalog.loader._load.cache_clear()
        changed = bpl("check", "--format", "json")
        assert changed.exit_code == 1 and "dateadd" in changed.stdout
    finally:
        compiler.catalog.loader._load.cache_clear()


def test_another_compiler_does_not_read_the_entry(project: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    builds = Tripwire(monkeypatch)
    bpl("check")
    monkeypatch.setattr(compiler.buildcache, "__version__", "99.0")
    bpl("check")
    assert builds.calls == 2
    bpl("check")
    assert builds.calls == 2


def test_a_damaged_entry_is_ignored(project: Path) -> None:
    (project / "src" / "w.bpl").write_text(SOURCE.replace("env.head", "env.haed"), "utf-8")
    first = bpl("check", "--format", "json")
    [entry] = entries(project)
    for damage in (b"", b"\x80\x04garbage", entry.read_bytes()[:-20]):
        entry.write_bytes(damage)
        again = bpl("check", "--format", "json")
        assert (again.exit_code, again.stdout) == (first.exit_code, first.stdout)


def test_a_forged_entry_is_ignored(project: Path) -> None:
    """An entry whose signature does not verify (another user's, one committed to the
    repository) cannot make a broken project pass."""
    (project / "src" / "w.bpl").write_text(SOURCE.replace("env.head", "env.haed"), "utf-8")
    assert bpl("check").exit_code == 1
    [entry] = entries(project)
    mac, _, body = entry.read_bytes().partition(b"\n")
    data = json.loads(body)
    data["diagnostics"] = []
    entry.write_bytes(mac + b"\n" + json.dumps(data, separators=(",", ":")).encode())
    assert bpl("check").exit_code == 1


def test_no_cache_writes_nothing(project: Path) -> None:
    bpl("check", "--no-cache")
    bpl("compile", "--no-cache")
    assert entries(project) == []


def test_old_entries_are_removed(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compiler.buildcache, "KEEP", 3)
    for n in range(5):
        (project / "src" / "w.bpl").write_text(SOURCE + f"// edit {n}\n", encoding="utf-8")
        bpl("check")
    assert len(entries(project)) == 3


OTHER = """\
workflow other for crm.lead {
    log "{doc.TITLE}"
}
"""


class CheckerCount:
    """Counts the workflows a command checks."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.names: list[str] = []
        real = compiler.pipeline.WorkflowChecker
        names = self.names

        class Counted(real):  # type: ignore[misc, valid-type]
            def check(self) -> object:
                names.append(self.workflow.name)
                return super().check()

        monkeypatch.setattr(compiler.pipeline, "WorkflowChecker", Counted)


def test_a_change_checks_only_the_workflows_it_touches(project: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "src" / "other.bpl").write_text(OTHER, encoding="utf-8")
    checked = CheckerCount(monkeypatch)
    for command in (("check", "--format", "json"), ("compile", "-o", "out")):
        assert bpl(*command).exit_code == 0
        (project / "src" / "other.bpl").write_text(OTHER.replace("TITLE", "TITLE}{doc.ID"),
                                                   encoding="utf-8")
        checked.names.clear()
        again = bpl(*command)
        assert checked.names == ["other"]
        fresh = bpl(*command[:-2], "-o", "fresh") if command[0] == "compile" else \
            bpl(*command, "--no-cache")
        assert (again.exit_code, again.stdout) == (fresh.exit_code, fresh.stdout)
        (project / "src" / "other.bpl").write_text(OTHER, encoding="utf-8")
    for name in ("w.bpt", "other.bpt"):
        assert (project / "out" / name).read_bytes() == (project / "fresh" / name).read_bytes()


def test_a_changed_macro_file_checks_every_workflow(project: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "src" / "other.bpl").write_text(OTHER, encoding="utf-8")
    bpl("check")
    checked = CheckerCount(monkeypatch)
    (project / "common" / "lib.bpl").write_text(LIB + "\n", encoding="utf-8")
    bpl("check")
    assert sorted(checked.names) == ["other", "w"]


def test_a_workflow_freed_of_a_duplicate_is_compiled(project: Path) -> None:
    """Whether a workflow is lowered is decided afresh: a duplicate name elsewhere stops it,
    and once the duplicate is gone its template is written."""
    # Loaded first (its name sorts first), so w.bpl holds the duplicate.
    (project / "src" / "copy.bpl").write_text(SOURCE.replace("BEGINDATE", "CLOSEDATE"),
                                              encoding="utf-8")
    assert "E101" in bpl("compile", "--format", "json", "-o", "out").stdout
    (project / "src" / "copy.bpl").unlink()
    assert bpl("compile", "-o", "out").exit_code == 0
    assert bpl("compile", "--no-cache", "-o", "fresh").exit_code == 0
    assert (project / "out" / "w.bpt").read_bytes() == (project / "fresh" / "w.bpt").read_bytes()


def test_a_cache_that_cannot_be_written_is_skipped(project: Path) -> None:
    (project / ".bpl").mkdir()
    (project / ".bpl" / "cache").write_text("not a folder", encoding="utf-8")
    first = bpl("check")
    assert first.exit_code == 0, first.output
    assert "0 error(s)" in first.stdout + first.stderr
    assert (project / ".bpl" / "cache").read_text(encoding="utf-8") == "not a folder"
