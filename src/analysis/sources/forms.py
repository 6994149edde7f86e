"""The collection form: the Excel workbook a cluster fills in for one reporting year.

One module says what the form is — sheet names, column headings (Russian, as users see them)
and the internal column each heading maps to — so the template writer, the demo generator and
ingestion can never disagree. A submission is ``<cluster_id>_<year>.xlsx`` (or a CSV per sheet,
see ``analysis.ingest.run``) under ``data/raw/submissions/``.

Sheets:

- «Сведения» — two columns, «Поле» / «Значение»: cluster id, year, who filled it in, and the
  date the form was submitted (what the completeness check compares with the deadline).
- «Показатели» — a row per planned cell of the year: indicator code, programme code, the
  item's name and plan (for reading), and the fact (a number ≥ 0, or да/нет).
- «Преподаватели» — a row per teacher × programme: ФИО, СНИЛС (optional), organisation,
  employment type (штатный / совместитель), programme code, teaching hours in the year, date
  the teaching-skills training was completed (empty if not yet).
- «Наставничество» — a row per mentoring pair: the college teacher's ФИО, the specialist's
  ФИО, the specialist's organisation, programme code, start, end (empty while active), format.
- «Набор» — a row per programme: students enrolled in the year, of whom with an employer mentor.
- «Организации» — the cluster's participant organisations (name, type ПОО / работодатель), copied
  from `data/raw/participants*.csv` for reference; ingestion reads them from there, not here.
- «Инструкция» — how to fill the form in (text only; ingestion ignores it).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sheet:
    """One sheet of the form: its title and its columns as ``(heading, internal name)``."""

    title: str
    columns: tuple[tuple[str, str], ...]

    @property
    def headings(self) -> list[str]:
        return [heading for heading, _ in self.columns]

    @property
    def names(self) -> list[str]:
        return [name for _, name in self.columns]

    def rename(self) -> dict[str, str]:
        return dict(self.columns)


META = Sheet("Сведения", (("Поле", "field"), ("Значение", "value")))
META_FIELDS = {
    "Кластер": "cluster_id",
    "Год": "year",
    "Заполнил": "filled_by",
    "Дата представления": "submitted_on",  # compared with the reporting deadline
    "Демонстрационные данные": "demo",  # «да» on generated demonstration submissions
}

INDICATORS = Sheet(
    "Показатели",
    (
        ("Код показателя", "indicator"),
        ("Код программы", "programme_code"),
        ("Наименование", "title"),
        ("План", "plan"),
        ("Факт", "fact"),
        ("Комментарий", "comment"),
    ),
)

TEACHERS = Sheet(
    "Преподаватели",
    (
        ("ФИО", "full_name"),
        ("СНИЛС", "snils"),
        ("Организация", "organisation"),
        ("Вид занятости", "employment"),
        ("Код программы", "programme_code"),
        ("Часов в году", "hours"),
        ("Дата обучения педагогическим навыкам", "training_completed"),
    ),
)

PAIRS = Sheet(
    "Наставничество",
    (
        ("Преподаватель ПОО (ФИО)", "teacher_name"),
        ("Специалист (ФИО)", "specialist_name"),
        ("Организация специалиста", "specialist_organisation"),
        ("Код программы", "programme_code"),
        ("Начало", "start"),
        ("Окончание", "end"),
        ("Формат", "format"),
    ),
)

ENROLMENT = Sheet(
    "Набор",
    (
        ("Код программы", "programme_code"),
        ("Принято обучающихся", "enrolled"),
        ("Из них с наставником от работодателя", "with_employer_mentor"),
    ),
)

ORGANISATIONS = Sheet(
    "Организации",
    (
        ("Организация", "organisation"),
        ("Тип", "org_type"),
    ),
)

INSTRUCTIONS_TITLE = "Инструкция"

DATA_SHEETS = (INDICATORS, TEACHERS, PAIRS, ENROLMENT, ORGANISATIONS)
INPUT_SHEETS = (INDICATORS, TEACHERS, PAIRS, ENROLMENT)  # what ingestion reads; the rest is reference

# Words users write, mapped to internal values.
EMPLOYMENT_WORDS = {"штатный": "staff", "совместитель": "part_time"}
ORG_TYPE_WORDS = {"поо": "college", "работодатель": "employer"}
PAIR_FORMATS = ("очно", "дистанционно", "смешанный")


def submission_name(cluster_id: str, year: int) -> str:
    """The file name a submission is expected under."""
    return f"{cluster_id}_{year}.xlsx"


# CSV submissions. A cluster may send the form as CSV instead of a workbook: a folder named like
# the workbook without ``.xlsx`` (``data/raw/submissions/<cluster_id>_<year>/``) holding one
# ``<sheet title>.csv`` per sheet of the form («Сведения.csv», «Показатели.csv», …; «Инструкция»
# may be left out). Each file holds the sheet as Excel's «CSV (разделители — точка с запятой)»
# export writes it: the headings in the first row, then the rows; cp1251 (UTF-8 also read),
# ``;`` between cells, decimal commas (``1,5``), dates as ``dd.mm.yyyy``.
CSV_ENCODING = "cp1251"
CSV_DELIMITER = ";"


def submission_folder(cluster_id: str, year: int) -> str:
    """The folder name a CSV submission is expected under (see the note above)."""
    return f"{cluster_id}_{year}"
