"""`bpl docs`: the site says what each workflow is, and a real browser draws its diagram.

The browser test opens a generated page in Debian's Chromium (driven by Playwright, with the
system's binary, never a downloaded one), screenshots the diagram and checks it is drawn:
the picture is saved as out/screenshots/docs-deal_approval.png for a person (or CI) to look
at.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from graph_support import GRAPHVIZ_MISSING, REPO, SAMPLES, needs_graphviz
from png_pixels import pixels

from compiler.cli.main import main

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOT = REPO / "out" / "screenshots" / "docs-deal_approval.png"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"]


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The samples' site, with the coverage of the deal approval's scenarios."""
    root = tmp_path_factory.mktemp("docs")
    shutil.copytree(SAMPLES, root / "samples", ignore=shutil.ignore_patterns("robot_app"))
    shutil.copy(REPO / "bpl.toml", root / "bpl.toml")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        tested = run("test", "samples/deal_approval.test.toml", "--coverage-json", "cov.json")
        assert tested.exit_code == 0, tested.output
        made = run("docs", "-o", "site", "--coverage-json", "cov.json")
        assert made.exit_code == 0, made.stderr
        assert "wrote 9 workflow page(s) and an index to site/index.html" in made.stderr
    return root / "site"


def text(html: str) -> str:
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


def test_the_index_links_every_workflow(site: Path) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    for name in ("deal_approval", "vacation_request", "smart_process_routing"):
        assert f'href="{name}.html"' in index
        assert (site / f"{name}.html").is_file()
    assert "8/10 (80%)" not in index  # coverage is the deal approval's own
    assert re.search(r"deal_approval.*?10/10 \(100%\)", index, re.S)
    assert "no scenarios ran" in index  # the workflows whose scenarios were not run


def test_a_page_documents_its_workflow(site: Path) -> None:
    page = text((site / "smart_process_routing.html").read_text(encoding="utf-8"))
    assert "Document crm.dynamic(env.claims_spa)" in page
    assert "Starts by itself on create" in page
    assert "refund_limit Refunds above this go to finance double" in page
    assert "service_team Service team user yes env.service_engineer_1, " \
           "env.service_engineer_2" in page
    # Values per environment come from bpl.toml.
    assert "env.claims_spa 1036" in page
    assert "large refund goes to finance" in page  # a scenario of its .test.toml
    robots = text((site / "vacation_request.html").read_text(encoding="utf-8"))
    assert "No app robots." in robots
    covered = text((site / "deal_approval.html").read_text(encoding="utf-8"))
    assert "Branches covered 10/10 (100%)" in covered


def test_the_site_needs_no_javascript(site: Path) -> None:
    for path in site.glob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert "<script" not in html.lower() and "javascript:" not in html.lower(), path.name
        assert ' on' + 'click=' not in html.lower()


@needs_graphviz
def test_diagrams_are_inline_svg_linking_to_the_sources(site: Path) -> None:
    html = (site / "deal_approval.html").read_text(encoding="utf-8")
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert "Approve deal {doc.TITLE}" in svg
    source = (SAMPLES / "deal_approval.bpl").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(source, 1) if 'approve "Approve deal' in text)
    assert f'xlink:href="../samples/deal_approval.bpl#L{line}"' in svg


def test_without_graphviz_the_page_shows_mermaid_source(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(SAMPLES, tmp_path / "samples", ignore=shutil.ignore_patterns("robot_app"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot`
    made = run("docs", "-o", "site")
    assert made.exit_code == 0, made.stderr
    assert "note: Graphviz's dot program was not found" in made.stderr
    html = (tmp_path / "site" / "contract_review.html").read_text(encoding="utf-8")
    assert '<pre class="mermaid-source">flowchart TB' in html
    assert "<svg" not in html


def test_a_broken_coverage_file_is_one_sentence(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cov.json").write_text("[]", encoding="utf-8")
    made = run("docs", str(SAMPLES), "--coverage-json", "cov.json")
    assert made.exit_code == 1
    assert "is not a coverage file of bpl test --coverage-json" in made.stderr


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed "
                    "(apt-get install chromium; .ci/run installs it)")
@pytest.mark.skipif(GRAPHVIZ_MISSING is not None, reason=GRAPHVIZ_MISSING or "")
def test_chromium_draws_the_diagram_of_a_page(site: Path) -> None:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM is not None
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto((site / "deal_approval.html").as_uri())
            figure = page.locator("#workflow-diagram svg")
            box = figure.bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 300
            # Text the browser laid out inside the drawing, read back from the page.
            assert "Approve deal {doc.TITLE}" in figure.text_content()
            shot = figure.screenshot(path=str(SCREENSHOT))
            # The same measure on an empty box of the same page says "blank".
            page.set_content('<div id="empty" style="width:400px;height:400px"></div>')
            blank = page.locator("#empty").screenshot()
        finally:
            browser.close()
    width, height, _ = pixels(shot)
    assert width > 300 and height > 300
    assert drawn(shot), "the diagram's screenshot is blank"
    assert not drawn(blank)


def drawn(png: bytes) -> bool:
    """Some pixels are lines and text, most are background, and there are many shades."""
    _, _, rgb = pixels(png)
    inked = sum(1 for r, g, b in rgb if r + g + b < 600) / len(rgb)
    shades = len(set(rgb[:: max(1, len(rgb) // 20000)]))
    return 0.01 < inked < 0.6 and shades > 20
