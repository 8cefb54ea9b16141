"""The sample robot app stays runnable: its demo goes end to end."""

from __future__ import annotations

import importlib.util
from types import ModuleType

import pytest

from .support import EXAMPLE, load_example_handler


def _demo() -> ModuleType:
    spec = importlib.util.spec_from_file_location("robot_app_demo", EXAMPLE / "demo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.loopback
def test_the_demo_invoices_a_deal(capsys: pytest.CaptureFixture[str]) -> None:
    assert _demo().main() == "ERP invoice INV-DEAL_42-1500"
    printed = capsys.readouterr().out
    assert "log: Creating the ERP invoice of 1500 for ACME" in printed
    assert ": completed; deal comment: ERP invoice INV-DEAL_42-1500" in printed


def test_the_handler_will_not_start_without_the_application_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ROBOT_APP_TOKEN", raising=False)
    with pytest.raises(ValueError, match="application_token is required"):
        load_example_handler().build_app()
    monkeypatch.setenv("ROBOT_APP_TOKEN", "from-the-environment")
    assert load_example_handler().build_app() is not None
