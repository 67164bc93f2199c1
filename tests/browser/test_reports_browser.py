"""Open the cohort page and every sample page in headless Chromium.

Checks that each page renders its sections, logs no console error or warning, and makes no
request other than loading its own file (the reports must work offline and leak nothing).
Uses the fixture cohort (3 samples: one with ``<script>`` in its metadata, one with zero reads)
or, when ``GUTBRAIN_REPORTS_DIR`` is set, a pipeline's ``results/reports`` folder.
Screenshots are saved under ``tests/output/browser/``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.fixtures.report_cohort import PANEL_HEADING, SECTION_HEADINGS

pytestmark = pytest.mark.browser

# The sections every sample page must have: one list, shared with the unit tests.
SAMPLE_HEADINGS = SECTION_HEADINGS
COHORT_HEADINGS = (
    "Samples",
    "Gene-level module scores per compound",
    "Module scores",
    "Ordination (PCoA)",
    "Genus composition",
)
FIXED_NOTE = "It is not a diagnosis and not a measurement"


def _sample_pages(reports_dir: Path) -> list[Path]:
    pages = sorted((reports_dir / "samples").glob("*.html"))
    assert pages, f"no sample pages under {reports_dir / 'samples'}"
    return pages


def _check_page(page: dict, path: Path, headings: tuple[str, ...]) -> None:
    url = path.resolve().as_uri()
    missing = [h for h in headings if h not in page["headings"]]
    assert missing == [], f"{path}: missing sections {missing}"
    assert page["console"] == [], f"{path}: console messages {page['console']}"
    assert page["requests"] == [url], f"{path}: unexpected requests {page['requests']}"


def test_cohort_page(browser, reports_dir: Path, screenshot_dir: Path) -> None:
    index = reports_dir / "index.html"
    page = browser.open_page(index.resolve().as_uri(), screenshot_dir / "index.png")
    _check_page(page, index, COHORT_HEADINGS)
    assert FIXED_NOTE in page["text"]
    assert (screenshot_dir / "index.png").stat().st_size > 10_000
    html = index.read_text(encoding="utf-8")
    links = re.findall(r'href="(samples/[^"]+\.html)"', html)
    assert links, "cohort page links to no sample page"
    for link in links:
        assert (reports_dir / link).is_file(), f"broken link {link}"


def test_sample_pages(browser, reports_dir: Path, screenshot_dir: Path) -> None:
    for path in _sample_pages(reports_dir):
        shot = screenshot_dir / f"sample_{path.stem}.png"
        page = browser.open_page(path.resolve().as_uri(), shot)
        _check_page(page, path, SAMPLE_HEADINGS)
        assert FIXED_NOTE in page["text"], path
        # The first-screen panel leads the page, right under the title.
        assert page["headings"][1] == PANEL_HEADING, (path, page["headings"])
        if "No reads after QC" not in page["text"]:
            # The first screen says what the headline measure means, how it agrees with
            # metagenomes and what this reference cannot see.
            text = page["text"]
            first = " ".join(text[text.index(PANEL_HEADING):text.index("Plain-language")].split())
            assert "does not follow sequencing depth" in first, path
            assert "complete route in one genome" in first, path
            assert "Agreement with metagenomes" in first and "Spearman's rho" in first, path
            assert "Cannot see:" in first, path
        assert shot.stat().st_size > 10_000, path


def test_fixture_specials(browser, reports_dir: Path, screenshot_dir: Path) -> None:
    """In the fixture cohort: the zero-read page says so; the <script> metadata is shown as text."""
    if not (reports_dir / "samples" / "S3.html").is_file():
        pytest.skip("not the fixture cohort (GUTBRAIN_REPORTS_DIR is set)")
    zero = browser.open_page((reports_dir / "samples" / "S3.html").resolve().as_uri())
    assert "No reads after QC" in zero["text"]
    xss = browser.open_page((reports_dir / "samples" / "S1.html").resolve().as_uri())
    assert "<script>alert(1)</script>" in xss["text"]  # shown as text, not executed
    assert xss["console"] == []
    assert "Functional reference: human_genomes_genus_profile" in xss["text"]
    panel = xss["text"][xss["text"].index(PANEL_HEADING):xss["text"].index("Plain-language")]
    for label in ("Butyrate", "GABA", "Noradrenaline"):
        assert label in panel
    assert "not predictable from 16S" in panel


def test_group_comparison_section(browser, reports_dir: Path, screenshot_dir: Path) -> None:
    """The fixture cohort compares two contrasts: one difference in words with its forest
    plot, one contrast where nothing is significant, both framed as predicted potential."""
    if not (reports_dir / "samples" / "S3.html").is_file():
        pytest.skip("not the fixture cohort (GUTBRAIN_REPORTS_DIR is set)")
    index = reports_dir / "index.html"
    page = browser.open_page(index.resolve().as_uri(), screenshot_dir / "index_compare.png")
    assert "Group comparison of predicted potential" in page["headings"]
    text = " ".join(page["text"].split())
    assert "Predicted potential for Butyrate (Butyrate via acetyl-CoA) lower in 'dep'" in text
    assert "No compound or route differs between 'anx' and 'control'" in text
    assert "never a statement about a person" in text
    assert "Bias: the groups differ in reads" in text
    assert "has not been measured" in text or "shuffled labels" in text
    html = index.read_text(encoding="utf-8")
    assert html.count('aria-label="Group comparison') == 2  # one forest plot per contrast
    assert page["console"] == []


def test_harness_sees_requests_and_console_errors(browser, tmp_path: Path) -> None:
    """Negative control: a page that loads a remote image and logs an error is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><html><head><title>bad</title></head><body><h2>Bad</h2>'
        '<img src="http://example.invalid/pixel.png" alt="">'
        '<script>console.error("boom")</script></body></html>',
        encoding="utf-8",
    )
    page = browser.open_page(bad.resolve().as_uri())
    assert "http://example.invalid/pixel.png" in page["requests"]
    assert any("boom" in message for message in page["console"])
    assert page["headings"] == ["Bad"]
