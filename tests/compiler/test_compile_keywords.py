"""Names that begin with a keyword stay names.

The lexer tries prioritised keyword terminals (param/var/const, required, first, workflow, …)
before NAME; a keyword that does not end at a word boundary must not cut a name in two.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.pipeline import build

CASES = {
    # a macro whose name starts with `var`, called right after a header (decl position)
    "scope prefix": ('macro variance() { log "v" }\n'
                     'workflow w for crm.deal {\n    title "t"\n    variance()\n}\n'),
    # `assign USERS` may be followed by a mode word; `first_step()` is the next statement
    "assign mode prefix": ('macro first_step() { log "f" }\n'
                           'workflow w for crm.deal {\n    assign user(1)\n    first_step()\n}\n'),
    # after one setting's value, a key that starts with `param`
    "setting key prefix": ('workflow w for crm.deal {\n'
                           '    approve "A" by user(1) { vote any parameters "extra" }\n}\n'),
    # after a declaration, a statement calling a macro named like `required…`
    "required prefix": ('macro required_check() { log "r" }\n'
                        'workflow w for crm.deal {\n    var x: int\n    required_check()\n'
                        '    var.x = 1\n}\n'),
    # `workflow` is a prioritised keyword too (it heads workflows and `start … workflow`)
    "workflow prefix": ('macro workflow_done() { log "w" }\n'
                        'workflow w for crm.deal {\n    title "t"\n    workflow_done()\n}\n'),
}


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_name_starting_with_a_keyword_is_one_name(tmp_path: Path, text: str) -> None:
    source = tmp_path / "keywords.bpl"
    source.write_text(text, encoding="utf-8")
    result = build([source])
    assert [(d.code, d.message) for d in result.diagnostics] == []
    assert len(result.templates) == 1


def test_keyword_alone_is_still_a_keyword(tmp_path: Path) -> None:
    # The word boundary must not stop the keywords themselves from lexing as keywords.
    source = tmp_path / "keywords.bpl"
    source.write_text('workflow w for crm.deal {\n    var x: int required\n'
                      '    assign user(1) first\n    var.x = 2\n}\n', encoding="utf-8")
    result = build([source])
    assert [(d.code, d.message) for d in result.diagnostics] == []
    props = result.templates[0].template.to_package()["TEMPLATE"][0]["Children"][0]["Properties"]
    assert props["GetterType"] == "f"
    assert result.templates[0].template.to_package()["VARIABLES"]["x"]["Required"] == "1"
