"""Renderings of a canonical plan the way staff make Appendix 2: text layers, browser copies, Word
tables of several shapes, spreadsheets. Each function takes the canonical plan frame and writes
(or returns) one rendering; the tests import each back and compare it cell by cell.

Also :data:`OTHER_PLAN`, a made-up plan of another shape: four years, decimal targets, other
programme codes, an indicator with both its own targets and programme rows, two sections."""

from __future__ import annotations

import copy
import csv
import inspect
import textwrap
from io import StringIO
from pathlib import Path

import docx
import pandas as pd
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

OTHER_PLAN = pd.read_csv(
    StringIO(
        inspect.cleandoc("""
        kind,code,programme_code,title,2025,2026,2027,2028
        section,1,,Подготовка кадров для машиностроения,,,,
        group,1.1,,Результат мероприятий по обновлению программ,,,,
        indicator,1.1.1,,Обновлены программы под заказ предприятий:,,,,
        programme,1.1.1,15.02.10,Мехатроника и робототехника (по отраслям),да,-,-,да
        programme,1.1.1,09.02.07,Информационные системы и программирование,да,да,-,-
        indicator,1.1.2,,"Доля выпускников, трудоустроенных по профилю (процентов)","72,5","75,0",78,80
        indicator,1.1.3,,Открыты мастерские с оборудованием партнёров,2,2,1,-
        programme,1.1.3,15.02.10,Мехатроника и робототехника (по отраслям),1,1,-,-
        programme,1.1.3,09.02.07,Информационные системы и программирование,1,1,1,
        group,1.2,,Результат мероприятий по наставничеству,,,,
        indicator,1.2.1,,Наставники из числа работников предприятий закреплены за группами,12,14,16,18
        section,2,,Управление кластером,,,,
        group,2.1,,Результат мероприятий по созданию управляющей компании,,,,
        indicator,2.1.1,,Создан координационный совет кластера,да,-,-,-
        indicator,2.1.2,,Проведены заседания совета,4,4,4,4
    """)
    ),
    dtype=str,
    keep_default_na=False,
)


def code_of(row) -> str:
    return row.programme_code or (row.code + "." if row.kind == "section" else row.code)


def years_of(plan: pd.DataFrame) -> list[str]:
    return list(plan.columns[4:])


# ---------------------------------------------------------------- text


def text_layer(plan: pd.DataFrame, width: int = 40, values_apart: bool = True, header: str = "") -> str:
    """Names wrapped at ``width``, the values on a line of their own (as the seed's PDF layer)."""
    years = years_of(plan)
    out = ["Приложение № 2", "План мероприятий", "№", "п/п", "Наименование результата мероприятия"]
    out.append(header or "Значение по итогам года\n" + " ".join(years))
    for row in plan.itertuples(index=False):
        wrapped = textwrap.wrap(f"{code_of(row)} {row.title}", width=width)
        cells = [c for c in row[4:] if c]
        if row.kind in ("indicator", "programme") and cells:
            if values_apart:
                wrapped.append(" ".join(cells))
            else:
                wrapped[0] += " " + " ".join(cells)
        out += wrapped
    return "\n".join(out) + "\n"


def tab_copy(plan: pd.DataFrame, code_apart: bool = True, strip_trailing: bool = False) -> str:
    """A browser copy of the HTML table: a line per row, cells separated by tabs."""
    years = years_of(plan)
    out = [
        "Приложение № 2",
        "№ п/п\tНаименование результата мероприятия\tЗначение по итогам года",
        "\t".join(years),
    ]
    for row in plan.itertuples(index=False):
        head = [code_of(row), row.title] if code_apart else [f"{code_of(row)} {row.title}"]
        cells = list(row[4:]) if row.kind in ("indicator", "programme") else []
        line = "\t".join(head + cells)
        out.append(line.rstrip("\t") if strip_trailing else line)
    return "\n".join(out) + "\n"


def with_signatures(text: str) -> str:
    return text + inspect.cleandoc("""

        СОГЛАСОВАНО
        Директор ГБПОУ «Колледж»              ______________ И.И. Иванов
        М.П.
        УТВЕРЖДАЮ
        Руководитель управляющей компании     ______________ П.П. Петров
        «___» ____________ 2024 г.
    """)


# ---------------------------------------------------------------- Word


def _header(document, years: list[str], year_text=lambda y: y, extra: list[str] = ()) -> docx.table.Table:
    columns = 2 + len(extra) + len(years)
    table = document.add_table(rows=2, cols=columns)
    table.style = "Table Grid"
    top, bottom = table.rows
    table.cell(0, 0).merge(table.cell(1, 0)).text = "№ п/п"
    table.cell(0, 1).merge(table.cell(1, 1)).text = "Наименование результата мероприятия"
    for i, heading in enumerate(extra, start=2):
        table.cell(0, i).merge(table.cell(1, i)).text = heading
    first = 2 + len(extra)
    top.cells[first].merge(top.cells[-1]).text = "Значение по итогам года"
    for cell, year in zip(bottom.cells[first:], years, strict=True):
        cell.text = year_text(year)
    return table


def _row(table, texts: list[str]):
    row = table.add_row()
    for cell, text in zip(row.cells, texts, strict=False):
        cell.text = text
    return row


def docx_plain(plan: pd.DataFrame, path: Path, year_text=lambda y: y, signature: bool = False) -> Path:
    """The plan as one Word table: code, name, a column per year; sections and groups merged across."""
    document = docx.Document()
    document.add_paragraph("Приложение № 2 к программе деятельности образовательного кластера")
    years = years_of(plan)
    table = _header(document, years, year_text)
    for row in plan.itertuples(index=False):
        if row.kind in ("section", "group"):
            cells = _row(table, [code_of(row), row.title]).cells
            cells[1].merge(cells[-1]).text = row.title
        else:
            _row(table, [code_of(row), row.title, *row[4:]])
    if signature:
        document.add_paragraph("")
        sign = document.add_table(rows=3, cols=2 + len(years))
        sign.cell(0, 0).text = "СОГЛАСОВАНО"
        sign.cell(1, 0).text = "Директор"
        sign.cell(1, 1).text = "____________ И.И. Иванов"
        sign.cell(2, 0).text = "М.П."
    document.save(path)
    return path


def _cell_xml(cell, runs_xml: str) -> None:
    """Replace a cell's content with one paragraph of the given run XML."""
    tc = cell._tc
    for p in tc.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"):
        tc.remove(p)
    tc.append(parse_xml(f"<w:p {nsdecls('w')}>{runs_xml}</w:p>"))


def _run(text: str, props: str = "") -> str:
    return f'<w:r>{f"<w:rPr>{props}</w:rPr>" if props else ""}<w:t xml:space="preserve">{text}</w:t></w:r>'


def docx_content_controls(plan: pd.DataFrame, path: Path) -> Path:
    """Every year cell a content control (a form-like template); empty cells show a placeholder."""
    docx_plain(plan, path)
    document = docx.Document(path)
    table = document.tables[0]
    years = len(years_of(plan))
    for row in table.rows[2:]:
        for cell in row.cells[-years:]:
            if cell._tc is row.cells[1]._tc:
                continue
            value = cell.text
            if value:
                inner = _run(value)
                props = "<w:sdtPr><w:alias w:val='Значение'/></w:sdtPr>"
            else:
                inner = _run("Щелкните здесь, чтобы ввести текст.")
                props = "<w:sdtPr><w:showingPlcHdr/></w:sdtPr>"
            _cell_xml(cell, f"<w:sdt>{props}<w:sdtContent>{inner}</w:sdtContent></w:sdt>")
    document.save(path)
    return path


def docx_tracked(plan: pd.DataFrame, path: Path, code: str, year: str, old: str) -> Path:
    """One year cell revised with tracked changes: the old value deleted, the plan's inserted."""
    docx_plain(plan, path)
    document = docx.Document(path)
    table = document.tables[0]
    column = 2 + years_of(plan).index(year)
    for row in table.rows[2:]:
        if row.cells[0].text == code:
            new = row.cells[column].text
            attrs = "w:id='1' w:author='Методист' w:date='2024-02-01T10:00:00Z'"
            deleted = f"<w:del {attrs}><w:r><w:delText>{old}</w:delText></w:r></w:del>"
            inserted = (
                f"<w:ins w:id='2' w:author='Методист' w:date='2024-02-01T10:00:00Z'>{_run(new)}</w:ins>"
            )
            _cell_xml(row.cells[column], deleted + inserted)
    document.save(path)
    return path


def docx_footnote(plan: pd.DataFrame, path: Path, code: str, year: str) -> Path:
    """A superscript footnote digit after one value («9¹»)."""
    docx_plain(plan, path)
    document = docx.Document(path)
    column = 2 + years_of(plan).index(year)
    for row in document.tables[0].rows[2:]:
        if row.cells[0].text == code:
            value = row.cells[column].text
            _cell_xml(row.cells[column], _run(value) + _run("1", "<w:vertAlign w:val='superscript'/>"))
    document.save(path)
    return path


def docx_nested(plan: pd.DataFrame, path: Path) -> Path:
    """Programme rows in a table nested in their indicator's name cell."""
    document = docx.Document()
    years = years_of(plan)
    table = _header(document, years)
    rows = list(plan.itertuples(index=False))
    for index, row in enumerate(rows):
        if row.kind == "programme":
            continue
        if row.kind in ("section", "group"):
            cells = _row(table, [code_of(row), row.title]).cells
            cells[1].merge(cells[-1]).text = row.title
            continue
        cells = _row(table, [row.code, row.title, *row[4:]]).cells
        programmes = [r for r in rows[index + 1 :] if r.kind == "programme" and r.code == row.code]
        if programmes:
            nested = cells[1].add_table(rows=0, cols=2 + len(years))
            for programme in programmes:
                inner = nested.add_row().cells
                for cell, text in zip(
                    inner, [programme.programme_code, programme.title, *programme[4:]], strict=True
                ):
                    cell.text = text
    document.save(path)
    return path


def docx_group_column(plan: pd.DataFrame, path: Path) -> Path:
    """The result group in a column of its own, merged down over its indicators and programmes."""
    document = docx.Document()
    years = years_of(plan)
    table = document.add_table(rows=1, cols=3 + len(years))
    for cell, text in zip(
        table.rows[0].cells, ["Результат", "№ п/п", "Наименование мероприятия", *years], strict=True
    ):
        cell.text = text
    start = None
    group_title = ""
    for row in plan.itertuples(index=False):
        if row.kind == "section":
            cells = _row(table, ["", code_of(row), row.title]).cells
            cells[0].merge(cells[-1]).text = f"{code_of(row)} {row.title}"
            start = None
            continue
        if row.kind == "group":
            group_title = f"{row.code} {row.title}"
            start = None
            continue
        cells = _row(table, ["", code_of(row), row.title, *row[4:]]).cells
        if start is None:
            start = cells[0]
            start.text = group_title
        else:
            start = start.merge(cells[0])
            start.text = group_title
    document.save(path)
    return path


def docx_programme_column(plan: pd.DataFrame, path: Path) -> Path:
    """A column «Код программы» beside the names: programme rows carry their code there."""
    document = docx.Document()
    years = years_of(plan)
    table = _header(document, years, extra=["Код программы"])
    for row in plan.itertuples(index=False):
        if row.kind in ("section", "group"):
            cells = _row(table, [code_of(row), row.title]).cells
            cells[1].merge(cells[-1]).text = row.title
        elif row.kind == "indicator":
            _row(table, [row.code, row.title, "", *row[4:]])
        else:
            _row(table, ["", row.title, row.programme_code, *row[4:]])
    document.save(path)
    return path


def docx_paragraphs(plan: pd.DataFrame, path: Path) -> Path:
    """Programmes as paragraphs inside their indicator's cells, a value per paragraph."""
    document = docx.Document()
    years = years_of(plan)
    table = _header(document, years)
    rows = list(plan.itertuples(index=False))
    for index, row in enumerate(rows):
        if row.kind == "programme":
            continue
        if row.kind in ("section", "group"):
            cells = _row(table, [code_of(row), row.title]).cells
            cells[1].merge(cells[-1]).text = row.title
            continue
        programmes = [r for r in rows[index + 1 :] if r.kind == "programme" and r.code == row.code]
        cells = _row(table, [row.code, row.title, *row[4:]]).cells
        for programme in programmes:
            cells[1].add_paragraph(f"{programme.programme_code} {programme.title}")
            for cell, value in zip(cells[2:], programme[4:], strict=True):
                cell.add_paragraph(value)
    document.save(path)
    return path


def docx_signature_same_width(plan: pd.DataFrame, path: Path) -> Path:
    """A signature table after the plan with as many columns as the plan table."""
    docx_plain(plan, path)
    document = docx.Document(path)
    width = len(document.tables[0].columns)
    sign = document.add_table(rows=2, cols=width)
    sign.cell(0, 0).text = "УТВЕРЖДАЮ"
    sign.cell(0, 1).text = "Руководитель управляющей компании"
    sign.cell(1, 1).text = "_____________ П.П. Петров"
    sign.cell(1, 2).text = "2024"
    document.save(path)
    return path


def copy_frame(plan: pd.DataFrame) -> pd.DataFrame:
    return copy.deepcopy(plan)


# ---------------------------------------------------------------- spreadsheets


def sheet_rows(plan: pd.DataFrame) -> list[list[str]]:
    years = years_of(plan)
    rows = [["№ п/п", "Наименование результата мероприятия", *years]]
    for row in plan.itertuples(index=False):
        cells = list(row[4:]) if row.kind in ("indicator", "programme") else [""] * len(years)
        rows.append([code_of(row), row.title, *cells])
    return rows


def xlsx_retyped(plan: pd.DataFrame, path: Path, numbers: bool = True) -> Path:
    """Appendix 2 retyped in Excel: a two-row header with merged cells, counts as numbers."""
    from openpyxl import Workbook

    years = years_of(plan)
    book = Workbook()
    sheet = book.active
    sheet.title = "План"
    sheet.append(["№ п/п", "Наименование результата мероприятия", "Значение по итогам года"])
    sheet.append([None, None, *(int(y) for y in years)])
    sheet.merge_cells(start_row=1, start_column=1, end_row=2, end_column=1)
    sheet.merge_cells(start_row=1, start_column=2, end_row=2, end_column=2)
    sheet.merge_cells(start_row=1, start_column=3, end_row=1, end_column=2 + len(years))
    for code, title, *cells in sheet_rows(plan)[1:]:
        values = [int(c) if numbers and c.isascii() and c.isdigit() else (c or None) for c in cells]
        sheet.append([code, title, *values])
    book.save(path)
    return path


def csv_retyped(plan: pd.DataFrame, path: Path, delimiter: str = ";", encoding: str = "cp1251") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(sheet_rows(plan))
    return path
