"""`mail`: e-mail addresses go to MailUserTo/MailUserFrom, users to the …Array lists.

MailActivity resolves the …Array properties as users; an address placed there is dropped and
the mail goes nowhere, so an address held in a field or variable must land in the text one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from compiler.pipeline import build
from compiler.semantics.environment import Environment

SOURCE = """
workflow m for crm.deal {
    field payer_email: string = "UF_CRM_PAYER_EMAIL" "Payer e-mail"
    var cc: string = "cc@example.com"
    mail to [doc.ASSIGNED_BY_ID, doc.payer_email, "boss@example.com", var.cc]
        subject "s" body "b" from env.sender
    mail to role.author subject "s" body "b" from user(3)
}
"""


def _mails(tmp_path: Path) -> list[dict[str, Any]]:
    source = tmp_path / "mail.bpl"
    source.write_text(SOURCE, encoding="utf-8")
    env = Environment("test", {"sender": "noreply@example.com"}, symbolic=False)
    result = build([source], env)
    assert [d.code for d in result.diagnostics] == []
    root = result.templates[0].template.to_package()["TEMPLATE"][0]
    return [child["Properties"] for child in root["Children"]]


def test_addresses_and_users_are_split(tmp_path: Path) -> None:
    first, _ = _mails(tmp_path)
    assert first["MailUserTo"] == "{=Document:UF_CRM_PAYER_EMAIL},boss@example.com,{=Variable:cc}"
    assert first["MailUserToArray"] == ["{=Document:ASSIGNED_BY_ID}"]
    assert first["MailUserFrom"] == "noreply@example.com"
    assert first["MailUserFromArray"] == []


def test_users_stay_users(tmp_path: Path) -> None:
    _, second = _mails(tmp_path)
    assert second["MailUserTo"] == ""
    assert second["MailUserToArray"] == ["author"]
    assert second["MailUserFrom"] == ""
    assert second["MailUserFromArray"] == ["user_3"]
