"""Sources made to hurt: a size limit with a located error, error reporting and formatting that
stay linear on long words, long lines and long strings, and lexing that takes memory in
proportion to the text.

The time-related cases run `bpl` in a child process under a CPU-time limit (not a wall clock:
a busy machine does not make them fail). The limit is some fifty times what the command needs;
the quadratic code they guard against needed minutes to hours for the same input.
"""

from __future__ import annotations

import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli.main import main
from compiler.diagnostics import Diagnostics
from compiler.pipeline import build
from compiler.semantics.program import MAX_FILE_BYTES
from compiler.source import SourceFile
from compiler.syntax import parse_module

REPO = Path(__file__).resolve().parents[2]
resource = pytest.importorskip("resource", reason="CPU limits need the resource module")
CPU_SECONDS = 60
MEMORY_BYTES = 2 * 1024**3

HEAD = "workflow w for crm.deal {\n    "
TAIL = "\n}\n"


def fill(prefix: str, unit: str, suffix: str = "", size: int = MAX_FILE_BYTES - 100) -> str:
    """A workflow whose body is `prefix`, `unit` repeated up to about `size` bytes, `suffix`."""
    room = size - len(HEAD + prefix + suffix + TAIL)
    return HEAD + prefix + unit * (room // len(unit)) + suffix + TAIL


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def limited(argv: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """A child process under the CPU and memory limits; it must end by itself, no traceback."""
    done = subprocess.run(argv, input=stdin, capture_output=True, text=True, cwd=REPO,
                          preexec_fn=_limits, timeout=30 * CPU_SECONDS)
    assert done.returncode >= 0, f"killed by signal {-done.returncode} (CPU or memory limit)"
    assert "Traceback" not in done.stdout + done.stderr, done.stderr[-2000:]
    return done


def bpl(tmp_path: Path, *args: str, text: str | None = None,
        stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`bpl ARGS` (FILE stands for a file holding `text`), limited."""
    path = tmp_path / "hostile.bpl"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    argv = [str(path) if a == "FILE" else a for a in args]
    return limited([sys.executable, "-m", "compiler.cli.main", *argv], stdin)


def python(code: str) -> str:
    """What `code` prints, run by Python in a limited child process."""
    done = limited([sys.executable, "-c", code])
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def said(done: subprocess.CompletedProcess[str]) -> str:
    return done.stdout + done.stderr


# ── the size limit ─────────────────────────────────────────────────────────────────────────


def test_a_file_over_the_limit_is_refused_at_its_first_line(tmp_path: Path) -> None:
    big = tmp_path / "big.bpl"
    big.write_text("// " + "x" * MAX_FILE_BYTES + "\n", encoding="utf-8")
    [diagnostic] = build([big]).diagnostics
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("E011", 1, 1)
    assert diagnostic.message.endswith("is larger than 1 MiB, the limit for a .bpl file")
    assert diagnostic.help and "split the workflows" in diagnostic.help


def test_a_file_at_the_limit_is_read(tmp_path: Path) -> None:
    text = fill('log "', "x", '"', size=MAX_FILE_BYTES)
    path = tmp_path / "limit.bpl"
    path.write_text(text + " " * (MAX_FILE_BYTES - len(text)), encoding="utf-8")
    assert path.stat().st_size == MAX_FILE_BYTES
    assert build([path]).diagnostics.sorted() == []


def test_an_import_over_the_limit_is_reported_at_the_import(tmp_path: Path) -> None:
    (tmp_path / "lib.bpl").write_text("// " + "x" * MAX_FILE_BYTES + "\n", encoding="utf-8")
    main_file = tmp_path / "main.bpl"
    main_file.write_text('\n\nimport "lib.bpl"\n', encoding="utf-8")
    [diagnostic] = build([main_file]).diagnostics
    assert (diagnostic.code, diagnostic.span.line) == ("E010", 3)
    assert "imported file" in diagnostic.message and "larger than 1 MiB" in diagnostic.message


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_file_without_a_size_is_read_only_up_to_the_limit(tmp_path: Path) -> None:
    # A device (or a pipe) reports size 0; reading it whole never ends.
    done = bpl(tmp_path, "check", "/dev/zero")
    assert done.returncode == 1
    assert "larger than 1 MiB" in said(done)


def test_fmt_refuses_files_and_standard_input_over_the_limit(tmp_path: Path) -> None:
    text = "// " + "x" * MAX_FILE_BYTES + "\n"
    (tmp_path / "big.bpl").write_text(text, encoding="utf-8")
    done = CliRunner().invoke(main, ["fmt", "--check", str(tmp_path / "big.bpl")])
    assert done.exit_code == 1 and "larger than 1 MiB; not formatted" in done.stderr
    done = CliRunner().invoke(main, ["fmt", "-"], input=text)
    assert done.exit_code == 1 and "larger than 1 MiB; not formatted" in done.stderr
    assert done.stdout == ""


# ── linear error reporting ─────────────────────────────────────────────────────────────────


def test_a_syntax_error_after_a_long_word(tmp_path: Path) -> None:
    # The word before the error was looked up with a regex over all the text before it,
    # quadratic in the word: 40,000 characters took 28 s, this one hours.
    done = bpl(tmp_path, "check", "FILE", text=fill("var.x = ", "a", "- ]"))
    assert done.returncode == 1
    assert "error[E001]: unexpected ']'" in said(done)


def test_a_long_word_where_a_statement_belongs(tmp_path: Path) -> None:
    done = bpl(tmp_path, "check", "FILE", text=fill("", "a", " x"))
    assert done.returncode == 1
    # The hint quotes the word cut short, not a megabyte of it.
    assert "'" + "a" * 40 + "…' is not a statement" in said(done)
    assert "a" * 41 + "…" not in said(done)


def test_an_unterminated_string_of_escaped_quotes(tmp_path: Path) -> None:
    # The nesting check retried its string pattern from every escaped quote.
    done = bpl(tmp_path, "check", "FILE", text=fill('log "', '\\"'))
    assert done.returncode == 1
    assert "error[E002]: unterminated or misplaced string" in said(done)


def test_a_file_ending_inside_a_block_on_a_long_line(tmp_path: Path) -> None:
    text = fill("if true { // ", "x")[:-len(TAIL)]
    done = bpl(tmp_path, "check", "FILE", text=text)
    assert done.returncode == 1
    assert "error[E003]: the file ends inside a block" in said(done)


# The library has no size limit of its own (format_text, parse_module take any text), so
# the next two run it on 2 MiB, where the quadratic work took some six minutes.

def test_a_string_of_many_interpolations() -> None:
    # Finding each interpolation's end copied the whole string: quadratic in its length.
    printed = python(
        "from compiler.diagnostics import Diagnostics\n"
        "from compiler.source import SourceFile\n"
        "from compiler.syntax import parse_module\n"
        f"text = {HEAD!r} + 'log \"' + '{{doc.TITLE}}' * {2 * MAX_FILE_BYTES // 11}"
        f" + '\"' + {TAIL!r}\n"
        "module = parse_module(SourceFile.from_text('x.bpl', text), Diagnostics())\n"
        "print(len(module.items[0].body[0].text.parts))\n")
    assert int(printed) == 2 * MAX_FILE_BYTES // 11


def test_many_comments_on_one_long_line() -> None:
    # Whether a comment stood on its own line was decided by copying the whole line before
    # it, once per comment.
    printed = python(
        "from compiler.format.comments import scan_comments\n"
        f"text = {HEAD!r} + 'log \"x\" ' + '/**/' * {MAX_FILE_BYTES // 2} + {TAIL!r}\n"
        "comments = scan_comments(text)\n"
        "print(len(comments), sum(c.own_line for c in comments))\n")
    assert printed.split() == [str(MAX_FILE_BYTES // 2), "0"]


def test_formatting_many_comments_on_one_line(tmp_path: Path) -> None:
    done = bpl(tmp_path, "fmt", "-", stdin=fill('log "x" ', "/* c */ ", size=MAX_FILE_BYTES // 4))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("/* c */") > 30_000


# ── memory ─────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("string", ['"' + "x" * 200_000 + '"',
                                    '"' + "{doc.TITLE}" * 5_000 + '"',
                                    '"' + '\\"' * 50_000 + '"',
                                    '"""\n' + "        line\n" * 10_000 + '    """'])
def test_reading_a_long_string_takes_memory_in_proportion(string: str) -> None:
    # Python's re kept a backtracking record of some 120 bytes per character of a string
    # matched with "(?:[^"\\]|\\.)*": 3.4 MB of strings peaked at 600 MB. What remains is the
    # parse tree, the syntax tree and the string's value: tens of bytes per character where
    # the string holds interpolations or layout, a dozen where it is plain text.
    source = SourceFile.from_text("long.bpl", f"workflow w for crm.deal {{\n    log {string}\n}}\n")
    parse_module(source, Diagnostics())  # the parser and its regexes exist before measuring
    tracemalloc.start()
    try:
        parse_module(source, Diagnostics())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak / len(source.text) < 50
