"""Each report's tables as an .xlsx (a sheet per table, Russian headings, numbers as numbers) and
a zip of CSVs, linked from the report by file name."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import papermill
import pytest
from openpyxl import load_workbook

import hostile
from analysis import reports
from analysis.reports.downloads import csv_zip_bytes, sheet_names, workbook_bytes, write
from analysis.site.build import REGION_NOTEBOOK
from analysis.site.kernel import ensure_kernel

TABLES = {
    "Плановые значения": pd.DataFrame(
        {
            "Код": ["1.1.1", "1.1.4"],
            "Мероприятие": ['<script>alert("x")</script>', "Запуск, «программ»; «да»"],
            "Факт, число": [1.0, float("nan")],
            "Факт / план, %": [100.0, 62.5],
        }
    ),
    "Сводка": pd.DataFrame({"Показатель": ["Плановых значений"], "Значение": [4]}),
}


def test_sheet_names_are_what_excel_accepts():
    names = sheet_names(["Плановые значения", "a/b:c*d?[e]", "x" * 40, "X" * 40, ""])
    assert names[:2] == ["Плановые значения", "a b c d  e"]
    assert names[2] == "x" * 31 and names[3] == "X" * 27 + " (2)"  # Excel names ignore case
    assert names[4] == "Таблица" and all(len(n) <= 31 for n in names)


def test_workbook_has_a_sheet_per_table_with_numbers_as_numbers():
    book = load_workbook(io.BytesIO(workbook_bytes(TABLES)))
    assert book.sheetnames == ["Плановые значения", "Сводка"]
    sheet = book["Плановые значения"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows == [
        ("Код", "Мероприятие", "Факт, число", "Факт / план, %"),
        ("1.1.1", '<script>alert("x")</script>', 1, 100),
        ("1.1.4", "Запуск, «программ»; «да»", None, 62.5),
    ]
    assert sheet["C2"].data_type == "n" and sheet["D3"].data_type == "n" and sheet["A2"].data_type == "s"
    assert book["Сводка"]["B2"].value == 4


def test_csv_zip_holds_one_utf8_csv_per_table():
    archive = zipfile.ZipFile(io.BytesIO(csv_zip_bytes(TABLES)))
    assert archive.namelist() == ["Плановые значения.csv", "Сводка.csv"]
    data = archive.read("Плановые значения.csv")
    assert data.startswith(b"\xef\xbb\xbf")  # a byte-order mark: Excel reads it as UTF-8
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype={"Код": str})
    assert back.columns.tolist() == list(TABLES["Плановые значения"].columns)
    assert back["Мероприятие"].tolist() == TABLES["Плановые значения"]["Мероприятие"].tolist()
    assert back["Факт / план, %"].tolist() == [100.0, 62.5]


HOSTILE = pd.DataFrame(
    {
        "Текст": hostile.FORMULAS,
        "Число": [float(i) - 3.5 for i in range(len(hostile.FORMULAS))],
    }
)


def _sheet_xml(xlsx: bytes) -> str:
    archive = zipfile.ZipFile(io.BytesIO(xlsx))
    return "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/"))


def test_no_text_becomes_a_formula_in_the_workbook():
    xlsx = workbook_bytes({"Таблица": HOSTILE, "=1+1": HOSTILE})
    assert "<f>" not in _sheet_xml(xlsx) and "<f " not in _sheet_xml(xlsx)
    book = load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames == ["Таблица", "=1+1"]
    sheet = book["Таблица"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2, max_col=1)]
    assert [c.data_type for c in cells] == ["s"] * len(hostile.FORMULAS)
    back = [c.value for c in cells]
    # As written, but for the characters XML cannot hold (replaced by «�»).
    assert back[:-1] == hostile.FORMULAS[:-1]
    assert back[-1] == "звонок \ufffd и \ufffd нуль"
    # Excel's quote prefix on every text that starts like a formula, on no other.
    assert [c.quotePrefix for c in cells] == [t[0] in "=+-@\t\r" for t in hostile.FORMULAS]
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, min_col=2, max_col=2)]
    assert all(c.data_type == "n" for c in numbers) and numbers[0].value == -3.5


def test_no_csv_field_starts_like_a_formula():
    archive = zipfile.ZipFile(io.BytesIO(csv_zip_bytes({"Таблица": HOSTILE})))
    text = archive.read("Таблица.csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["Текст", "Число"] and len(rows) == len(hostile.FORMULAS) + 1
    for original, (field, number) in zip(hostile.FORMULAS, rows[1:], strict=True):
        assert not field.startswith(("=", "+", "-", "@", "\t", "\r"))
        assert field == ("'" + original if original[0] in "=+-@\t\r" else original)
        float(number)  # a number stays a number, a negative one unquoted
    # A reader splitting on «;» (Excel in a Russian locale) still sees one field: text is quoted.
    assert '"a;=1+1,""=2+2"""' in text
    assert ",-3.5\r\n" in text


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_libreoffice_computes_no_formula_from_a_download(tmp_path):
    """LibreOffice opens the workbook and the CSV and saves them as CSV again: every value comes
    back as the text it was, none computed (no «2» for «=1+1»)."""
    (tmp_path / "book.xlsx").write_bytes(workbook_bytes({"Таблица": HOSTILE}))
    archive = zipfile.ZipFile(io.BytesIO(csv_zip_bytes({"Таблица": HOSTILE})))
    (tmp_path / "table.csv").write_bytes(archive.read("Таблица.csv"))
    out = tmp_path / "out"
    for name in ("book.xlsx", "table.csv"):
        subprocess.run(
            [
                "soffice",
                "--headless",
                f"-env:UserInstallation=file://{tmp_path}/profile",
                "--convert-to",
                "csv:Text - txt - csv (StarCalc):44,34,76",
                "--outdir",
                str(out),
                str(tmp_path / name),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    for name in ("book.csv", "table.csv"):
        rows = list(csv.reader(io.StringIO((out / name).read_text(encoding="utf-8"), newline="")))
        texts = [r[0] for r in rows[1:]]
        assert "2" not in texts and "click" not in texts
        assert any("HYPERLINK" in t for t in texts)


def test_plain_values_and_the_plans_dash_stay_as_they_are():
    frame = pd.DataFrame(
        {
            "План": ["-", "+", "да", "-5"],
            "Дата": [pd.NaT, pd.Timestamp("2025-01-15"), None, pd.NaT],
            "Число": [float("nan"), 2.0, -1.5, None],
        }
    )
    text = zipfile.ZipFile(io.BytesIO(csv_zip_bytes({"T": frame}))).read("T.csv").decode("utf-8-sig")
    assert text.splitlines() == [
        '"План","Дата","Число"',
        '"-",,',
        '"+","2025-01-15 00:00:00",2',
        '"да",,-1.5',
        '"\'-5",,',
    ]
    sheet = load_workbook(io.BytesIO(workbook_bytes({"T": frame})))["T"]
    assert [c.value for c in sheet["A"]][1:] == ["-", "+", "да", "-5"]
    assert [c.quotePrefix for c in sheet["A"]][1:] == [False, False, False, True]
    assert sheet["B2"].value is None and sheet["C3"].value == 2


def test_the_same_tables_give_the_same_bytes():
    assert workbook_bytes(TABLES) == workbook_bytes(TABLES)
    assert csv_zip_bytes(TABLES) == csv_zip_bytes(TABLES)


def test_write_links_the_files_by_name_and_an_empty_stem_writes_nothing(tmp_path):
    assert write(TABLES, "") is None
    assert list(tmp_path.iterdir()) == []
    link = write(TABLES, str(tmp_path / "63" / "c" / "2025"))
    assert (tmp_path / "63" / "c" / "2025.xlsx").exists() and (tmp_path / "63" / "c" / "2025.zip").exists()
    assert 'href="2025.xlsx"' in link.data and 'href="2025.zip"' in link.data
    assert str(tmp_path) not in link.data


@pytest.fixture(scope="module")
def site() -> Path:
    return hostile.site()


def test_cluster_report_tables_for_download(site):
    cy = reports.cluster.load(site / "processed", "evil-a", 2024, hostile.AS_OF)
    tables = reports.cluster.download_tables(cy)
    assert list(tables)[:4] == ["Сводка", "Статусы", "Группы результатов", "Плановые значения"]
    assert {"Кадры", "Кадры по программам", "Сверка со списками", "Источники"} <= set(tables)
    items = tables["Плановые значения"]
    assert hostile.PAYLOADS["indicator"] in set(items["Мероприятие"])  # the text as it is, not escaped
    assert "итог по программам" in set(items["Программа"])
    book = load_workbook(io.BytesIO(workbook_bytes(tables)))
    sheet = book[sheet_names(tables)[3]]
    header = [c.value for c in sheet[1]]
    numbers = [row[header.index("Факт, число")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert any(isinstance(n, int | float) for n in numbers)
    sources = tables["Источники"]
    assert sources["Файл"].tolist() == ["evil-a_2024.xlsx"]


def test_no_rate_in_the_download_of_a_report_not_received(site):
    cy = reports.cluster.load(site / "processed", "calm-d", 2024, hostile.AS_OF)
    overview = reports.cluster.download_tables(cy)["Сводка"].set_index("Показатель")["Значение"]
    assert overview["Отчёт кластера за год"] == "не представлен"
    assert pd.isna(overview["Уровень выполнения, %"]) and pd.isna(overview["Выполнено"])


def test_the_region_notebook_writes_its_downloads_and_links_them(site, tmp_path):
    """The notebook cell, run by papermill as the build runs it, with the ``downloads`` stem."""
    stem = tmp_path / "html" / "63" / "region-2024"
    executed = papermill.execute_notebook(
        str(REGION_NOTEBOOK),
        None,
        parameters={
            "region": hostile.REGION,
            "year": 2024,
            "data_dir": str(site / "processed"),
            "as_of": hostile.AS_OF,
            "downloads": str(stem),
        },
        kernel_name=ensure_kernel(),
        progress_bar=False,
    )
    outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    html = "\n".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert 'href="region-2024.xlsx"' in html and 'href="region-2024.zip"' in html
    book = load_workbook(stem.with_name("region-2024.xlsx"))
    assert book.sheetnames == ["Кластеры", "Источники"]
    rows = list(book["Кластеры"].iter_rows(values_only=True))
    header = rows[0]
    by_id = {r[header.index("Код кластера")]: r for r in rows[1:]}
    assert by_id["evil-a"][header.index("Уровень выполнения, %")] == 50
    assert by_id["calm-d"][header.index("Уровень выполнения, %")] is None
    assert by_id["evil-b"][header.index("Демонстрационные данные")] == "да"


def test_every_published_download_is_inert(site):
    """Every .xlsx and every CSV the hostile build published: no formula cell, no field that a
    spreadsheet would run; the planted formulas are there, as text."""
    published = site / "reports"
    books = sorted(published.rglob("*.xlsx"))
    archives = sorted(published.rglob("*.zip"))
    assert books and archives
    seen = set()
    for path in books:
        assert "<f>" not in _sheet_xml(path.read_bytes()), path
        for sheet in load_workbook(path):
            for row in sheet.iter_rows(min_row=2):
                for cell in row:
                    assert cell.data_type != "f", (path, cell.coordinate)
                    if isinstance(cell.value, str) and cell.value[:1] in ("=", "+", "-", "@"):
                        assert cell.quotePrefix, (path, cell.coordinate)
                        seen.add(cell.value)
    for path in archives:
        archive = zipfile.ZipFile(path)
        for name in archive.namelist():
            for row in csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"), newline="")):
                for field in row:
                    assert not field.startswith(("=", "+", "@", "\t", "\r")), (path, name, field)
                    if field.startswith("-"):
                        float(field)  # only a negative number may start with «-»
                    seen.add(field)
    assert {hostile.PAYLOADS["formula"], hostile.PAYLOADS["name_d"]} <= seen
    assert "'" + hostile.PAYLOADS["formula"] in seen
