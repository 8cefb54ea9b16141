"""`permission` lines: parsed, formatted, compiled into the root's and states' Permission,
and imported back; the import report is truthful about what survives."""

from __future__ import annotations

from compiler.format import format_text
from compiler.importer import TemplateSource
from tests.importer.support import compile_text, differences, imported, source_of

SOURCE = """statemachine review for lists.element(1) {
    title "Review of a document"
    root title "State-driven business process"
    autostart create, edit
    permission read [role.author, param.boss]
    permission "17" [param.boss]

    param boss: user "Boss"

    state draft "Draft" initial {
        permission read [role.author]
        permission write [role.author, param.boss]
        permission mode rewrite
        permission scope document
        on command submit "Submit" by role.author {
            goto done
        }
    }

    state done "Done" {
        enter {
            terminate
        }
    }
}
"""


def test_permissions_format_as_written() -> None:
    assert format_text(SOURCE) == SOURCE


def test_permissions_compile_into_the_permission_maps() -> None:
    result = compile_text(SOURCE)
    assert not [d for d in result.diagnostics if d.severity.name == "ERROR"]
    compiled = result.templates[0]
    root = compiled.template.roots[0]
    assert compiled.name == "Review of a document"
    assert root.properties["Title"] == "State-driven business process"
    assert root.properties["Permission"] == {"read": ["author", "{=Template:boss}"],
                                             "17": ["{=Template:boss}"]}
    draft = root.children[0]
    assert draft.properties["Permission"] == {"read": ["author"],
                                              "write": ["author", "{=Template:boss}"]}
    assert (draft.properties["PermissionMode"], draft.properties["PermissionScope"]) == (2, 2)
    assert "Permission" not in root.children[1].properties


def test_import_keeps_autostart_permissions_and_titles() -> None:
    compiled = compile_text(SOURCE).templates[0]
    source = source_of(compiled)
    result = imported(source)
    text = result.text
    assert "autostart create, edit" in text
    assert 'root title "State-driven business process"' in text
    assert 'permission read [role.author, param.boss]' in text
    assert 'permission "17" param.boss' in text and 'permission read role.author' in text
    assert "permission mode rewrite" in text and "permission scope document" in text
    assert result.report.equivalent, result.report.lines()
    assert differences(source.row(), text) == []


def test_report_is_not_equivalent_when_a_permission_is_lost() -> None:
    compiled = compile_text(SOURCE).templates[0]
    package = compiled.template.to_package()
    # A bare 0: group(N) takes a positive site group id, so it has no .bpl form.
    package["TEMPLATE"][0]["Children"][0]["Properties"]["Permission"]["read"] = ["0"]
    source = TemplateSource(package, "t", compiled.name, "", tuple(compiled.document_type),
                            compiled.auto_execute)
    result = imported(source)
    assert not result.report.equivalent
    assert any(f.kind == "lossy" and "permission read" in f.message
               for f in result.report.findings), result.report.lines()


def test_bare_group_ids_import_as_site_groups() -> None:
    compiled = compile_text(SOURCE).templates[0]
    package = compiled.template.to_package()
    # The designer writes site user group 1 as a bare id, a number or a text (bizproc_status).
    package["TEMPLATE"][0]["Children"][0]["Properties"]["Permission"]["read"] = [1, "2"]
    source = TemplateSource(package, "t", compiled.name, "", tuple(compiled.document_type),
                            compiled.auto_execute)
    result = imported(source)
    assert "permission read [group(1), group(2)]" in result.text
    assert result.report.equivalent, result.report.lines()
    assert differences(source.row(), result.text) == []


def test_a_bpt_file_is_equivalent_in_its_template_only() -> None:
    compiled = compile_text(SOURCE).templates[0]
    bare = TemplateSource(compiled.template.to_package(), "review.bpt",
                          document_type=tuple(compiled.document_type))
    result = imported(bare)
    assert result.report.equivalent and not result.report.header_compared
    assert "autostart" not in result.text  # the file does not hold it
    assert "the template only" in result.report.lines()[0]
    assert result.report.to_dict()["header_compared"] is False


def test_target_user_declared_as_a_param_is_kept() -> None:
    text = """workflow w for lists.element(1) {
    param TargetUser: type("S:UserID") "Employee"

    log "{param.TargetUser}"
}
"""
    result = compile_text(text)
    assert not [d for d in result.diagnostics if d.severity.name == "ERROR"]
    declared = result.templates[0].template.parameters["TargetUser"]
    assert (declared.type, declared.name) == ("S:UserID", "Employee")
    source = source_of(result.templates[0])
    back = imported(source)
    assert 'param TargetUser: type("S:UserID") "Employee"' in back.text
    assert back.report.equivalent, back.report.lines()
