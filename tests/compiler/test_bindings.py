"""The checker's results live on a bound copy of the tree: bindings on references, loops with
an identity, macro calls as expansions; codegen reads them there and links activity references
symbolically, so names depend on the source only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from compile_support import activities, compile_text, only_template, walk

from compiler.catalog import load_catalog
from compiler.diagnostics import Diagnostics
from compiler.semantics.checker import WorkflowChecker
from compiler.semantics.environment import Environment
from compiler.semantics.model import CheckedWorkflow
from compiler.semantics.program import load_program
from compiler.syntax import ast
from compiler.syntax.shape import shape


def _check(tmp_path: Path, text: str) -> tuple[ast.Workflow, CheckedWorkflow, Diagnostics]:
    source = tmp_path / "case.bpl"
    source.write_text(text, encoding="utf-8")
    diagnostics = Diagnostics()
    program = load_program([source], diagnostics)
    workflow = program.workflows[0]
    checked = WorkflowChecker(program, workflow, load_catalog(), Environment(),
                              diagnostics).check()
    return workflow, checked, diagnostics


def _nodes(value: Any) -> list[Any]:
    """Every syntax node under `value`."""
    out = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple | list):
            stack.extend(item)
        elif isinstance(item, ast.Node | ast.StmtOpts):
            out.append(item)
            stack.extend(getattr(item, name) for name in item.__dataclass_fields__)
    return out


LOOPS = """workflow w for crm.deal {
    param limit: int = 3
    while a.Report is empty {
        log "x" as a
        log "{a.Report}"
    }
    for each item in doc.CONTACT_IDS {
        log "{item} of {param.limit}"
        if b.Report == "z" { log "q {item}" }
        log "p" as b
    }
}
"""


def test_the_bound_tree_has_the_shape_of_the_tree_it_was_made_from(tmp_path: Path) -> None:
    parsed, checked, diagnostics = _check(tmp_path, LOOPS)
    assert not diagnostics.has_errors
    assert checked.workflow is not parsed
    assert checked.workflow == parsed and shape(checked.workflow) == shape(parsed)
    refs = [n for n in _nodes((checked.workflow.decls, checked.workflow.body))
            if isinstance(n, ast.Ref)]
    assert refs and all(r.binding is not None for r in refs)
    assert all(r.binding is None for r in _nodes(parsed) if isinstance(r, ast.Ref))
    loop = next(n for n in _nodes(checked.workflow) if isinstance(n, ast.ForEachStmt))
    items = [r for r in refs if r.parts == ("item",)]
    assert len(items) == 2 and {r.binding.loop for r in items if r.binding} == {loop.loop}


def test_names_are_those_of_the_key_convention(tmp_path: Path) -> None:
    # Pinned (as the compiler named them before references were symbolic): a loop's condition
    # reads a label its body sets (the key holds the label itself),
    # a loop's body reads its item (the key holds the loop's Name).
    package = only_template(compile_text(tmp_path, LOOPS))
    names = [(n["Type"], n["Name"]) for n in walk(package["TEMPLATE"][0])][1:8]
    assert names == [("WhileActivity", "A86472_42667_51490_51153"),
                     ("SequenceActivity", "A20973_70942_96456_27367"),
                     ("LogActivity", "A57135_30141_88936_64246"),
                     ("LogActivity", "A12189_34902_34671_68924"),
                     ("ForEachActivity", "A44095_52997_65731_50101"),
                     ("SequenceActivity", "A76982_45606_35952_42517"),
                     ("LogActivity", "A15360_63933_50961_85485")]
    assert package == only_template(compile_text(tmp_path, LOOPS))


def test_macro_calls_expand_into_a_new_tree(tmp_path: Path) -> None:
    parsed, checked, _ = _check(tmp_path, """macro greet(who) {
    log "hi {who}"
}
workflow w for crm.deal {
    greet(doc.TITLE)
    greet("you") disabled
}
""")
    assert all(isinstance(s, ast.CallStmt) for s in parsed.body)
    first, second = checked.workflow.body
    assert isinstance(first, ast.Expansion) and isinstance(second, ast.Expansion)
    assert first.call == parsed.body[0] and second.opts.disabled
    text = first.body[0].text
    assert isinstance(text, ast.Text) and isinstance(text.parts[1], ast.Ref)
    assert text.parts[1].binding is not None and text.parts[1].binding.object == "Document"


def test_a_macro_reads_the_loop_it_is_called_in(tmp_path: Path) -> None:
    package = only_template(compile_text(tmp_path, """macro show() {
    log "{item}"
}
workflow w for crm.deal {
    var first: string[] = ["a"]
    var second: string[] = ["b"]
    for each item in var.first { show() }
    for each item in var.second { show() }
}
"""))
    loops = activities(package, "ForEachActivity")
    logs = activities(package, "LogActivity")
    assert [log["Properties"]["Text"] for log in logs] == \
        [f"{{={loop['Name']}:Value}}" for loop in loops]


def test_texts_of_titles_comments_and_addresses_are_bound(tmp_path: Path) -> None:
    package = only_template(compile_text(tmp_path, """workflow w for crm.deal {
    activity LogActivity "Log {doc.TITLE}" { Text: "x" }
    log "y" comment "by {doc.TITLE}"
    mail to "{doc.TITLE}@example.com" subject "s" body "b"
}
"""))
    first, second, third = (n["Properties"] for n in package["TEMPLATE"][0]["Children"])
    assert first["Title"] == "Log {=Document:TITLE}"
    assert second["EditorComment"] == "by {=Document:TITLE}"
    assert third["MailUserTo"] == "{=Document:TITLE}@example.com"
    result = compile_text(tmp_path, """workflow w for crm.deal {
    log "y" comment "by {nope}"
}
""")
    assert [d.code for d in result.diagnostics] == ["E100"]
