"""What `bpl import` writes for Bitrix's own default templates: tests/fixtures/designer/NAME.bpt
(with NAME.json's document type) must import to tests/fixtures/designer/expected/NAME.bpl.

The expected files are the readable result a user gets, reviewed by hand; a change in the
importer shows here as a diff to review. Regenerate them with BPL_UPDATE_GOLDEN=1 and review the
diff before committing it.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from compiler.importer.measure import source_at
from tests.importer.support import IMPORTER

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "designer"
EXPECTED = CORPUS / "expected"
SOURCES = sorted(CORPUS.glob("*.bpt"))
UPDATE = os.environ.get("BPL_UPDATE_GOLDEN") == "1"


@pytest.mark.parametrize("bpt", SOURCES, ids=lambda p: p.stem)
def test_template_imports_to_its_expected_bpl(bpt: Path) -> None:
    result = IMPORTER.run(source_at(bpt))
    expected_path = EXPECTED / f"{bpt.stem}.bpl"
    if UPDATE:
        if not expected_path.exists() or expected_path.read_text(encoding="utf-8") != result.text:
            expected_path.write_text(result.text, encoding="utf-8")
        return
    assert expected_path.exists(), f"no {expected_path.name}; run with BPL_UPDATE_GOLDEN=1"
    expected = expected_path.read_text(encoding="utf-8")
    if result.text != expected:
        diff = "".join(difflib.unified_diff(
            expected.splitlines(keepends=True), result.text.splitlines(keepends=True),
            f"{expected_path.name} (expected)", f"{bpt.name} (imported)", n=2))
        pytest.fail(f"the import differs from {expected_path.name}:\n{diff[:6000]}")


def test_every_expected_file_has_its_template() -> None:
    stems = {s.stem for s in SOURCES}
    orphans = [p.name for p in EXPECTED.glob("*.bpl") if p.stem not in stems]
    assert orphans == []
