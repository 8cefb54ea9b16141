"""The CI recipe (docs/ci/github-actions.yml) and the pre-commit hooks call bpl as it is:
every `bpl …` command line they contain parses with today's commands and options."""

from __future__ import annotations

import re
import shlex

import click
import pytest
from graph_support import REPO

from compiler.cli.main import main

RECIPE = REPO / "docs" / "ci" / "github-actions.yml"
HOOKS = REPO / ".pre-commit-hooks.yaml"


def command_lines() -> list[str]:
    lines = re.findall(r"run: (bpl [^\n]*)", RECIPE.read_text(encoding="utf-8"))
    lines += re.findall(r"entry: (bpl [^\n]*)", HOOKS.read_text(encoding="utf-8"))
    # Up to the shell's own syntax (redirections, `||`, comments).
    return [re.split(r"\s(?:>|\|\||#)", line)[0].strip() for line in lines]


def test_the_recipe_plans_with_pictures_and_builds_the_site() -> None:
    lines = command_lines()
    assert any(line.startswith("bpl plan") and "--format markdown" in line for line in lines)
    assert any(line.startswith("bpl docs") for line in lines)
    assert {"bpl fmt", "bpl check", "bpl fmt --check"} <= set(lines)


@pytest.mark.parametrize("line", command_lines())
def test_every_bpl_command_of_the_recipe_parses(line: str) -> None:
    words = shlex.split(line.replace("${{", "'${{").replace("}}", "}}'"))[1:]
    ctx = click.Context(main)
    command = main.get_command(ctx, words[0])
    assert command is not None, f"no command bpl {words[0]}"
    command.make_context(words[0], words[1:], parent=ctx)  # raises on an unknown option
