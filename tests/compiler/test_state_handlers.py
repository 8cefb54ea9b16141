"""State titles, command titles and handler options: interpolations resolve, `as` names the
event activity, `title` and `comment` reach the handler's node."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from compiler.pipeline import build

SOURCE = """
statemachine s for lists.element(42) {
    state a "A: {doc.NAME}" {
        on command go "Go {doc.NAME}" by role.author as pressed title "Going" comment "note" {
            log "pressed by {pressed.SenderUserId}"
            goto done
        }
        on delay 1d as timer { goto done }
    }
    state done { enter { terminate } }
}
"""


def _states(tmp_path: Path, text: str = SOURCE) -> tuple[list[str], list[dict[str, Any]]]:
    source = tmp_path / "states.bpl"
    source.write_text(text, encoding="utf-8")
    result = build([source])
    codes = [d.code for d in result.diagnostics]
    states = result.templates[0].template.to_package()["TEMPLATE"][0]["Children"] \
        if result.templates else []
    return codes, states


def test_titles_interpolate_and_options_apply(tmp_path: Path) -> None:
    codes, states = _states(tmp_path)
    assert codes == []
    state = states[0]
    assert state["Properties"]["Title"] == "A: {=Document:NAME}"
    command, delay = state["Children"]
    event, log, _ = command["Children"]
    assert command["Properties"] == {"Title": "Going", "EditorComment": "note"}
    assert event["Properties"]["Title"] == "Go {=Document:NAME}"
    assert log["Properties"]["Text"] == "pressed by {=" + event["Name"] + ":SenderUserId}"
    assert delay["Children"][0]["Type"] == "DelayActivity"


def test_unknown_names_in_state_titles_are_reported(tmp_path: Path) -> None:
    codes, _ = _states(tmp_path, SOURCE.replace("doc.NAME}\" {", "doc.NOPE}\" {", 1))
    assert codes == ["E100"]


def test_handler_labels_are_unique(tmp_path: Path) -> None:
    codes, _ = _states(tmp_path, SOURCE.replace("as timer", "as pressed"))
    assert codes == ["E101"]
