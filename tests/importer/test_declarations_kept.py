"""Declarations lose nothing: options of a Bitrix type other than select (the lists' `L`) come
back as `type("L") {…}`, a request form's title as `asked`, printed users as their text; what
.bpl cannot say stays reported as lossy."""

from __future__ import annotations

import dataclasses

from compiler.importer import TemplateSource, read_bpt
from tests.importer.support import ROOT, compile_text, differences, imported, source_of

SOURCE = """\
workflow trip for lists.element(42) {
    param country: type("L") {"de": "Germany", "kz": "Kazakhstan"} = "de" required "Country"

    log "{param.country}"
}
"""

DESIGNER = ROOT / "tests" / "fixtures" / "designer"


def designer(name: str) -> TemplateSource:
    """A template of the designer corpus, on a list (iblock 42)."""
    source = read_bpt(DESIGNER / f"{name}.bpt")
    return TemplateSource(source.package, source.origin,
                          document_type=("lists", "BizprocDocument", "iblock_42"))


def test_options_of_type_l_come_back() -> None:
    built = compile_text(SOURCE, "trip")
    template = built.templates[0]
    spec = template.template.parameters["country"]
    assert spec.type == "L" and spec.options == {"de": "Germany", "kz": "Kazakhstan"}
    result = imported(source_of(template))
    assert 'param country: type("L") {"de": "Germany", "kz": "Kazakhstan"} = "de" required ' \
           '"Country"' in result.text
    assert result.report.equivalent and not result.report.findings


def test_the_designers_business_trip_keeps_its_country_options() -> None:
    source = designer("bizproc_business_trips")
    result = imported(source)
    assert 'param COUNTRY: type("L") {\n        "Germany": "Germany",\n' in result.text
    assert '"United States": "United States",\n    } = "USA" required' in result.text
    assert differences(source.row(), result.text, header=False) == []
    assert not [f for f in result.report.findings if f.kind == "lossy"]


def test_variables_a_request_form_created_keep_their_title() -> None:
    # The designer adds a request form's fields to VARIABLES with the field's Title beside the
    # Name; `asked` keeps it. Their user defaults of a bare group id ('1': Bitrix reads it as
    # site user group 1, modules/bizproc/classes/general/helper.php extractUsers) are group(1).
    source = designer("lists_acct")
    result = imported(source)
    assert 'var PayDate: date required asked "Payment date"' in result.text
    assert 'var Bookkeeper: user[] = group(1) "Accounts department (approval)"' in result.text
    assert not [f for f in result.report.findings if f.kind == "lossy"]
    assert result.report.equivalent
    assert differences(source.row(), result.text, header=False) == []
    compiled = compile_text(result.text, "lists_acct").templates[0].template
    assert compiled.variables["PayDate"].to_php()["Title"] == "Payment date"
    assert "Title" not in compiled.variables["Bookkeeper"].to_php()


def test_a_title_that_is_not_the_label_is_reported() -> None:
    source = designer("lists_acct")
    package = dict(source.package)
    variables = dict(package["VARIABLES"])
    variables["PayDate"] = {**variables["PayDate"], "Title": "Date of payment"}
    package["VARIABLES"] = variables
    result = imported(dataclasses.replace(source, package=package))
    lossy = {f.where: f.message for f in result.report.findings if f.kind == "lossy"}
    assert "'Date of payment' is not its label" in lossy["var PayDate"]
    assert 'var PayDate: date required "Payment date"' in result.text
    assert not result.report.equivalent


def test_options_on_internalselect_are_refused() -> None:
    built = compile_text(SOURCE.replace('type("L")', 'internalselect("STAGE_ID")'), "trip")
    assert "E201" in [d.code for d in built.diagnostics if d.severity == "error"]


def test_a_printed_user_default_is_kept_as_the_text() -> None:
    source = designer("bizproc_status")
    result = imported(source)
    assert 'param Creators: user[] = "Author;" required' in result.text
    assert not [f for f in result.report.findings if f.kind == "lossy"]
    assert result.report.equivalent
    compiled = compile_text(result.text, "bizproc_status").templates[0].template
    assert compiled.parameters["Creators"].default == "Author;"
