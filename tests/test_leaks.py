"""Nothing of the machine leaves with the site: every published file of the hostile build — HTML,
PDF (text, link annotations, metadata), .xlsx, CSV, JSON — is searched for the build's absolute
paths, the staging folder's name, the user's home and the checkout; charts draw any text without
a warning; links inside PDFs are relative and lead to pages of the site."""

from __future__ import annotations

import io
import shutil
import warnings
import zipfile
from pathlib import Path
from urllib.parse import unquote

import matplotlib.pyplot as plt
import pandas as pd
import pypdf
import pytest
from openpyxl import load_workbook

import hostile
from analysis import settings
from analysis.reports.charts import MISSING_GLYPH, chart_text, status_by_group_chart


@pytest.fixture(scope="module")
def site() -> Path:
    return hostile.site()


def _pdf_texts(path: Path) -> list[str]:
    reader = pypdf.PdfReader(path)
    texts = [page.extract_text() for page in reader.pages]
    texts += [str(v) for v in (reader.metadata or {}).values()]
    texts += [uri for uri, _ in _links(path)]
    return texts


def _links(path: Path) -> list[tuple[str, int]]:
    """(URI, page number) of every link annotation of a PDF."""
    found = []
    for number, page in enumerate(pypdf.PdfReader(path).pages):
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and action.get_object().get("/S") == "/URI":
                found.append((str(action.get_object()["/URI"]), number))
    return found


def _texts(path: Path) -> list[str]:
    """Everything a published file says, as text."""
    suffix = path.suffix
    if suffix == ".pdf":
        return _pdf_texts(path)
    if suffix == ".xlsx":
        book = load_workbook(path)
        cells = [str(c) for s in book for row in s.iter_rows(values_only=True) for c in row if c is not None]
        raw = zipfile.ZipFile(path)
        return cells + [raw.read(n).decode("utf-8", "replace") for n in raw.namelist()]
    if suffix == ".zip":
        archive = zipfile.ZipFile(path)
        return [archive.read(n).decode("utf-8-sig") for n in archive.namelist()] + archive.namelist()
    return [path.read_bytes().decode("utf-8", "replace")]


def test_no_published_file_names_the_machine(site):
    reports = site / "reports"
    published = [p for p in reports.rglob("*") if p.is_file() and not p.name.startswith(".")]
    kinds = {p.suffix for p in published}
    assert {".html", ".xlsx", ".zip", ".json"} <= kinds
    if shutil.which("chromium"):
        assert ".pdf" in kinds
    forbidden = {
        "the build's folder": str(site),
        "the build's folder, resolved": str(site.resolve()),
        "the staging folder": ".staging-",
        "the user's home": str(Path.home()),
        "the checkout": str(settings.project_root()),
        "a file address": "file://",
        "a Python warning": "Warning:",
        "a traceback": "Traceback",
    }
    found = []
    for path in published:
        for text in _texts(path):
            for what, needle in forbidden.items():
                if needle in text or needle in unquote(text):
                    found.append(f"{path.relative_to(reports)}: {what} ({needle})")
    assert not found, "\n".join(sorted(set(found)))


def test_pdf_links_are_relative_and_lead_to_published_pages(site):
    if not shutil.which("chromium"):
        pytest.skip("chromium is not installed: no PDFs")
    reports = site / "reports"
    region = reports / "html" / "63" / "region-2024.pdf"
    links = _links(region)
    assert len(links) >= 4  # a link per cluster of the region
    for uri, _ in links:
        assert "://" not in uri and not uri.startswith("/"), uri
        target = (region.parent / unquote(uri.split("#")[0])).resolve()
        assert target.is_relative_to(reports.resolve()) and target.exists(), uri
    for pdf in reports.rglob("*.pdf"):
        for uri, _ in _links(pdf):
            assert not uri.startswith("file:"), (pdf, uri)


def test_no_notebook_is_published(site):
    assert not list((site / "reports").rglob("*.ipynb"))


@pytest.mark.parametrize(
    "text",
    [
        hostile.PAYLOADS["chart"],
        hostile.PAYLOADS["name_c"],
        "$\\x{y}$",
        "затраты от $5 до $10",
        "a\u200bb\u202ec",
        "中文 𝔘 ﷽",
    ],
)
def test_a_chart_draws_any_text_plainly_and_silently(text):
    counts = pd.DataFrame(
        {"label": [text, "1.2 обычная"], "met": [1, 2], "partly_met": [0, 1], "not_met": [1, 0]}
        | {s: [0, 0] for s in ("pending", "no_data", "beyond_plan")}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figure = status_by_group_chart(counts, text)
        figure.savefig(io.BytesIO(), format="png")
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert chart_text(text) in labels
    plt.close(figure)


def test_chart_text_escapes_tex_and_replaces_what_the_font_lacks():
    assert chart_text("затраты от $5 до $10") == "затраты от \\$5 до \\$10"
    assert chart_text("x\u200by\u202ez") == "xyz"
    assert chart_text("🦄 № ₽ «ё»") == f"{MISSING_GLYPH} № ₽ «ё»"


def test_stderr_of_a_cell_goes_to_the_log_not_the_page(caplog):
    """A warning printed by a library (with this machine's path in it) is logged, not published;
    what the report displays stays."""
    import nbformat

    from analysis.site.runner import export_html

    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output(
            "stream", name="stderr", text="/srv/project/src/charts.py:40: UserWarning: Glyph missing\n"
        ),
        nbformat.v4.new_output("stream", name="stdout", text="напечатано\n"),
        nbformat.v4.new_output("display_data", data={"text/html": "<p>таблица отчёта</p>"}),
    ]
    notebook = nbformat.v4.new_notebook(cells=[cell])
    with caplog.at_level("WARNING", logger="analysis.site.outputs"):
        html = export_html(notebook, "Отчёт")
    assert "таблица отчёта" in html and "напечатано" in html
    assert "/srv/project" not in html and "UserWarning" not in html
    assert any(
        "Отчёт: cell 0 wrote to stderr" in r.getMessage() and "Glyph missing" in r.getMessage()
        for r in caplog.records
    )
