"""Pages under stress, on screen and on paper: a 5,000-character word (the end of ``calm-c``'s
name) wraps instead of widening any page; status labels never break inside a word; every page
carries the full content security policy; a report page is light (our own stylesheet, not
nbconvert's) — measured in the real Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest

import hostile
from analysis.site.pdf import print_pdf
from browser import Chromium, executable

POLICY = ("default-src 'none'", "base-uri 'none'", "form-action 'none'")
PAGE_LIMIT = 200_000  # bytes: a cluster page with its charts
PRINT_WIDTH = round((210 - 24) * 96 / 25.4)  # A4 portrait less the margins, CSS pixels
STRESSED = ["index.html", "html/63/calm-c/2024.html", "html/63/region-2024.html", "validation.html"]

# Words of status labels (td.label) that the browser laid out over more than one line.
BROKEN_WORDS = """
(() => {
  const broken = [];
  for (const cell of document.querySelectorAll('td.label')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /\\S+/g;
      let m;
      while ((m = re.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(m[0]);
      }
    }
  }
  return {cells: document.querySelectorAll('td.label').length, broken};
})()
"""
WIDTH = "({page: document.documentElement.scrollWidth, view: document.documentElement.clientWidth})"


@pytest.fixture(scope="module")
def site() -> Path:
    return hostile.site()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    executable()
    with Chromium(tmp_path_factory.mktemp("profile")) as chromium:
        yield chromium


def test_every_page_carries_the_whole_policy(site):
    for page in hostile.pages(site):
        head = page.read_text(encoding="utf-8").split("</head>")[0]
        meta = re.search(r"<meta[^>]*Content-Security-Policy[^>]*>", head)
        assert meta, page
        policy = re.search(r'content="([^"]*)"', meta.group())
        for rule in POLICY:
            assert rule in policy.group(1), (page.name, rule)


def test_report_pages_are_light(site):
    reports = sorted((site / "reports" / "html").rglob("*.html"))
    sizes = {p.relative_to(site / "reports").as_posix(): p.stat().st_size for p in reports}
    assert max(sizes.values()) < PAGE_LIMIT, sizes
    page = (site / "reports" / "html" / "63" / "evil-a" / "2024.html").read_text(encoding="utf-8")
    assert page.count("data:image/png") >= 2  # with its charts
    assert "jp-icon" not in page and "--jp-" not in page  # none of JupyterLab's stylesheet


@pytest.mark.parametrize("page", STRESSED)
@pytest.mark.parametrize("media", ["screen", "print"])
def test_a_long_word_widens_no_page(site, browser, page, media):
    width = 1024 if media == "screen" else PRINT_WIDTH
    tab, _ = browser.open(site / "reports" / page, media=None if media == "screen" else "print", width=width)
    measured = tab.evaluate(WIDTH)
    text = tab.evaluate("document.body.innerText")
    tab.close()
    assert measured["page"] <= measured["view"] + 1, measured
    if page != "validation.html":
        assert "Щ" * 200 in text.replace("\n", "")  # the word is there, wrapped


@pytest.mark.parametrize(
    "page", ["html/63/evil-a/2024.html", "html/63/calm-d/2024.html", "html/63/region-2024.html"]
)
@pytest.mark.parametrize("width", [PRINT_WIDTH, 360])
def test_status_labels_never_break_inside_a_word(site, browser, page, width):
    tab, _ = browser.open(site / "reports" / page, media="print", width=width)
    measured = tab.evaluate(BROKEN_WORDS)
    tab.close()
    assert measured["cells"] > 0
    assert measured["broken"] == [], measured


def test_a_long_name_prints_from_the_first_page(site, tmp_path):
    executable()
    pdf = print_pdf(site / "reports" / "html" / "63" / "calm-c" / "2024.html", tmp_path / "c.pdf")
    first = " ".join(pypdf.PdfReader(pdf).pages[0].extract_text().split())
    # Not a blank page before an unbreakable name: the name itself, wrapped, opens the report.
    assert "Кластер «В»" in first and "Щ" * 100 in first.replace(" ", "")
