"""A second corpus: files that lie about who they are, try to stall or exhaust the reader, or carry
plausible-looking nonsense. Each is built here, dropped beside good submissions and ingested
alone: it gives its one line (or its rejected rows), every row read is accepted or rejected, no
other cluster-year's data changes, and the run stays quick."""

from __future__ import annotations

import copy
import os
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from analysis.commands.common import print_prepare_summary
from analysis.site.prepare import prepare
from analysis.sources.xlsx import LIMITS, Limits
from conftest import GOOD_FORM, NAMES, TINY_PARTICIPANTS, make_raw
from conftest import write_form as _write_form

AS_OF = date(2026, 6, 1)
TABLES = ("facts", "teachers", "pairs", "enrolment")
IT_FORM = {
    "Показатели": [["1.1.4", None, "Осуществлен запуск", "9", 11], ["1.6.1", None, "Привлечены", "да", "да"]],
    "Преподаватели": [
        ["Орлова Вера Павловна", None, "АО «Софт»", "совместитель", "38.02.01", 72, "10.10.2024"]
    ],
    "Набор": [["38.02.01", 40, 5]],
}
SHEETS = {"Сведения": 1, "Показатели": 2, "Преподаватели": 3, "Наставничество": 4, "Набор": 5}


def write_form(path: Path, rows=None, **options) -> Path:
    """A filled-in form marked as demonstration data (so the built-in key pseudonymises it)."""
    return _write_form(path, rows, **{"demo": "да", **options})


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """Two good submissions (tiny-law and tiny-it, 2024) and what ingesting them gives."""
    raw = make_raw(tmp_path_factory.mktemp("clean"))
    (raw / "participants.csv").write_text(TINY_PARTICIPANTS, encoding="utf-8")
    (raw / "facts" / "submitted.csv").unlink()
    write_form(raw / "submissions" / "tiny-law_2024.xlsx")
    write_form(raw / "submissions" / "tiny-it_2024.xlsx", IT_FORM, cluster="tiny-it")
    processed = raw.parent / "processed"
    prepare(raw, processed, demo_key=True, as_of=AS_OF)
    return raw, {t: pd.read_parquet(processed / f"{t}.parquet") for t in TABLES}


class Run:
    """One ingest of the clean folder plus a hostile file."""

    def __init__(self, clean, tmp_path: Path, capsys, name: str, write, limits: Limits = LIMITS):
        raw = tmp_path / "raw"
        shutil.copytree(clean[0], raw)
        self.baseline = clean[1]
        self.path = raw / "submissions" / name
        write(self.path)
        self.result = prepare(raw, tmp_path / "processed", demo_key=True, as_of=AS_OF, limits=limits)
        capsys.readouterr()
        print_prepare_summary(self.result)
        captured = capsys.readouterr()
        self.out, self.err = captured.out, captured.err
        self.tables = {t: pd.read_parquet(tmp_path / "processed" / f"{t}.parquet") for t in TABLES}
        self.warnings = pd.read_parquet(tmp_path / "processed" / "warnings.parquet")
        self.rejects = pd.read_parquet(tmp_path / "processed" / "rejects.parquet")
        self.log = pd.read_parquet(tmp_path / "processed" / "submissions.parquet").set_index("source_file")

    def lines(self, stream: str = "err") -> list[str]:
        text = self.err if stream == "err" else self.out
        return [line for line in text.splitlines() if str(self.path) in line]

    @property
    def entry(self) -> pd.Series:
        return self.log.loc[str(self.path)]

    def check_accounted(self) -> None:
        read = self.log[self.log["status"] == "read"]
        assert (read["rows_read"] == read["rows_accepted"] + read["rows_rejected"]).all()
        for table in TABLES:
            assert self.tables[table]["year"].notna().all()

    def check_others_untouched(self, claimed: tuple[str, int] | None = None) -> None:
        """Every cluster-year but ``claimed`` (the one the hostile file may speak for) is as before."""
        for table in TABLES:
            now, before = self.tables[table], self.baseline[table]
            if claimed:
                now = now[(now["cluster_id"] != claimed[0]) | (now["year"] != claimed[1])]
                before = before[(before["cluster_id"] != claimed[0]) | (before["year"] != claimed[1])]
            columns = [c for c in now.columns if c != "source_file"]
            pd.testing.assert_frame_equal(
                now[columns].reset_index(drop=True), before[columns].reset_index(drop=True), check_dtype=False
            )


def bytes_writer(data: bytes):
    def write(path: Path) -> None:
        path.write_bytes(data)

    return write


def form_writer(rows=None, **options):
    def write(path: Path) -> None:
        write_form(path, copy.deepcopy(IT_FORM if rows is None else rows), **options)

    return write


def with_parts(path: Path, change) -> None:
    """Rewrite a workbook's zip: ``change(name, data)`` returns the new bytes of each part."""
    source = path.read_bytes()
    with zipfile.ZipFile(path.with_suffix(".tmp"), "w", zipfile.ZIP_DEFLATED) as out:
        import io

        with zipfile.ZipFile(io.BytesIO(source)) as original:
            for info in original.infolist():
                out.writestr(info.filename, change(info.filename, original.read(info.filename)))
    path.with_suffix(".tmp").replace(path)


def sheet_edit(sheet: str, pattern: bytes, replacement: bytes, rows=None, **options):
    """A good tiny-it form whose sheet XML has ``pattern`` replaced (a file no Excel would save)."""

    def write(path: Path) -> None:
        form_writer(rows, cluster="tiny-it", **options)(path)
        part = f"xl/worksheets/sheet{SHEETS[sheet]}.xml"
        with_parts(path, lambda name, data: re.sub(pattern, replacement, data) if name == part else data)

    return write


def entity_bomb(path: Path) -> None:
    """A form whose XML declares nested entities ("billion laughs") and uses the deepest one."""
    form_writer(cluster="tiny-it", year=2025)(path)
    entities = b"".join(b'<!ENTITY e%d "%s">' % (i, b"&e%d;" % (i - 1) * 10) for i in range(1, 10))
    doctype = b'<!DOCTYPE d [<!ENTITY e0 "ha-ha-ha">' + entities + b"]>"

    def change(name: str, data: bytes) -> bytes:
        if name in ("xl/workbook.xml", "xl/worksheets/sheet3.xml"):
            return doctype + data.replace(b"<t>", b"<t>&e9;", 1)
        return data

    with_parts(path, change)


# (case, file name, writer, status of the file, words of its one line)
WHOLE_FILE = [
    (
        "another-year",
        "tiny-law_2025.xlsx",
        lambda p: write_form(p, year=2024),
        "rejected",
        "имя файла называет tiny-law 2025, а лист «Сведения» — tiny-law 2024",
    ),
    (
        "another-cluster",
        "tiny-it_2024_v2.xlsx",
        lambda p: write_form(p, cluster="tiny-law", submitted="20.01.2025"),
        "rejected",
        "имя файла называет tiny-it 2024, а лист «Сведения» — tiny-law 2024",
    ),
    (
        "submitted-in-2031",
        "tiny-it_2024_v2.xlsx",
        form_writer(cluster="tiny-it", submitted="01.01.2031"),
        "rejected",
        "дата представления 01.01.2031 позже даты сборки 01.06.2026",
    ),
    (
        "submitted-in-1999",
        "tiny-it_2024_v2.xlsx",
        form_writer(cluster="tiny-it", submitted="01.01.1999"),
        "rejected",
        "раньше начала периода плана",
    ),
    ("old-xls", "tiny-it_2024.xls", bytes_writer(b"\xd0\xcf\x11\xe0" + b"\0" * 2000), "unreadable", ".xls"),
    ("ods", "tiny-it_2025.ods", bytes_writer(b"PK\x03\x04 ods"), "unreadable", "формат .ods"),
    ("stray-text", "прочтите меня.txt", bytes_writer("заметки".encode()), "unreadable", "не книга .xlsx"),
    ("empty-folder", "tiny-it_2025", lambda p: p.mkdir(), "unreadable", "папка без CSV"),
    (
        "no-identity-in-name",
        "отчёт.xlsx",
        form_writer(cluster="tiny-it"),
        "unreadable",
        "имя файла не начинается с «<кластер>_<год>»",
    ),
    (
        "xlsx-that-is-text",
        "tiny-it_2025.xlsx",
        bytes_writer(b"<html>not a workbook</html>"),
        "unreadable",
        "это не читаемая книга .xlsx",
    ),
    ("entity-bomb", "tiny-it_2025.xlsx", entity_bomb, "unreadable", "это не читаемая книга .xlsx"),
    (
        "formula-in-the-year",
        "tiny-it_2025.xlsx",
        form_writer(cluster="tiny-it", year="=2024+1"),
        "unreadable",
        "формула без значения: откройте файл в Excel и сохраните его",
    ),
]


@pytest.mark.parametrize(
    ("case", "name", "write", "status", "words"), WHOLE_FILE, ids=[c[0] for c in WHOLE_FILE]
)
def test_a_hostile_file_is_one_line_and_nothing_else_changes(
    clean, tmp_path, capsys, case, name, write, status, words
):
    run = Run(clean, tmp_path, capsys, name, write)
    assert run.entry["status"] == status
    [line] = run.lines()
    assert words in line and words in run.entry["message"]
    assert not run.lines("out")
    run.check_accounted()
    run.check_others_untouched()
    assert len(run.entry["sha256"]) == 64 and run.entry["size_bytes"] == (
        0 if run.path.is_dir() else run.path.stat().st_size
    )


def test_a_file_for_another_year_does_not_replace_the_genuine_one(clean, tmp_path, capsys):
    rows = copy.deepcopy(GOOD_FORM)
    rows["Показатели"][2][4] = 99  # what the hostile file would put in 2024
    run = Run(
        clean, tmp_path, capsys, "tiny-law_2025.xlsx", form_writer(rows, year=2024, submitted="18.01.2026")
    )
    genuine = run.log.loc[str(run.path.with_name("tiny-law_2024.xlsx"))]
    assert genuine["status"] == "read" and genuine["rows_accepted"] == 10
    facts = run.tables["facts"].set_index(["cluster_id", "year", "indicator"])
    assert facts.loc[("tiny-law", 2024, "1.1.4"), "fact_value"] == 7.0
    assert not (run.tables["facts"]["year"] == 2025).any()


def test_an_excel_lock_file_is_named_once_as_ignored_not_as_a_problem(clean, tmp_path, capsys):
    run = Run(clean, tmp_path, capsys, "~$tiny-law_2024.xlsx", bytes_writer(b"\x00" * 165))
    assert run.entry["status"] == "ignored"
    assert not run.lines("err")
    [line] = run.lines("out")
    assert "файл блокировки Excel" in line
    run.check_others_untouched()


def test_a_stray_cell_at_xfd1048576_is_left_out_quickly_and_the_form_is_read(clean, tmp_path, capsys):
    def write(path: Path) -> None:
        from openpyxl import load_workbook

        write_form(path, copy.deepcopy(IT_FORM), cluster="tiny-it", year=2025, submitted="15.01.2026")
        book = load_workbook(path)
        book["Преподаватели"]["XFD1048576"] = "случайно"
        book.save(path)

    # It hung for minutes before; a hang now ends in the reader's time limit and fails the
    # status check below (how fast it is read lives in `make bench`, not here).
    run = Run(clean, tmp_path, capsys, "tiny-it_2025.xlsx", write)
    assert run.path.stat().st_size < 20_000
    assert run.entry["status"] == "read" and run.entry["rows_read"] == 4 == run.entry["rows_accepted"]
    [line] = run.lines("out")
    assert "лист «Преподаватели»: ячейки за пределами формы" in line and "XFD1048576" in line
    run.check_accounted()
    run.check_others_untouched(("tiny-it", 2025))


def test_the_stray_cell_file_is_read_with_its_far_cells_named(tmp_path):
    from openpyxl import load_workbook

    from analysis.sources.workbook import read_submission

    path = write_form(tmp_path / "tiny-it_2024.xlsx", copy.deepcopy(IT_FORM), cluster="tiny-it")
    book = load_workbook(path)
    book["Показатели"]["XFD1048576"] = 1
    book["Показатели"]["A1048576"] = "и здесь"
    book.save(path)
    submission = read_submission(path)
    assert len(submission.sheets["Показатели"].records) == 2
    assert "A1048576 и ещё 1" in submission.notes[0]


def _huge_sheet(path: Path, part_name: str, size: int) -> None:
    """A good form whose ``part_name`` is ``size`` bytes of XML (compressed to a few hundred KB)."""
    write_form(path, copy.deepcopy(IT_FORM), cluster="tiny-it", year=2025, submitted="15.01.2026")
    source = path.read_bytes()
    import io

    row = b'<row><c t="inlineStr"><is><t>' + b"x" * 200 + b"</t></is></c></row>"
    with (
        zipfile.ZipFile(io.BytesIO(source)) as original,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out,
    ):
        for info in original.infolist():
            if info.filename != part_name:
                out.writestr(info, original.read(info.filename))
        huge = zipfile.ZipInfo(part_name)
        huge.compress_type = zipfile.ZIP_DEFLATED
        with out.open(huge, "w", force_zip64=True) as stream:
            head = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            stream.write(head)
            chunk = row * 4096
            for _ in range(size // len(chunk) + 1):
                stream.write(chunk)
            stream.write(b"</sheetData></worksheet>")


@pytest.mark.parametrize(
    ("case", "part", "words"),
    [
        ("sheet-of-200-mb", "xl/worksheets/sheet3.xml", "лист «Преподаватели»: лист занимает 2"),
        ("shared-strings-of-80-mb", "xl/sharedStrings.xml", "часть sharedStrings.xml занимает 8"),
    ],
)
def test_a_huge_part_is_refused_by_its_size_before_it_is_inflated(clean, tmp_path, capsys, case, part, words):
    size = 200 << 20 if case.startswith("sheet") else 80 << 20
    run = Run(clean, tmp_path, capsys, "tiny-it_2025.xlsx", lambda p: _huge_sheet(p, part, size))
    assert run.path.stat().st_size < 5 << 20
    assert run.entry["status"] == "unreadable"
    [line] = run.lines()
    assert words in line and "больше предела 64 МБ" in line
    run.check_others_untouched()


def test_a_file_above_the_size_limit_is_refused_unopened(clean, tmp_path, capsys):
    def write(path: Path) -> None:
        form_writer(cluster="tiny-it", year=2025)(path)
        with zipfile.ZipFile(path, "a") as book:
            book.writestr("xl/media/image1.png", os.urandom(3 << 20))

    run = Run(clean, tmp_path, capsys, "tiny-it_2025.xlsx", write, Limits(max_file_bytes=2 << 20))
    [line] = run.lines()
    assert "МБ, больше предела 2 МБ" in line and run.entry["status"] == "unreadable"
    run.check_others_untouched()


def test_rows_below_the_form_s_last_row_are_left_out_and_named(clean, tmp_path, capsys):
    rows = copy.deepcopy(IT_FORM)
    rows["Набор"] = [["38.02.01", 40, 5], *([[None, None, None]] * 20), ["38.02.01", 1, 0]]
    run = Run(
        clean,
        tmp_path,
        capsys,
        "tiny-it_2025.xlsx",
        form_writer(rows, cluster="tiny-it", year=2025),
        Limits(max_rows=10),
    )
    assert run.entry["status"] == "read" and run.entry["rows_read"] == 4
    [line] = run.lines("out")
    assert "лист «Набор»: ячейки за пределами формы (10 строк × 64 столбцов) не читаются: A23 и ещё 2" in line


def _it(sheet: str, row: int, column: int, value):
    rows = copy.deepcopy(IT_FORM)
    rows[sheet][row][column] = value
    return rows


def _teacher(name: str, hours: object = 36, trained: object = None) -> list:
    return [name, None, "АО «Софт»", "совместитель", "38.02.01", hours, trained]


TRAINING = "Дата обучения педагогическим навыкам"
# Rows that look plausible at a glance, each added to a good form of tiny-it for 2025 submitted on
# 10.12.2025: (sheet, row, the column its reject names, the rule).
IMPLAUSIBLE = [
    ("Показатели", ["1.1.1", "38.02.01", "Сформированы", "-", "=1/0"], "Факт", "формула без значения"),
    ("Преподаватели", _teacher("Ключева Ольга Игоревна", "=A1+1"), "Часов в году", "формула без значения"),
    (
        "Преподаватели",
        _teacher("Лаптев Иван Ильич", trained="01.03.1900"),
        "Дата обучения педагогическим навыкам",
        "дата обучения раньше начала периода плана (01.01.2024)",
    ),
    (
        "Преподаватели",
        _teacher("Мухина Анна Львовна", trained="20.01.2026"),
        "Дата обучения педагогическим навыкам",
        "дата обучения позже отчётного года",
    ),
    (
        "Преподаватели",
        _teacher("Носов Юрий Петрович", trained="20.12.2025"),
        "Дата обучения педагогическим навыкам",
        "дата обучения позже даты представления формы",
    ),
    ("Преподаватели", _teacher("Орлова " + "а" * 493), "ФИО", "ФИО — от 2 до 5 слов"),
    ("Преподаватели", _teacher('<script>alert("x")</script>'), "ФИО", "ФИО — от 2 до 5 слов"),
    ("Преподаватели", _teacher("Орлова"), "ФИО", "ФИО — от 2 до 5 слов"),
    ("Преподаватели", _teacher("А Б В Г Д Е"), "ФИО", "ФИО — от 2 до 5 слов"),
]


def test_implausible_values_reject_their_rows_with_the_reason(clean, tmp_path, capsys):
    """A required value rejects its row; an optional one (the training date) is dropped, its
    teacher kept."""
    rows = copy.deepcopy(IT_FORM)
    for sheet, row, _, _ in IMPLAUSIBLE:
        rows[sheet].append(row)
    write = form_writer(rows, cluster="tiny-it", year=2025, submitted="10.12.2025")
    run = Run(clean, tmp_path, capsys, "tiny-it_2025.xlsx", write)
    rejecting = [case for case in IMPLAUSIBLE if case[2] != TRAINING]
    dropping = [case for case in IMPLAUSIBLE if case[2] == TRAINING]
    assert run.entry["status"] == "read"
    assert (run.entry["rows_read"], run.entry["rows_rejected"]) == (4 + len(IMPLAUSIBLE), len(rejecting))
    mine = run.rejects[run.rejects["source_file"] == str(run.path)].sort_values(["sheet", "source_row"])
    expected = sorted((sheet, column, rule) for sheet, _, column, rule in rejecting)
    found = sorted(
        (sheet, column, next(r for _, _, c, r in rejecting if rule.startswith(r) and c == column))
        for sheet, column, rule in mine[["sheet", "column", "rule"]].itertuples(index=False)
    )
    assert found == expected
    printed = run.lines()
    assert len(printed) == len(IMPLAUSIBLE)  # one line each: no rule has more than three rows here
    dropped = [line for line in printed if line.startswith("значение не учтено: ")]
    assert sorted(next(r for *_, r in dropping if r in line) for line in dropped) == sorted(
        r for *_, r in dropping
    )
    teachers = run.tables["teachers"].query("cluster_id == 'tiny-it' and year == 2025")
    assert len(teachers) == 1 + len(dropping) and teachers["training_completed"].isna().sum() == len(dropping)
    assert "<script>" not in run.err + run.out + mine.to_csv()
    assert "а" * 50 not in run.err + mine.to_csv()
    run.check_accounted()
    run.check_others_untouched(("tiny-it", 2025))


def test_a_pair_starting_in_1900_is_rejected_not_counted_as_active(clean, tmp_path, capsys):
    rows = copy.deepcopy(GOOD_FORM)
    rows["Наставничество"][0][4] = "01.02.1900"
    run = Run(clean, tmp_path, capsys, "tiny-law_2024_v2.xlsx", form_writer(rows, submitted="16.01.2025"))
    [line] = run.lines()
    assert "столбец «Начало»: пара начинается раньше начала периода плана (01.01.2024)" in line
    assert run.tables["pairs"].query("cluster_id == 'tiny-law'").empty
    run.check_others_untouched(("tiny-law", 2024))


def test_a_cached_error_value_rejects_its_row(clean, tmp_path, capsys):
    write = sheet_edit(
        "Показатели",
        rb'<c r="E2" t="n"><v>11</v></c>',
        b'<c r="E2" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
        year=2025,
    )
    run = Run(clean, tmp_path, capsys, "tiny-it_2025.xlsx", write)
    [line] = run.lines()
    assert "столбец «Факт»: в ячейке ошибка формулы #DIV/0!" in line
    run.check_accounted()


def test_a_fact_far_above_its_target_is_kept_and_flagged(clean, tmp_path, capsys):
    rows = _it("Показатели", 0, 4, 1_000_000_000)
    run = Run(
        clean,
        tmp_path,
        capsys,
        "tiny-it_2025.xlsx",
        form_writer(rows, cluster="tiny-it", year=2025, submitted="15.01.2026"),
    )
    assert run.entry["rows_rejected"] == 0
    facts = run.tables["facts"].query("cluster_id == 'tiny-it' and year == 2025 and indicator == '1.1.4'")
    assert facts["fact_value"].tolist() == [1e9]
    [warning] = run.warnings.to_dict("records")
    assert {
        k: warning[k] for k in ("cluster_id", "year", "indicator", "programme_code", "fact", "target")
    } == {
        "cluster_id": "tiny-it",
        "year": 2025,
        "indicator": "1.1.4",
        "programme_code": "",
        "fact": 1e9,
        "target": 10.0,
    }
    assert (
        warning["ratio"] == 1e8 and "факт 1 000 000 000 больше плана 10 в 100 000 000 раз" in warning["rule"]
    )
    assert "1 fact(s) far above target" in run.out


def test_unusual_but_valid_xml_reads_like_the_good_form(clean, tmp_path, capsys):
    """Rows without their numbers and a namespace prefix on every tag, as some non-Excel tools write."""

    def write(path: Path) -> None:
        write_form(path, copy.deepcopy(IT_FORM), cluster="tiny-it", year=2025, submitted="15.01.2026")

        def change(name: str, data: bytes) -> bytes:
            if not name.startswith("xl/worksheets/"):
                return data
            data = re.sub(rb'(<row\b[^>]*?) r="\d+"', rb"\1", data)
            data = re.sub(rb"<(/?)(?!\?)([A-Za-z]\w*)", rb"<\1x:\2", data)
            return data.replace(b"<x:worksheet xmlns=", b"<x:worksheet xmlns:x=", 1)

        with_parts(path, change)

    run = Run(clean, tmp_path, capsys, "tiny-it_2025.xlsx", write)
    assert run.entry["status"] == "read" and run.entry["rows_accepted"] == 4, run.err
    teachers = run.tables["teachers"].query("cluster_id == 'tiny-it' and year == 2025")
    assert teachers["hours"].tolist() == [72.0]


def test_fifty_thousand_bad_rows_print_a_summary_not_fifty_thousand_lines(clean, tmp_path, capsys):
    def write(path: Path) -> None:
        lines = ["cluster_id;year;indicator;programme_code;fact"] + ["tiny-it;2024;1.1.4;;много"] * 50_000
        (path.parent.parent / "facts" / "bulk.csv").write_text("\n".join(lines), encoding="utf-8")
        path.write_bytes(b"")

    run = Run(clean, tmp_path, capsys, "~$placeholder.xlsx", write)
    bulk = str(tmp_path / "raw" / "facts" / "bulk.csv")
    assert (run.rejects["source_file"] == bulk).sum() == 50_000
    printed = [line for line in run.err.splitlines() if bulk in line]
    assert len(printed) == 4
    assert printed[-1].endswith(
        "49997 строк(и) по тому же правилу (факт — число ≥ 0, «да» или «нет») — все они в "
        f"{tmp_path / 'processed' / 'rejects.parquet'}"
    )
    assert run.log.loc[bulk, "rows_read"] == 50_000 == run.log.loc[bulk, "rows_rejected"]


def test_each_message_is_printed_once_on_stderr_and_names_stay_hidden(
    raw_dir_with_forms, tmp_path, capsys, caplog
):
    """The command prints each problem once on stderr; nothing logs it a second time."""
    import logging

    from analysis.cli import main

    rows = copy.deepcopy(GOOD_FORM)
    rows["Преподаватели"][1][5] = 5000
    write_form(raw_dir_with_forms / "submissions" / "tiny-law_2024.xlsx", rows)
    (raw_dir_with_forms / "submissions" / "tiny-it_2024.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    caplog.set_level(logging.INFO)
    command = ["ingest", "--demo", "--raw", str(raw_dir_with_forms), "--processed", str(tmp_path / "p")]
    assert main([*command, "--data-docs", str(tmp_path / "docs")]) == 3
    out, err = capsys.readouterr()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for words in ("Часов в году", "tiny-it_2024.xls"):
        assert sum(words in line for line in (out + err).splitlines()) == 1
        assert words in err and words not in logged
    assert out.startswith("data: ")
    assert not [name for name in NAMES if name in out + err + logged]
