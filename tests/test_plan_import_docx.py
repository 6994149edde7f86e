"""The Word-table importer, on documents built here with python-docx; and the PDF importer."""

from __future__ import annotations

import inspect
from io import StringIO
from pathlib import Path

import docx
import pandas as pd
import pytest

from analysis.sources.plan import read_plan_file, write_plan_file
from analysis.sources.plan_import.assemble import SourceError
from analysis.sources.plan_import.docx import read_docx_file
from analysis.sources.plan_import.pdf import read_pdf_file

CANONICAL = Path(__file__).resolve().parents[1] / "data" / "raw" / "plans" / "samara-law.csv"
YEARS = ["2024", "2025", "2026"]


def add_header(document, years=YEARS, numbers=True):
    """A two-row header with merged cells, and the «1 2 3 4 5» column-number row."""
    table = document.add_table(rows=2, cols=2 + len(years))
    top, bottom = table.rows
    table.cell(0, 0).merge(table.cell(1, 0)).text = "№\nп/п"
    table.cell(0, 1).merge(table.cell(1, 1)).text = "Наименование результата мероприятия"
    top.cells[2].merge(top.cells[-1]).text = "Значение по итогам года"
    for cell, year in zip(bottom.cells[2:], years, strict=True):
        cell.text = year
    if numbers:
        for cell, number in zip(table.add_row().cells, range(1, 3 + len(years)), strict=True):
            cell.text = str(number)
    return table


def add_row(table, cells, merge_name=False):
    row = table.add_row()
    for cell, text in zip(row.cells, cells, strict=False):
        cell.text = text
    if merge_name:  # a section or group: the name spans the year columns
        row.cells[1].merge(row.cells[-1]).text = cells[1]
    return row


def canonical_docx(path: Path) -> Path:
    """The hand-checked plan as a Word table, with the shapes real documents have."""
    document = docx.Document()
    document.add_paragraph("Приложение № 2 к программе деятельности образовательного кластера")
    table = add_header(document)
    for row in read_plan_file(CANONICAL).itertuples(index=False):
        cells = list(row[4:])
        if row.kind == "section" and row.code == "2":
            table = add_header(document, numbers=False)  # the table is split at a page break
        if row.kind in ("section", "group"):
            title = row.title.replace("научно-методической", "научно-\nметодической")
            add_row(table, [row.code + ("." if row.kind == "section" else ""), title], merge_name=True)
        elif row.kind == "indicator":
            add_row(table, [row.code + ".", row.title, *cells])
        elif row.code == "1.1.1" and row.programme_code == "38.02.01":
            # A programme name over two rows, the values on the second.
            add_row(table, ["", "38.02.01 Экономика и бухгалтерский", "", "", ""])
            add_row(table, ["", "учет (по отраслям)", *cells])
        elif row.code == "1.1.3" and row.programme_code == "38.02.04":
            # Code and values merged down over two rows, the name split between them.
            first = add_row(table, [row.programme_code, "Коммерция", *cells])
            second = add_row(table, ["", "(по отраслям)", "", "", ""])
            for column in (0, 2, 3, 4):
                text = first.cells[column].text
                first.cells[column].merge(second.cells[column]).text = text
        else:
            add_row(table, ["", f"{row.programme_code} {row.title}", *cells])
    document.save(path)
    return path


def test_word_table_imports_into_the_canonical_plan(tmp_path):
    result = read_docx_file(canonical_docx(tmp_path / "plan.docx"))
    assert write_plan_file(result.plan) == CANONICAL.read_text(encoding="utf-8")
    assert len(result.warnings) == 1 and "у 1.4.1 / 40.02.02 пустая ячейка за 2026" in result.warnings[0]
    assert result.cells_read == 95


def test_word_table_years_come_from_its_header_and_codes_may_sit_in_the_name(tmp_path):
    document = docx.Document()
    table = add_header(document, years=["2025", "2026"], numbers=False)
    add_row(table, ["", "1. Раздел"], merge_name=True)
    add_row(table, ["1.1", "Группа"], merge_name=True)
    add_row(table, ["", "1.1.1 Показатель", "ДА", "5"])
    document.save(tmp_path / "p.docx")
    expected = pd.read_csv(
        StringIO(
            inspect.cleandoc("""
        kind,code,programme_code,title,2025,2026
        section,1,,Раздел,,
        group,1.1,,Группа,,
        indicator,1.1.1,,Показатель,ДА,5
    """)
        ),
        dtype=str,
        keep_default_na=False,
    )
    pd.testing.assert_frame_equal(read_docx_file(tmp_path / "p.docx").plan, expected, check_dtype=False)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [["1.", "Раздел", "", "", ""], ["1.1", "Группа", "да", "", ""]],
            "строка 4: значения, не относящиеся",
        ),
        ([["1.", "Раздел"], ["А.1", "Группа"]], "строка 4, столбец «№»: не код плана"),
    ],
)
def test_malformed_word_tables_give_clear_errors(tmp_path, rows, message):
    document = docx.Document()
    table = add_header(document, numbers=False)
    for cells in rows:
        add_row(table, cells)
    document.save(tmp_path / "bad.docx")
    with pytest.raises(SourceError, match=message) as caught:
        read_docx_file(tmp_path / "bad.docx")
    assert "bad.docx, таблица 1" in str(caught.value) and len(caught.value.line()) < 200


def test_a_cell_that_is_not_a_mark_is_a_problem_naming_the_cell(tmp_path):
    document = docx.Document()
    table = add_header(document, numbers=False)
    for cells in [
        ["1.", "Раздел", "", "", ""],
        ["1.1", "Группа"],
        ["1.1.1", "Показатель", "да", "может быть", "-"],
    ]:
        add_row(table, cells)
    document.save(tmp_path / "bad.docx")
    result = read_docx_file(tmp_path / "bad.docx")
    [problem] = result.problems
    assert "bad.docx, таблица 1, строка 5: 1.1.1 · 2025: «может быть» — не отметка плана" in problem
    assert result.plan.iloc[2, 4:].tolist() == ["да", "", "-"]


def test_a_document_without_a_plan_table_is_refused(tmp_path):
    document = docx.Document()
    document.add_paragraph("Пояснительная записка")
    document.add_table(rows=1, cols=2).cell(0, 0).text = "не план"
    document.save(tmp_path / "none.docx")
    with pytest.raises(SourceError, match="нет заголовка таблицы со столбцами годов"):
        read_docx_file(tmp_path / "none.docx")
    (tmp_path / "broken.docx").write_bytes(b"not a zip")
    with pytest.raises(SourceError, match="не удалось открыть документ Word"):
        read_docx_file(tmp_path / "broken.docx")


def write_pdf(path: Path, pages: list[list[str]]) -> Path:
    """A PDF with a text layer, drawn with the DejaVu font matplotlib ships."""
    import matplotlib
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("dejavu", fname=str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"))
    pdf.set_font("dejavu", size=9)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.cell(0, 4, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def test_pdf_with_a_text_layer_imports_into_the_canonical_plan(tmp_path):
    canonical = read_plan_file(CANONICAL)
    header = ["№", "п/п", "Наименование результата мероприятия", "Значение по итогам года", "2024 2025 2026"]
    lines = []
    for row in canonical.itertuples(index=False):
        code = row.programme_code or (row.code + "." if row.kind == "section" else row.code)
        words = f"{code} {row.title}".split()
        lines += [" ".join(words[i : i + 7]) for i in range(0, len(words), 7)]
        if any(row[4:]):
            lines.append(" ".join(c for c in row[4:] if c))
    pages = [["Приложение № 2", *header, *lines[:70]], [*header, *lines[70:140]], [*header, *lines[140:]]]
    result = read_pdf_file(write_pdf(tmp_path / "plan.pdf", pages))
    assert write_plan_file(result.plan) == CANONICAL.read_text(encoding="utf-8")
    assert "plan.pdf, стр. " in result.warnings[0]


def test_pdf_errors_name_the_page_and_line(tmp_path):
    pdf = write_pdf(tmp_path / "bad.pdf", [["2024 2025 2026", "1. Раздел"], ["1.1 Группа", "да да да"]])
    with pytest.raises(
        SourceError, match=r"bad\.pdf, стр\. 2, строка 2: значения, не относящиеся к показателю"
    ):
        read_pdf_file(pdf)


def test_pdf_without_a_text_layer_is_refused(tmp_path):
    with pytest.raises(SourceError, match="в PDF нет текстового слоя"):
        read_pdf_file(write_pdf(tmp_path / "scan.pdf", [[]]))
