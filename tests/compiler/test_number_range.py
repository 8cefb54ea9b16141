"""Number literals beyond what PHP holds: a warning, the value PHP would make, never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from compile_support import activities, compile_text
from php import Php

from compiler.format import SyntaxProblem, format_text
from compiler.php.serialize import serialize
from compiler.semantics.environment import Environment

# Integer literals as PHP source would spell them: within PHP_INT_MAX, just beyond, far beyond,
# beyond the float range, beyond Python's 4,300-digit int conversion limit, and negative.
LITERALS = ["9223372036854775807", "9223372036854775808", "18446744073709551616",
            "99999999999999999999", "1" + "0" * 400, "9" * 5000, "-9223372036854775807",
            "-9223372036854775808", "-" + "9" * 400]


def set_field(literal: str) -> str:
    return f"workflow w for crm.deal {{\n    set doc.OPPORTUNITY = {literal}\n}}\n"


def field_value(tmp_path: Path, literal: str) -> object:
    result = compile_text(tmp_path, set_field(literal), env=Environment())
    assert not result.diagnostics.has_errors, result.diagnostics.sorted()
    [activity] = activities(result.templates[0].template.to_package(), "SetFieldActivity")
    return activity["Properties"]["FieldValue"]["OPPORTUNITY"]


@pytest.mark.php
def test_compiled_literals_are_what_php_makes_of_them(php: Php, tmp_path: Path) -> None:
    ours = [serialize(field_value(tmp_path, literal)) for literal in LITERALS]  # type: ignore[arg-type]
    assert ours == php.serialize_literals(LITERALS)


def test_php_reading_rules_without_php(tmp_path: Path) -> None:
    # The same facts, spelled out for machines without php-cli.
    assert serialize(field_value(tmp_path, "9223372036854775807")) == b"i:9223372036854775807;"
    assert serialize(field_value(tmp_path, "9223372036854775808")) == \
        b"d:9.223372036854776E+18;"
    assert serialize(field_value(tmp_path, "9" * 5000)) == b"d:INF;"


@pytest.mark.parametrize("literal", LITERALS)
def test_the_checker_warns_about_literals_php_cannot_hold(tmp_path: Path, literal: str) -> None:
    result = compile_text(tmp_path, set_field(literal), env=Environment())
    warnings = [d for d in result.diagnostics if d.code == "W005"]
    fits = literal.lstrip("-") == "9223372036854775807"
    assert [d.code for d in result.diagnostics] == ([] if fits else ["W005"])
    if not fits:
        [warning] = warnings
        assert (warning.span.line, warning.span.column) == (2, 27)
        assert "PHP makes it" in warning.message
        assert len(warning.message) < 200  # a 5,000-digit literal is named, not quoted whole


def test_a_long_literal_in_a_text_and_a_default(tmp_path: Path) -> None:
    text = ('workflow w for crm.deal {\n    var big: double = ' + "9" * 5000 + "\n"
            '    log "{9223372036854775808}"\n    var.big = 2\n}\n')
    result = compile_text(tmp_path, text, env=Environment())
    assert [d.code for d in result.diagnostics] == ["W005", "W005"]
    package = result.templates[0].template.to_package()
    assert package["VARIABLES"]["big"]["Default"] == "INF"
    [log] = activities(package, "LogActivity")
    assert log["Properties"]["Text"] == "9.223372036854776E+18"  # as the warning says


@pytest.mark.parametrize("literal", ["9" * 5000, "9223372036854775808", "-" + "9" * 4400])
def test_fmt_keeps_long_literals_as_written(literal: str) -> None:
    text = set_field(literal)
    assert format_text(text) == text


@pytest.mark.parametrize("duration", ["9" * 5000 + "d", "9223372036854775808s",
                                      "9000000000000000000w", "-9000000000000000000w"])
def test_durations_beyond_what_bitrix_counts_are_errors(tmp_path: Path, duration: str) -> None:
    text = ('workflow w for crm.deal {\n    approve "x" by user(1) { timeout 1d }\n'
            f'    log "{{dateadd(system.now, {duration})}}"\n}}\n')
    result = compile_text(tmp_path, text, env=Environment())
    [error] = result.diagnostics
    assert (error.code, error.span.line) == ("E004", 3)
    assert "longer than Bitrix can count" in error.message
    assert result.templates == []
    with pytest.raises(SyntaxProblem):
        format_text(text)


def test_the_longest_duration_bitrix_counts_compiles(tmp_path: Path) -> None:
    most = 9223372036854775807 // 604800
    text = (f'workflow w for crm.deal {{\n    approve "x" by user(1) {{ timeout {most}w }}\n}}\n')
    result = compile_text(tmp_path, text, env=Environment())
    assert result.diagnostics.sorted() == []
    result.templates[0].bpt()
