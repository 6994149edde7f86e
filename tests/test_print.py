"""Every kind of page prints on A4 with nothing cut: the cluster report, the region report and the
validation results, printed by ``analysis.site.pdf`` with the real Chromium and measured in it."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest

import hostile
from analysis.site.pdf import BrowserMissingError, print_pdf
from browser import Chromium, executable

A4 = (595.28, 841.89)  # points
MM = 96 / 25.4  # CSS pixels per millimetre
MARGINS_MM = 12 + 12  # left + right of the @page rules
PAGES = {
    "cluster": ("html/63/evil-a/2024.html", "portrait"),
    "cluster, not received": ("html/63/calm-d/2024.html", "portrait"),
    "region": ("html/63/region-2024.html", "landscape"),
    "validation": ("validation.html", "portrait"),
}

# Every table no wider than the page's printable width and its own container, and nothing
# with a scrollbar (content wider than the box that would scroll it).
MEASURE = """
(() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const t of document.querySelectorAll('table')) {
    const box = t.getBoundingClientRect();
    if (box.right > width + 0.5 || t.scrollWidth > t.parentElement.clientWidth + 0.5)
      wide.push(`${t.id || 'table'}: ${Math.round(box.right)} px of ${width}`);
  }
  for (const e of document.querySelectorAll('body *')) {
    const overflow = getComputedStyle(e).overflowX;
    if ((overflow === 'auto' || overflow === 'scroll') && e.scrollWidth > e.clientWidth + 0.5)
      wide.push(`scrollbar on ${e.tagName}.${e.className}`);
  }
  return {width, tables: document.querySelectorAll('table').length, wide};
})()
"""


@pytest.fixture(scope="module")
def site() -> Path:
    return hostile.site()


@pytest.fixture(scope="module")
def printed(site, tmp_path_factory) -> dict[str, Path]:
    executable()  # skip or fail here when there is no browser
    out = tmp_path_factory.mktemp("pdf")
    return {
        kind: print_pdf(site / "reports" / page, out / f"{i}.pdf")
        for i, (kind, (page, _)) in enumerate(PAGES.items())
    }


@pytest.mark.parametrize("kind", PAGES)
def test_every_page_is_a4(printed, kind):
    reader = pypdf.PdfReader(printed[kind])
    orientation = PAGES[kind][1]
    sizes = {(round(float(p.mediabox.width), 0), round(float(p.mediabox.height), 0)) for p in reader.pages}
    portrait, landscape = (round(A4[0]), round(A4[1])), (round(A4[1]), round(A4[0]))
    assert sizes == {portrait if orientation == "portrait" else landscape}, sizes


@pytest.mark.parametrize("kind", PAGES)
def test_pages_are_numbered_and_no_heading_ends_a_page(printed, kind):
    reader = pypdf.PdfReader(printed[kind])
    total = len(reader.pages)
    headings = set()
    html = (hostile.site() / "reports" / PAGES[kind][0]).read_text(encoding="utf-8")
    for heading in re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", html, flags=re.S):
        text = " ".join(re.sub(r"<[^>]+>", " ", heading).split())
        if text:
            headings.add(text)
    for number, page in enumerate(reader.pages, start=1):
        lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
        assert f"Стр. {number} из {total}" in lines, (kind, number, lines[-3:])
        body = [line for line in lines if not line.startswith("Стр. ")]
        if number < total and body:
            assert body[-1] not in headings, f"{kind}: page {number} ends with the heading {body[-1]!r}"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with Chromium(tmp_path_factory.mktemp("profile")) as chromium:
        yield chromium


@pytest.mark.parametrize("kind", PAGES)
def test_no_table_is_wider_than_the_printable_area(site, browser, kind):
    page, orientation = PAGES[kind]
    paper = A4[0] if orientation == "portrait" else A4[1]
    width = round((paper / 72 * 25.4 - MARGINS_MM) * MM)
    tab, _ = browser.open(site / "reports" / page, media="print", width=width)
    measured = tab.evaluate(MEASURE)
    tab.close()
    assert measured["tables"] > 0
    assert measured["wide"] == [], measured


def test_the_region_table_prints_whole(printed):
    """Its last column used to be cut at the right edge: every heading of it is in the PDF."""
    text = " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(printed["region"]).pages)
    for heading in ["Кластер", "Взвешенный", "их доля", "Отчёт за год", "представлен с опозданием"]:
        assert heading in text, heading


def test_without_chromium_printing_says_what_to_do(site, tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_CHROMIUM", str(tmp_path / "no-such-browser"))
    with pytest.raises(BrowserMissingError, match="apt-get install chromium"):
        print_pdf(site / "reports" / "validation.html", tmp_path / "out.pdf")
    assert not (tmp_path / "out.pdf").exists()
