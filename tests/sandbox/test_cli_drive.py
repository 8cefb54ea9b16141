"""`bpl sandbox document|run|clock` through click's runner: what they print and how they
refuse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli.main import main
from compiler.cli.sandbox_drive import duration


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["sandbox", *args])
    return result.exit_code, result.output


@pytest.fixture
def data(tmp_path: Path) -> str:
    path = str(tmp_path / "portal.sqlite3")
    assert run("seed", "--data", path, "user", "Ann")[0] == 0
    return path


def test_documents_take_fields_from_options_and_files(data: str, tmp_path: Path) -> None:
    (tmp_path / "deal.json").write_text(json.dumps({"TITLE": "From JSON", "OPPORTUNITY": 7}))
    (tmp_path / "lead.toml").write_text('TITLE = "From TOML"\nOPENED = true\n')
    code, out = run("seed", "--data", data, "document", "crm.deal:1", "--name", "Purchase",
                    "--fields", str(tmp_path / "deal.json"), "--field", "TITLE=Purchase",
                    "--field", "assigned_by_id=Ann")
    assert code == 0, out
    assert out.splitlines() == ["document crm.deal:1 (Purchase)", '  TITLE = "Purchase"',
                                '  OPPORTUNITY = "7"', '  ASSIGNED_BY_ID = "user_2"']
    code, out = run("seed", "--data", data, "--json", "document", "crm.lead:4",
                    "--fields", str(tmp_path / "lead.toml"))
    assert json.loads(out)["fields"] == {"TITLE": "From TOML", "OPENED": "Y"}
    code, out = run("document", "show", "crm.deal:1", "--data", data, "--json")
    shown = json.loads(out)
    assert (shown["document"], shown["document_id"], shown["name"]) == \
        ("crm.deal:1", ["crm", "CCrmDocumentDeal", "DEAL_1"], "Purchase")
    code, out = run("document", "set", "crm.deal:1", "--data", data, "--field", "COMMENTS=ok")
    assert (code, out) == (0, 'crm.deal:1 COMMENTS = "ok"\n')
    code, out = run("document", "show", "crm.deal:1", "--data", data)
    assert '  COMMENTS = "ok"  (Comment)' in out.splitlines()


@pytest.mark.parametrize(("args", "message"), [
    (["seed", "document", "crm.deal:1", "--field", "TITEL=x"],
     "crm.deal has no field 'TITEL' (did you mean TITLE?)"),
    (["seed", "document", "crm.deal:1", "--field", "x"], "takes KEY=VALUE, not 'x'"),
    (["seed", "document", "deal:1"], "cannot read the document 'deal:1': write it as"),
    (["seed", "document", "crm.deal:1", "--fields", "missing.json"], "cannot read missing.json"),
    (["document", "show", "crm.deal:9"], "the sandbox portal has no document crm.deal:9 "
                                         "(bpl sandbox seed document crm.deal:9 adds it)"),
    (["document", "set", "crm.deal:9"], "give --field KEY=VALUE, --fields FILE or --name"),
    (["run", "show", "66e81a641752f8.56521481"], "there is no workflow 66e81a641752f8.56521481"),
    (["run", "command", "nope", "submit", "--as", "Ann"], "there is no workflow nope"),
    (["run", "command", "nope", "submit", "--as", "Bob"], "there is no user called 'Bob'"),
    (["clock", "advance", "3 months"], "months and years have no fixed length"),
    (["clock", "advance", "soon"], "'soon' is not a duration like 3d"),
])
def test_refusals_are_sentences(data: str, args: list[str], message: str) -> None:
    head = args[:1] if args[0] == "seed" else args[:2]
    code, out = run(*head, "--data", data, *args[len(head):])
    assert code in (1, 2) and message in out, out
    assert "Traceback" not in out


def test_the_clock_moves_forward_only_by_durations(data: str) -> None:
    assert duration("3d") == 3 * 86400 and duration("1h30i") == 5400
    code, out = run("clock", "advance", "2d", "--data", data)
    assert code == 0 and out.endswith("0 workflow(s) moved on\n")
    code, out = run("clock", "show", "--data", data)
    assert code == 0 and "(2d 0h 0m ahead of this machine)" in out
