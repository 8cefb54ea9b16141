"""`bpl fmt` and `bpl fmt --check` on files, folders and standard input."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from compiler.cli.main import main

ROOT = Path(__file__).resolve().parents[2]

MESSY = 'workflow w for crm.deal {\n  log   "x"   // note\n\n\n  log "y" }\n'
NEAT = 'workflow w for crm.deal {\n    log "x"  // note\n\n    log "y"\n}\n'


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["fmt", *args], input=input)
    return result.exit_code, result.stdout, result.stderr


def test_check_passes_on_formatted_files(tmp_path: Path) -> None:
    (tmp_path / "a.bpl").write_text(NEAT, encoding="utf-8")
    code, out, err = run("--check", str(tmp_path))
    assert (code, out) == (0, "")
    assert "0 of 1 file(s) would be reformatted" in err


def test_check_fails_with_a_diff_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "a.bpl"
    path.write_text(MESSY, encoding="utf-8")
    code, out, _ = run("--check", str(path))
    assert code == 1
    assert out.startswith("---") and "+    log \"x\"  // note" in out
    assert path.read_text(encoding="utf-8") == MESSY


def test_formats_in_place_and_then_has_nothing_to_do(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "a.bpl"
    path.parent.mkdir()
    path.write_text(MESSY, encoding="utf-8")
    code, _, err = run(str(tmp_path))
    assert code == 0 and "reformatted" in err
    assert path.read_text(encoding="utf-8") == NEAT
    assert run("--check", str(tmp_path))[0] == 0


def test_windows_line_endings_are_reformatted(tmp_path: Path) -> None:
    path = tmp_path / "a.bpl"
    path.write_bytes(NEAT.replace("\n", "\r\n").encode())
    assert run("--check", str(path))[0] == 1
    assert run(str(path))[0] == 0
    assert path.read_bytes() == NEAT.encode()


def test_syntax_errors_are_reported_and_the_file_is_left_alone(tmp_path: Path) -> None:
    broken = tmp_path / "broken.bpl"
    broken.write_text('workflow w for crm.deal {\n    log "x"\n', encoding="utf-8")
    good = tmp_path / "good.bpl"
    good.write_text(MESSY, encoding="utf-8")
    code, _, err = run(str(tmp_path))
    assert code == 1
    assert "E003" in err and "not formatted (syntax errors)" in err
    assert broken.read_text(encoding="utf-8") == 'workflow w for crm.deal {\n    log "x"\n'
    assert good.read_text(encoding="utf-8") == NEAT  # the other files are still formatted


def test_not_utf8_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "latin.bpl").write_bytes(b'workflow w for crm.deal { log "\xe9" }')
    code, _, err = run(str(tmp_path))
    assert code == 1 and "not UTF-8" in err


def test_standard_input() -> None:
    assert run("-", input=MESSY)[:2] == (0, NEAT)
    assert run("--check", "-", input=NEAT)[:2] == (0, "")
    assert run("--check", "-", input=MESSY)[0] == 1



def test_samples_and_stdlib_are_formatted() -> None:
    code, out, err = run("--check", str(ROOT / "samples"), str(ROOT / "stdlib"))
    assert code == 0, out + err
