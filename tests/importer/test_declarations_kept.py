"""Declarations lose nothing .bpl can say: options of a Bitrix type other than select (the
lists' `L`) come back as `type("L") {…}`; what .bpl cannot say stays reported as lossy."""

from __future__ import annotations

from compiler.importer import TemplateSource, read_bpt
from tests.importer.support import ROOT, compile_text, differences, imported, source_of

SOURCE = """\
workflow trip for lists.element(42) {
    param country: type("L") {"de": "Germany", "kz": "Kazakhstan"} = "de" required "Country"

    log "{param.country}"
}
"""

DESIGNER = ROOT / "tests" / "fixtures" / "designer"


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
    source = read_bpt(DESIGNER / "bizproc_business_trips.bpt")
    source = TemplateSource(source.package, source.origin, document_type=(
        "lists", "BizprocDocument", "iblock_42"))
    result = imported(source)
    assert 'param COUNTRY: type("L") {\n        "Germany": "Germany",\n' in result.text
    assert '"United States": "United States",\n    } = "USA" required' in result.text
    assert differences(source.row(), result.text, header=False) == []
    assert not [f for f in result.report.findings if f.kind == "lossy"]


def test_what_bpl_cannot_say_is_reported_never_equivalent() -> None:
    # Variables with a `Title` key; their user defaults of a bare group id ('1': Bitrix reads
    # it as site user group 1, modules/bizproc/classes/general/helper.php extractUsers) are
    # group(1) now.
    source = read_bpt(DESIGNER / "lists_acct.bpt")
    source = TemplateSource(source.package, source.origin, document_type=(
        "lists", "BizprocDocument", "iblock_42"))
    result = imported(source)
    lossy = {f.where: f.message for f in result.report.findings if f.kind == "lossy"}
    assert "keys Title" in lossy["var PayDate"]
    assert "var Bookkeeper" not in lossy
    assert 'var Bookkeeper: user[] = group(1) "Accounts department (approval)"' in result.text
    assert not result.report.equivalent


def test_options_on_internalselect_are_refused() -> None:
    built = compile_text(SOURCE.replace('type("L")', 'internalselect("STAGE_ID")'), "trip")
    assert "E201" in [d.code for d in built.diagnostics if d.severity == "error"]


def test_a_printed_user_default_is_reported_by_what_it_is() -> None:
    source = read_bpt(DESIGNER / "bizproc_status.bpt")
    source = TemplateSource(source.package, source.origin, document_type=(
        "lists", "BizprocDocument", "iblock_42"))
    result = imported(source)
    lossy = {f.where: f.message for f in result.report.findings if f.kind == "lossy"}
    assert "'Author;' is users as the designer prints them" in lossy["param Creators"]
    assert not result.report.equivalent
