"""Every text from an input file reaches every published page as text.

The hostile fixture (``tests/hostile.py``) is built with the real ``python -m analysis build``;
each page is opened in headless Chromium over the DevTools protocol, which records every
JavaScript dialog, console call, uncaught error and request. No script may run, nothing may be
fetched from outside the local files, and each payload must be shown literally.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import hostile
from browser import Chromium

# What the page shows of an element that should not exist: markup made from input text.
INJECTED = """
(() => {
  const found = [];
  for (const e of document.querySelectorAll('body script, iframe, svg, img[src="x"]'))
    found.push(e.outerHTML.slice(0, 80));
  // The only styles in a page's body are those of its tables (#T_<id> …).
  for (const e of document.querySelectorAll('body style'))
    if (!e.textContent.trim().startsWith('#T_')) found.push(e.outerHTML.slice(0, 80));
  for (const e of document.querySelectorAll('*'))
    for (const a of e.attributes)
      if (a.name.startsWith('on') || /^\\s*javascript:/i.test(a.value)) found.push(e.outerHTML.slice(0, 80));
  return found;
})()
"""

# Where each payload must be shown, by page (relative to reports/); the text as a reader sees it.
GROUP_SHOWN = hostile.PAYLOADS["group"].removeprefix("Результат мероприятий ")
EXPECTED = {
    "html/63/evil-a/2024.html": [
        "name_a",
        "college_a",
        "industry_a",
        "programme",
        "indicator",
        GROUP_SHOWN,
        hostile.REGION_NAME,
    ],
    "html/63/evil-b/2024.html": ["name_b", "college_b", "industry_b", "programme", "indicator"],
    "html/63/calm-c/2024.html": ["name_c", "programme", "indicator"],
    "html/63/calm-d/2024.html": ["name_d", hostile.REGION_NAME],
    "html/63/region-2024.html": ["name_a", "name_b", "name_c", "name_d", hostile.REGION_NAME],
    "index.html": ["name_a", "name_b", "name_c", "name_d"],
    "validation.html": ["fact", "<b>Неизвестная</b> организация"],
}

# Reader text only: nothing of the machinery on a page.
MACHINERY = ["parquet", "python -m", "data/processed", "data/raw", "/tmp", "hostile-site-", ".venv"]


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def site() -> Path:
    return hostile.site()


@pytest.fixture(scope="module")
def visits(site, tmp_path_factory):
    """Every published page opened once: what ran, what was requested, what it shows."""
    seen = {}
    with Chromium(tmp_path_factory.mktemp("profile")) as browser:
        for page in hostile.pages(site):
            tab, visit = browser.open(page)
            seen[page.relative_to(site / "reports").as_posix()] = (
                visit,
                tab.evaluate("document.body.innerText"),
                tab.evaluate(INJECTED),
            )
            tab.close()
    return seen


def test_the_harness_sees_a_script_that_runs(tmp_path):
    """A page with the payloads pasted in unescaped: every kind of execution is recorded, so a
    silent run of the real pages means nothing ran."""
    page = tmp_path / "unsafe.html"
    page.write_text(
        "<!DOCTYPE html><html><body>"
        f"<h1>{hostile.PAYLOADS['name_a']}</h1><p>{hostile.PAYLOADS['college_a']}</p>"
        "<script>console.log('xss-console'); undefined_function();</script>"
        '<img src="https://example.invalid/logo.png">'
        "</body></html>",
        encoding="utf-8",
    )
    with Chromium(tmp_path / "profile") as browser:
        tab, visit = browser.open(page)
        injected = tab.evaluate(INJECTED)
    assert any("xss-name" in d for d in visit.dialogs), visit
    assert any("xss-college" in d for d in visit.dialogs), visit
    assert any("xss-console" in c for c in visit.console), visit
    assert visit.exceptions, visit
    assert "https://example.invalid/logo.png" in visit.requests
    assert injected


def test_every_page_was_opened(visits):
    assert set(EXPECTED) <= set(visits), sorted(visits)
    assert {"html/63/calm-c/2025.html", "html/63/region-2025.html"} <= set(visits)


def test_no_script_runs_on_any_page(visits):
    ran = {page: visit.scripts_ran for page, (visit, _, _) in visits.items() if visit.scripts_ran}
    assert not ran


def test_no_markup_from_input_text_on_any_page(visits):
    injected = {page: found for page, (_, _, found) in visits.items() if found}
    assert not injected


def test_nothing_is_fetched_from_outside_the_local_files(visits):
    outside = {
        page: [u for u in visit.requests if not u.startswith(("file://", "data:"))]
        for page, (visit, _, _) in visits.items()
    }
    assert not {page: urls for page, urls in outside.items() if urls}
    assert all(visit.requests for visit, _, _ in visits.values()), "the page itself is a request"


@pytest.mark.parametrize("page", sorted(EXPECTED))
def test_payloads_are_shown_literally(visits, page):
    _, text, _ = visits[page]
    for key in EXPECTED[page]:
        payload = hostile.PAYLOADS.get(key, key)
        assert flat(payload) in flat(text), f"{page} does not show {payload!r}"


def test_pages_carry_reader_text_only(visits, site):
    for page, (_, text, _) in visits.items():
        for word in [*MACHINERY, str(site)]:
            assert word not in text, f"{page} shows {word!r}"


def test_a_report_table_escapes_cells_headings_and_links_and_keeps_its_id():
    import pandas as pd

    from analysis.reports.markup import fragment, table

    frame = pd.DataFrame({"<i>Кластер</i>": ["<script>x()</script>", "b"], "n": [1, None]})
    html = table(
        frame, "t1", left=["<i>Кластер</i>"], links={"<i>Кластер</i>": ['a"><b>/1.html', None]}
    ).to_html()
    assert "<script>" not in html and "<i>" not in html and "<b>" not in html
    assert '<a href="a&quot;&gt;&lt;b&gt;/1.html">&lt;script&gt;x()&lt;/script&gt;</a>' in html
    assert "&lt;i&gt;Кластер&lt;/i&gt;" in html and 'id="T_t1"' in html and "—" in html
    assert (
        html
        == table(
            frame, "t1", left=["<i>Кластер</i>"], links={"<i>Кластер</i>": ['a"><b>/1.html', None]}
        ).to_html()
    )
    assert (
        fragment("<p>{{ v }}</p>", v="<img src=x onerror=y()>").data == "<p>&lt;img src=x onerror=y()&gt;</p>"
    )
