"""The collection form as an Excel workbook, prefilled from a cluster's plan for one year.

``write_template`` makes the file a cluster office fills in: the sheets and headings of
``analysis.sources.forms``, «Показатели» with a row per planned cell of the year (the plan shown as text,
an empty «Факт» to fill), «Набор» with a row per programme of the plan, «Организации» with the
cluster's participants, empty rosters and an instruction sheet. Data validation guards what Excel
can guard (numbers ≥ 0, да/нет, lists, dates) with messages in Russian; ingestion checks again,
since validation is easy to bypass by pasting.

``build_form`` returns the workbook itself, so the demonstration generator fills in the same
form with ``write_rows``; ``save_workbook`` writes any workbook byte-for-byte reproducibly.
"""

from __future__ import annotations

import io
import logging
import os
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from analysis import spreadsheet
from analysis.errors import AnalysisError
from analysis.sources import forms
from analysis.sources.participants import TYPE_LABELS, cluster_participants, load_participants
from analysis.sources.plan import read_plan_file, tidy_plan
from analysis.sources.registry import cluster_info, load_registry

logger = logging.getLogger(__name__)

REGISTRY_FILE = "clusters.csv"
ROSTER_ROWS = 300  # roster rows the validations and cell formats cover
FIXED_TIME = datetime(2026, 1, 1)  # workbook and zip timestamps, so equal forms are equal bytes
DATE_FORMAT = "DD.MM.YYYY"
TEXT_FORMAT = "@"  # keeps 09.02.07 a code instead of 9 February 2007
FIRST_DATE, LAST_DATE = date(2015, 1, 1), date(2035, 12, 31)

_CORE_PROPERTIES = "docProps/core.xml"
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
_INPUT_FILL = PatternFill("solid", fgColor="FFF6D5")
_WRAP = Alignment(wrap_text=True, vertical="top")

# Column widths by internal name; the rest get DEFAULT_WIDTH.
DEFAULT_WIDTH = 16
WIDTHS = {
    "field": 24,
    "value": 36,
    "title": 70,
    "comment": 30,
    "full_name": 34,
    "snils": 16,
    "organisation": 48,
    "teacher_name": 34,
    "specialist_name": 34,
    "specialist_organisation": 44,
    "training_completed": 20,
    "with_employer_mentor": 22,
    "enrolled": 18,
}
DATE_COLUMNS = {"training_completed", "start", "end"}
TEXT_COLUMNS = {"programme_code", "snils", "indicator"}

INSTRUCTIONS = (
    "Как заполнить форму",
    "",
    "1. Форма заполняется по одному кластеру за один отчётный год. Кластер и год уже указаны "
    "на листе «{meta}»; укажите, кто заполнил форму, и дату её представления.",
    "2. Лист «{indicators}»: по каждой строке плана впишите в столбец «{fact}» достигнутое значение — "
    "число не меньше 0 (для количественных показателей) или «да» / «нет» (для показателей "
    "«да»). Код показателя, код программы, наименование и план не меняйте. Если показатель "
    "выполнен сверх плана в год, когда он не планировался, добавьте строку внизу.",
    "3. Лист «{teachers}»: одна строка на преподавателя и образовательную программу. Вид занятости — "
    "«штатный» или «совместитель» (работники организаций-работодателей, привлечённые по "
    "совместительству). Часы — число часов в учебном году. Дата обучения педагогическим "
    "навыкам — дату завершения обучения; пусто, если обучение не пройдено.",
    "4. Лист «{pairs}»: одна строка на пару «преподаватель ПОО – специалист организации». "
    "Специалист должен работать в организации-работодателе из листа «{organisations}». "
    "Окончание оставьте пустым, если пара продолжает работу.",
    "5. Лист «{enrolment}»: по каждой программе — число принятых обучающихся в отчётном году и число "
    "из них, у кого есть наставник от работодателя.",
    "6. Лист «{organisations}» — справочно: участники кластера. Если список неверен, сообщите "
    "куратору, а не правьте лист.",
    "7. Даты вводите как даты Excel (ДД.ММ.ГГГГ), числа — без пробелов и единиц измерения. "
    "Коды программ — в виде 09.02.07.",
    "8. Сохраните файл под тем же именем ({file}) и направьте куратору не позднее 20 января года, "
    "следующего за отчётным.",
    "",
    "Персональные данные",
    "ФИО и СНИЛС на листах «{teachers}» и «{pairs}» — персональные данные (Федеральный закон "
    "от 27.07.2006 № 152-ФЗ «О персональных данных»). При получении формы они псевдонимизируются: "
    "заменяются обезличенными идентификаторами, и в обработанные данные и отчёты в открытом виде "
    "не попадают. СНИЛС указывать не обязательно. Передавайте файл только по защищённым каналам.",
)
DEMO_NOTE = (
    "ДЕМОНСТРАЦИОННЫЕ ДАННЫЕ: форма заполнена генератором проекта (python -m analysis demo). "
    "Люди, организации и значения вымышлены."
)


class FormYearError(AnalysisError, LookupError):
    """A form was asked for a year the cluster's plan has no column for."""


def column_letter(sheet: forms.Sheet, name: str) -> str:
    """The Excel column letter of an internal column name of a form sheet."""
    return get_column_letter(sheet.names.index(name) + 1)


def meta_row(name: str) -> int:
    """The «Сведения» row holding the field with internal name ``name`` (row 1 is the header)."""
    return 2 + list(forms.META_FIELDS.values()).index(name)


def date_field() -> str:
    """The internal name of the «Сведения» field holding the date the form was submitted."""
    return next(name for name in forms.META_FIELDS.values() if name.endswith("_on"))


def planned_rows(plan: pd.DataFrame, year: int) -> pd.DataFrame:
    """The «Показатели» rows of a year: every cell with a count or yes target, in plan order.

    Columns are the internal names of the sheet; the fact and comment are empty.
    """
    cells = plan[(plan["year"] == year) & plan["target_kind"].isin(["count", "yes"])]
    cells = cells.sort_values("order", kind="stable")
    title = cells["indicator_title"].where(
        cells["programme_code"] == "", cells["indicator_title"] + " — " + cells["programme_title"]
    )
    return pd.DataFrame(
        {
            "indicator": cells["indicator"],
            "programme_code": cells["programme_code"],
            "title": title,
            "plan": cells["target_raw"].str.strip(),
            "fact": "",
            "comment": "",
        }
    ).reset_index(drop=True)


def programme_codes(plan: pd.DataFrame) -> list[str]:
    """The plan's programme codes, in order of first appearance."""
    codes = plan.loc[plan["programme_code"] != "", "programme_code"]
    return list(dict.fromkeys(codes))


def build_form(
    cluster_id: str,
    year: int,
    plan: pd.DataFrame,
    organisations: pd.DataFrame,
    *,
    demo: bool = False,
) -> Workbook:
    """The collection form of one cluster-year, prefilled and ready to fill in.

    ``plan`` is the cluster's tidy plan; ``organisations`` has ``organisation`` and ``org_type``.
    A ``demo`` form says so at the top of its instruction sheet and in its properties.
    """
    workbook = Workbook()
    workbook.remove(workbook.active)
    codes = programme_codes(plan)
    _meta_sheet(workbook, cluster_id, year, demo)
    indicators = _data_sheet(workbook, forms.INDICATORS, planned_rows(plan, year).to_dict("records"))
    _fact_validation(indicators, max(indicators.max_row, 2) + 50)
    organisations_count = len(organisations)
    teachers = _data_sheet(workbook, forms.TEACHERS, [])
    pairs = _data_sheet(workbook, forms.PAIRS, [])
    enrolment_rows = [{"programme_code": code} for code in codes]
    enrolment = _data_sheet(workbook, forms.ENROLMENT, enrolment_rows)
    org_rows = [
        {"organisation": row.organisation, "org_type": TYPE_LABELS[row.org_type]}
        for row in organisations.itertuples(index=False)
    ]
    _data_sheet(workbook, forms.ORGANISATIONS, org_rows)
    _roster_validations(teachers, pairs, codes, organisations_count)
    _count_validation(
        enrolment, forms.ENROLMENT, ["enrolled", "with_employer_mentor"], enrolment.max_row + 10
    )
    _instructions_sheet(workbook, cluster_id, year, demo)
    workbook.active = 0
    props = workbook.properties
    props.title = f"Форма сбора фактических значений: {cluster_id}, {year}"
    props.creator = "analysis (Профессионалитет)"
    if demo:
        props.title += " (демо)"
        props.description = DEMO_NOTE
    return workbook


def write_rows(sheet: Worksheet, spec: forms.Sheet, records: list[dict], start_row: int = 2) -> None:
    """Write records (dicts by internal column name) into a form sheet from ``start_row`` on.

    Dates get the form's date format; missing keys leave their cells alone; a text is stored as
    text, never as a formula (``analysis.spreadsheet``).
    """
    for offset, record in enumerate(records):
        for index, name in enumerate(spec.names, start=1):
            if name not in record:
                continue
            cell = sheet.cell(row=start_row + offset, column=index)
            spreadsheet.put(cell, record[name])  # a plan title starting with «=» stays text
            if isinstance(record[name], date):
                cell.number_format = DATE_FORMAT
            elif name in TEXT_COLUMNS:
                cell.number_format = TEXT_FORMAT


def save_workbook(workbook: Workbook, path: str | Path) -> Path:
    """Save a workbook so that the same content always gives the same bytes, atomically.

    openpyxl stamps the document's modification time and every zip entry with the current time;
    both are set to ``FIXED_TIME`` here.
    """
    path = Path(path)
    workbook.properties.created = FIXED_TIME
    stamp = FIXED_TIME.isoformat(timespec="seconds").encode() + b"Z"
    raw = io.BytesIO()
    workbook.save(raw)
    fixed = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            content = source.read(info.filename)
            if info.filename == _CORE_PROPERTIES:
                content = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            target.writestr(entry, content)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(fixed.getvalue())
    os.replace(temporary, path)
    return path


def write_template(
    cluster_id: str, year: int, raw_dir: str | Path = "data/raw", out: str | Path | None = None
) -> Path:
    """Write the prefilled form of a cluster-year; ``out`` defaults to ``<cluster>_<year>.xlsx``
    in the current folder. Returns the path written."""
    raw_dir = Path(raw_dir)
    info = cluster_info(load_registry(raw_dir / REGISTRY_FILE), cluster_id)
    plan = tidy_plan(read_plan_file(info["plan_path"]), cluster_id)
    years = sorted(plan["year"].unique().tolist())
    if year not in years:
        raise FormYearError(
            f"the plan of {cluster_id!r} has no column for {year}; its years are {', '.join(map(str, years))}"
        )
    organisations = cluster_participants(load_participants(raw_dir), cluster_id)
    if organisations.empty:
        logger.warning("no participants listed for %s: the «Организации» sheet stays empty", cluster_id)
    workbook = build_form(cluster_id, year, plan, organisations, demo=bool(info["demo"]))
    path = Path(out) if out is not None else Path.cwd() / forms.submission_name(cluster_id, year)
    save_workbook(workbook, path)
    logger.info("form for %s %d written to %s", cluster_id, year, path)
    return path


def _header(sheet: Worksheet, spec: forms.Sheet) -> None:
    sheet.append(spec.headings)
    for index, name in enumerate(spec.names, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(name, DEFAULT_WIDTH)
    sheet.freeze_panes = "A2"


def _data_sheet(workbook: Workbook, spec: forms.Sheet, records: list[dict]) -> Worksheet:
    sheet = workbook.create_sheet(spec.title)
    _header(sheet, spec)
    # Column formats, so what a user types later is read as intended (a code stays text).
    for index, name in enumerate(spec.names, start=1):
        if name in DATE_COLUMNS:
            sheet.column_dimensions[get_column_letter(index)].number_format = DATE_FORMAT
        elif name in TEXT_COLUMNS:
            sheet.column_dimensions[get_column_letter(index)].number_format = TEXT_FORMAT
    write_rows(sheet, spec, records)
    if "title" in spec.names:
        column = spec.names.index("title") + 1
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.alignment = _WRAP
    return sheet


def _meta_sheet(workbook: Workbook, cluster_id: str, year: int, demo: bool) -> None:
    sheet = workbook.create_sheet(forms.META.title)
    _header(sheet, forms.META)
    known: dict[str, object] = {"cluster_id": cluster_id, "year": year}
    if demo:
        known["demo"] = "да"
    for heading, name in forms.META_FIELDS.items():
        sheet.append([heading, known.get(name)])
        sheet.cell(row=sheet.max_row, column=1).font = _HEADER_FONT
        if name not in known:
            sheet.cell(row=sheet.max_row, column=2).fill = _INPUT_FILL
    if any(name.endswith("_on") for name in forms.META_FIELDS.values()):
        cell = f"B{meta_row(date_field())}"
        sheet[cell].number_format = DATE_FORMAT
        _add(sheet, _date_validation(), cell)


def _instructions_sheet(workbook: Workbook, cluster_id: str, year: int, demo: bool) -> None:
    sheet = workbook.create_sheet(forms.INSTRUCTIONS_TITLE)
    sheet.column_dimensions["A"].width = 120
    names = {
        "meta": forms.META.title,
        "indicators": forms.INDICATORS.title,
        "fact": forms.INDICATORS.headings[forms.INDICATORS.names.index("fact")],
        "teachers": forms.TEACHERS.title,
        "pairs": forms.PAIRS.title,
        "enrolment": forms.ENROLMENT.title,
        "organisations": forms.ORGANISATIONS.title,
        "file": forms.submission_name(cluster_id, year),
    }
    lines = ([DEMO_NOTE, ""] if demo else []) + [line.format(**names) for line in INSTRUCTIONS]
    for line in lines:
        sheet.append([line])
        cell = sheet.cell(row=sheet.max_row, column=1)
        cell.alignment = _WRAP
        if line in ("Как заполнить форму", "Персональные данные", DEMO_NOTE):
            cell.font = _HEADER_FONT


def _add(sheet: Worksheet, validation: DataValidation, cells: str) -> None:
    validation.add(cells)
    sheet.add_data_validation(validation)


def _validation(kind: str, title: str, message: str, **options) -> DataValidation:
    validation = DataValidation(type=kind, allow_blank=True, showErrorMessage=True, **options)
    validation.errorTitle = title
    validation.error = message
    return validation


def _date_validation() -> DataValidation:
    def serial(day: date) -> str:
        return str((day - date(1899, 12, 30)).days)

    return _validation(
        "date",
        "Неверная дата",
        f"Введите дату в формате ДД.ММ.ГГГГ между {FIRST_DATE:%d.%m.%Y} и {LAST_DATE:%d.%m.%Y}.",
        operator="between",
        formula1=serial(FIRST_DATE),
        formula2=serial(LAST_DATE),
    )


def _list_validation(values: list[str], title: str, message: str) -> DataValidation:
    return _validation("list", title, message, formula1='"' + ",".join(values) + '"')


def _range(spec: forms.Sheet, name: str, last_row: int) -> str:
    letter = column_letter(spec, name)
    return f"{letter}2:{letter}{last_row}"


def _fact_validation(sheet: Worksheet, last_row: int) -> None:
    spec = forms.INDICATORS
    first = f"{column_letter(spec, 'fact')}2"
    formula = f'OR(AND(ISNUMBER({first}),{first}>=0),LOWER(TRIM({first}))="да",LOWER(TRIM({first}))="нет")'
    validation = _validation(
        "custom",
        "Неверное значение факта",
        "Введите число не меньше 0 или «да» / «нет».",
        formula1=formula,
    )
    _add(sheet, validation, _range(spec, "fact", last_row))
    column = spec.names.index("fact") + 1
    for (cell,) in sheet.iter_rows(min_row=2, max_row=sheet.max_row, min_col=column, max_col=column):
        cell.fill = _INPUT_FILL


def _count_validation(sheet: Worksheet, spec: forms.Sheet, names: list[str], last_row: int) -> None:
    for name in names:
        validation = _validation(
            "whole",
            "Неверное число",
            "Введите целое число не меньше 0.",
            operator="greaterThanOrEqual",
            formula1="0",
        )
        _add(sheet, validation, _range(spec, name, last_row))


def _roster_validations(teachers: Worksheet, pairs: Worksheet, codes: list[str], organisations: int) -> None:
    last = ROSTER_ROWS + 1
    employment = _list_validation(
        list(forms.EMPLOYMENT_WORDS), "Неверный вид занятости", "Выберите «штатный» или «совместитель»."
    )
    _add(teachers, employment, _range(forms.TEACHERS, "employment", last))
    hours = _validation(
        "decimal",
        "Неверное число часов",
        "Введите число часов не меньше 0 (дробную часть — через запятую).",
        operator="greaterThanOrEqual",
        formula1="0",
    )
    _add(teachers, hours, _range(forms.TEACHERS, "hours", last))
    _add(teachers, _date_validation(), _range(forms.TEACHERS, "training_completed", last))
    pair_format = _list_validation(
        list(forms.PAIR_FORMATS),
        "Неверный формат",
        "Выберите формат из списка: " + ", ".join(forms.PAIR_FORMATS) + ".",
    )
    _add(pairs, pair_format, _range(forms.PAIRS, "format", last))
    for name in ("start", "end"):
        _add(pairs, _date_validation(), _range(forms.PAIRS, name, last))
    for sheet, spec in ((teachers, forms.TEACHERS), (pairs, forms.PAIRS)):
        if codes:
            programme = _list_validation(
                codes, "Неверный код программы", "Выберите код образовательной программы из плана кластера."
            )
            _add(sheet, programme, _range(spec, "programme_code", last))
    if organisations:
        # A warning, not a stop: a new participant is a finding for the curator, not a typo.
        source = f"{quote_sheetname(forms.ORGANISATIONS.title)}!$A$2:$A${organisations + 1}"
        for sheet, spec, name in (
            (teachers, forms.TEACHERS, "organisation"),
            (pairs, forms.PAIRS, "specialist_organisation"),
        ):
            validation = _validation(
                "list",
                "Организация не из списка",
                "Этой организации нет среди участников кластера (лист «Организации»). Проверьте название.",
                formula1=source,
            )
            validation.errorStyle = "warning"
            _add(sheet, validation, _range(spec, name, last))
