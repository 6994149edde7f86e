"""Plans from real PDFs: the seed plan as an HTML table printed by headless Chromium (its header
and footer on every page, an empty last cell), and text layers with page numbers between and
inside rows."""

from __future__ import annotations

import html
import inspect
import shutil
import subprocess
from pathlib import Path

import pytest

from analysis.sources.plan import read_plan_file, write_plan_file
from analysis.sources.plan_import.pdf import read_pdf_file
from analysis.sources.plan_import.text import parse_text
from conftest import SEED_PLAN

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")


def plan_html(plan) -> str:
    """The plan as the document's table: № п/п, the name, a column per year (empty cells empty)."""
    years = list(plan.columns[4:])
    rows = []
    for row in plan.itertuples(index=False):
        code = row.programme_code or (row.code + "." if row.kind == "section" else row.code)
        cells = "".join(f"<td>{html.escape(c)}</td>" for c in row[4:])
        rows.append(f"<tr><td>{html.escape(code)}</td><td>{html.escape(row.title)}</td>{cells}</tr>")
    head = "".join(f"<th>{y}</th>" for y in years)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>План мероприятий</title><style>
        table {{ border-collapse: collapse; font: 11pt serif; }}
        td, th {{ border: 1px solid #000; padding: 2px 4px; vertical-align: top; }}
        </style></head><body><p>Приложение № 2 к программе деятельности образовательного кластера</p>
        <p>План мероприятий по реализации программы деятельности образовательного кластера</p>
        <table><thead><tr><th rowspan="2">№ п/п</th><th rowspan="2">Наименование результата мероприятия</th>
        <th colspan="{len(years)}">Значение по итогам года</th></tr><tr>{head}</tr></thead>
        <tbody>{"".join(rows)}</tbody></table></body></html>"""


def print_to_pdf(page: Path, pdf: Path) -> Path:
    """Print an HTML page with headless Chromium, its default header and footer included."""
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        f"--print-to-pdf={pdf}",
        page.as_uri(),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    return pdf


@needs_chromium
def test_the_seed_plan_printed_by_chromium_reads_back_into_the_canonical_plan(tmp_path):
    canonical = read_plan_file(SEED_PLAN)
    assert canonical.loc[
        canonical["programme_code"].eq("40.02.02") & canonical["code"].eq("1.4.1"), "2026"
    ].tolist() == [""]
    page = tmp_path / "plan.html"
    page.write_text(plan_html(canonical), encoding="utf-8")
    pdf = print_to_pdf(page, tmp_path / "plan.pdf")
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() for p in PdfReader(str(pdf)).pages)
    assert len(PdfReader(str(pdf)).pages) >= 2 and "plan.html" in text  # the footer Chromium prints
    result = read_pdf_file(pdf)
    assert write_plan_file(result.plan) == SEED_PLAN.read_text(encoding="utf-8")
    [warning] = result.warnings
    assert "у 1.4.1 / 40.02.02 нет ячейки за 2026" in warning
    assert result.cells_read == 95


def text_layer(canonical) -> list[str]:
    """The seed plan as a text layer writes it: name lines, then the values on a line of their own."""
    lines = ["Приложение № 2", "№ п/п Наименование результата мероприятия", "Значение по итогам года"]
    lines.append(" ".join(canonical.columns[4:]))
    for row in canonical.itertuples(index=False):
        code = row.programme_code or (row.code + "." if row.kind == "section" else row.code)
        words = f"{code} {row.title}".split()
        lines += [" ".join(words[i : i + 6]) for i in range(0, len(words), 6)]
        if any(row[4:]):
            lines.append(" ".join(c for c in row[4:] if c))
    return lines


def test_page_numbers_between_and_inside_rows_are_left_out_with_a_warning():
    canonical = read_plan_file(SEED_PLAN)
    lines = text_layer(canonical)
    # A page number every 40 lines: between rows, inside a row's name and between a name and its values.
    for page, at in enumerate(range(40, len(lines), 40), start=2):
        lines.insert(at + page - 2, str(page))
    text = "\n".join(lines)
    placed = [line for line in lines if line.isdigit()]
    assert len(placed) >= 4
    result = parse_text(text, "layer.txt")
    assert write_plan_file(result.plan) == SEED_PLAN.read_text(encoding="utf-8")
    pages = [w for w in result.warnings if "прочитано как номер страницы" in w]
    assert [w.split("'")[1] for w in pages] == placed


def test_a_page_number_right_after_a_row_with_an_empty_last_cell_is_not_its_target():
    result = parse_text(
        inspect.cleandoc("""
            № п/п Наименование результата мероприятия
            2024 2025 2026
            1. Раздел
            1.1 Группа
            1.1.1 Показатель
            40.02.02 Правоохранительная деятельность 1 1 1
            2
            1.1.2 Другой
            40.02.02 Правоохранительная деятельность - да
            3
            1.1.3 Третий 4 4 4
        """),
        "layer.txt",
    )
    rows = result.plan.set_index(["code", "programme_code"])
    assert rows.loc[("1.1.2", "40.02.02"), ["title", "2024", "2025", "2026"]].tolist() == [
        "Правоохранительная деятельность",
        "-",
        "да",
        "",
    ]
    assert rows.loc[("1.1.3", ""), "2024"] == "4"
    assert sum("как номер страницы" in w for w in result.warnings) == 2


def test_a_lone_number_that_can_be_a_target_stays_one_and_an_extra_one_still_stops():
    result = parse_text("№ п/п\n2024 2025 2026\n1. Р\n1.1 Г\n1.1.1 П\n2\n2\n2\n", "layer.txt")
    assert result.plan.iloc[2, 4:].tolist() == ["2", "2", "2"]
    assert not [w for w in result.warnings if "номер страницы" in w]
