"""Ingestion of submissions: a corpus of malformed inputs, each with the message it must give
and no row lost; good inputs read cleanly; no personal data left in any output."""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest

from analysis.ingest.parse import OPTIONAL_VALUES, optional_headings
from analysis.metrics.completeness import completeness, quality_summary
from conftest import GOOD_FORM, NAMES, run_ingest, write_form

FORM = "submissions/tiny-law_2024.xlsx"


def edit(sheet: str, row: int, column: int, value: object):
    """A corpus case that changes one cell of the good form (row and column from 0)."""

    def apply(rows: dict) -> dict:
        rows[sheet][row][column] = value
        return rows

    return apply


def append(sheet: str, values: list):
    def apply(rows: dict) -> dict:
        rows[sheet].append(values)
        return rows

    return apply


# (case id, change to the good form, expected words of the rule, form column it names)
CORPUS = [
    ("fact-text", edit("Показатели", 2, 4, "много"), "факт — число ≥ 0, «да» или «нет»", "Факт"),
    ("fact-negative", edit("Показатели", 2, 4, "-3"), "факт — число ≥ 0, «да» или «нет»", "Факт"),
    ("indicator-unknown", edit("Показатели", 2, 0, "9.9.9"), "неизвестный код показателя", "Код показателя"),
    (
        "indicator-garbled",
        edit("Показатели", 2, 0, "п.1.1"),
        "код показателя записывается как 1.1.4",
        "Код показателя",
    ),
    (
        "programme-not-in-plan-row",
        edit("Показатели", 0, 1, "44.02.01"),
        "нет строки плана для этой программы",
        "Код программы",
    ),
    (
        "programme-format",
        edit("Показатели", 0, 1, "38.2.1"),
        "код программы записывается как 38.02.01",
        "Код программы",
    ),
    ("yes-for-count", edit("Показатели", 2, 4, "да"), "в плане число", "Факт"),
    (
        "fact-duplicate",
        append("Показатели", ["1.1.4", None, "", "9", 8]),
        "уже указана в строке выше",
        "Код показателя",
    ),
    (
        "org-unknown",
        edit("Преподаватели", 1, 2, "ООО «Неизвестно»"),
        "не участник кластера",
        "Организация",
    ),
    (
        "employment-word",
        edit("Преподаватели", 1, 3, "внешний"),
        "напишите «штатный» или «совместитель»",
        "Вид занятости",
    ),
    ("hours-text", edit("Преподаватели", 1, 5, "много"), "нужно число ≥ 0", "Часов в году"),
    ("hours-too-many", edit("Преподаватели", 1, 5, 5000), "от 0 до 2000", "Часов в году"),
    (
        "training-after-year",
        edit("Преподаватели", 2, 6, "01.03.2026"),
        "дата обучения позже отчётного года",
        "Дата обучения педагогическим навыкам",
    ),
    (
        "date-impossible",
        edit("Преподаватели", 2, 6, "31.02.2024"),
        "такой даты нет",
        "Дата обучения педагогическим навыкам",
    ),
    (
        "date-garbled",
        edit("Преподаватели", 2, 6, "весной"),
        "нужна дата",
        "Дата обучения педагогическим навыкам",
    ),
    (
        "person-duplicate",
        append(
            "Преподаватели",
            ["Сидоров  Пётр Ильич", None, "ООО «Юрконсалт»", "совместитель", "40.02.02", 10, None],
        ),
        "уже указан для этой программы",
        "ФИО",
    ),
    ("name-empty", edit("Преподаватели", 2, 0, " "), "здесь нужно значение", "ФИО"),
    (
        "programme-unknown",
        edit("Преподаватели", 2, 4, "99.99.99"),
        "нет среди программ плана",
        "Код программы",
    ),
    (
        "pair-unknown-teacher",
        edit("Наставничество", 0, 0, "Кузнецов Олег Олегович"),
        "преподавателя нет среди преподавателей ПОО",
        "Преподаватель ПОО (ФИО)",
    ),
    (
        "pair-college-specialist",
        edit("Наставничество", 0, 2, "ГБПОУ «Колледж права»"),
        "не работодатель-участник",
        "Организация специалиста",
    ),
    (
        "pair-ended-before",
        edit("Наставничество", 0, 5, "31.12.2023"),
        "закончилась до отчётного года",
        "Окончание",
    ),
    (
        "pair-starts-after",
        edit("Наставничество", 0, 4, "10.01.2025"),
        "начинается после отчётного года",
        "Начало",
    ),
    (
        "pair-end-before-start",
        edit("Наставничество", 0, 5, "01.01.2024"),
        "заканчивается раньше, чем начинается",
        "Окончание",
    ),
    ("pair-format", edit("Наставничество", 0, 6, "по телефону"), "формат — одно из", "Формат"),
    (
        "mentored-over-enrolled",
        edit("Набор", 0, 2, 80),
        "не может быть больше принятых",
        "Из них с наставником от работодателя",
    ),
    ("enrolled-fraction", edit("Набор", 0, 1, "12,5"), "нужно целое число", "Принято обучающихся"),
]


def accounted(result, path: Path) -> tuple[int, int, int]:
    entry = result.submissions[result.submissions["source_file"] == str(path)].iloc[0]
    return int(entry["rows_read"]), int(entry["rows_accepted"]), int(entry["rows_rejected"])


def test_the_good_form_is_read_whole(raw_dir_with_forms):
    result = run_ingest(raw_dir_with_forms)
    assert result.rejects.empty, result.reject_lines()
    read, accepted, rejected = accounted(result, raw_dir_with_forms / FORM)
    assert (read, accepted, rejected) == (10, 10, 0)
    facts = result.tables["facts"].set_index(["indicator", "programme_code"])
    assert facts.loc[("1.1.4", ""), ["fact_kind", "fact_value"]].tolist() == ["number", 7.0]
    assert facts.loc[("1.6.1", ""), "fact_kind"] == "yes"
    assert facts.loc[("1.1.1", "40.02.02"), "fact_value"] == 0.0
    teachers = result.tables["teachers"].sort_values("hours")
    assert teachers["hours"].tolist() == [1.5, 36.0, 720.0]
    assert teachers["org_id"].tolist() == ["ПАО «Сбербанк»", "ООО «Юрконсалт»", "ГБПОУ «Колледж права»"]
    assert teachers["employment"].tolist() == ["part_time", "part_time", "staff"]
    assert [str(d.date()) if not pd.isna(d) else None for d in teachers["training_completed"]] == [
        "2024-02-01",
        "2024-03-15",
        None,
    ]
    pairs = result.tables["pairs"]
    assert pairs["teacher_id"].iloc[0] == teachers.loc[teachers["employment"] == "staff", "person_id"].iloc[0]
    assert result.tables["enrolment"]["with_employer_mentor"].tolist()[0] == 10


@pytest.mark.parametrize(("case", "change", "rule", "column"), CORPUS, ids=[c[0] for c in CORPUS])
def test_malformed_row_gives_its_message_and_loses_nothing(raw_dir_with_forms, case, change, rule, column):
    path = write_form(raw_dir_with_forms / FORM, change(copy.deepcopy(GOOD_FORM)))
    result = run_ingest(raw_dir_with_forms)
    read, accepted, rejected = accounted(result, path)
    assert read == accepted + rejected
    assert read == sum(len(v) for v in change(copy.deepcopy(GOOD_FORM)).values())
    # An optional value (training date, students with a mentor) is dropped and its row kept.
    optional = column in {h for t in OPTIONAL_VALUES for h in optional_headings(t)}
    found = result.dropped if optional else result.rejects
    matching = found[found["rule"].str.contains(rule, regex=False)]
    assert len(matching) >= 1, result.reject_lines()
    assert matching["column"].iloc[0] == column
    assert rejected == 0 or not optional
    lines = result.dropped_lines() if optional else result.reject_lines()
    line = next(x for x in lines if rule in x)
    assert line.startswith(f"{path}, лист «") and ", строка " in line and f"столбец «{column}»" in line


@pytest.mark.parametrize(
    ("case", "write", "message"),
    [
        (
            "not-excel",
            lambda p: p.write_text("это не таблица", encoding="utf-8"),
            "это не читаемая книга .xlsx",
        ),
        (
            "password",
            lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 600),
            "защищена паролем или сохранена в старом формате .xls",
        ),
        (
            "truncated",
            lambda p: p.write_bytes(write_form(p).read_bytes()[:300]),
            "это не читаемая книга .xlsx",
        ),
        (
            "sheet-missing",
            lambda p: write_form(p, drop_sheet="Наставничество"),
            "нет листов: Наставничество",
        ),
        (
            "no-cluster",
            lambda p: write_form(p.with_name("form.xlsx"), cluster=""),
            "имя файла не начинается с «<кластер>_<год>»",
        ),
    ],
)
def test_unreadable_file_is_reported_and_skipped_while_others_go_on(raw_dir_with_forms, case, write, message):
    bad = raw_dir_with_forms / "submissions" / "tiny-it_2024.xlsx"
    write(bad)
    result = run_ingest(raw_dir_with_forms)
    skipped = result.submissions[result.submissions["status"] == "unreadable"]
    assert len(skipped) == 1 and message in skipped["message"].iloc[0]
    assert accounted(result, raw_dir_with_forms / FORM) == (10, 10, 0)


def test_missing_column_rejects_the_sheet_rows_with_the_reason(raw_dir_with_forms):
    from analysis.sources import forms

    headings = [h for h in forms.TEACHERS.headings if h != "Вид занятости"]
    rows = copy.deepcopy(GOOD_FORM)
    rows["Преподаватели"] = [r[:3] + r[4:] for r in rows["Преподаватели"]]
    path = write_form(raw_dir_with_forms / FORM, rows, headings={"Преподаватели": headings})
    result = run_ingest(raw_dir_with_forms)
    teachers = result.rejects[result.rejects["sheet"] == "Преподаватели"]
    assert len(teachers) == 3 and teachers["rule"].str.contains("нет столбца «Вид занятости»").all()
    read, accepted, rejected = accounted(result, path)
    assert read == accepted + rejected == 10


@pytest.mark.parametrize(
    ("cluster", "year", "words"),
    [
        (
            "tiny-nope",
            2024,
            "кластера tiny-nope нет в реестре кластеров (может быть, tiny-",
        ),
        (
            "tiny-law",
            2031,
            "2031 год не входит в годы плана кластера tiny-law (2024, 2025): файл не загружен",
        ),
    ],
)
def test_unknown_cluster_or_year_refuses_the_file_in_one_line(raw_dir_with_forms, cluster, year, words):
    (raw_dir_with_forms / FORM).unlink()
    path = write_form(
        raw_dir_with_forms / "submissions" / f"{cluster}_{year}.xlsx", cluster=cluster, year=year
    )
    result = run_ingest(raw_dir_with_forms)
    assert result.rejects.empty
    [entry] = result.submissions.to_dict("records")
    assert entry["source_file"] == str(path) and entry["status"] == "rejected"
    assert words in entry["message"] and (entry["cluster_id"], entry["year"]) == (cluster, year)


def test_csv_submission_in_cp1251_with_semicolons(raw_dir_with_forms):
    from analysis.sources import forms

    (raw_dir_with_forms / FORM).unlink()
    folder = raw_dir_with_forms / "submissions" / "tiny-law_2024"
    folder.mkdir()
    sheets = {forms.META.title: [forms.META.headings, ["Кластер", "tiny-law"], ["Год", "2024"]]}
    for spec in forms.INPUT_SHEETS:
        sheets[spec.title] = [
            spec.headings,
            *[[("" if v is None else str(v)) for v in r] for r in GOOD_FORM[spec.title]],
        ]
    for title, rows in sheets.items():
        text = "\r\n".join(";".join(cell.replace(";", ",") for cell in map(str, row)) for row in rows)
        (folder / f"{title}.csv").write_bytes(text.encode("cp1251"))
    result = run_ingest(raw_dir_with_forms)
    assert accounted(result, folder) == (10, 10, 0), result.reject_lines()
    assert result.tables["teachers"]["hours"].sort_values().tolist() == [1.5, 36.0, 720.0]


def test_facts_csv_with_a_bad_header_is_skipped(raw_dir_with_forms):
    (raw_dir_with_forms / "facts" / "bad.csv").write_text("кластер;год\n", encoding="utf-8")
    result = run_ingest(raw_dir_with_forms)
    skipped = result.submissions[result.submissions["status"] == "unreadable"]
    assert "нет столбцов" in skipped["message"].iloc[0]


def test_no_personal_data_in_any_table_or_reject(raw_dir_with_forms):
    rows = copy.deepcopy(GOOD_FORM)
    rows["Преподаватели"][0][1] = "112-233-445 96"  # a bad СНИЛС: the value is dropped and masked
    rows["Преподаватели"][1][5] = 5000  # a rejected row: the name masked
    write_form(raw_dir_with_forms / FORM, rows)
    result = run_ingest(raw_dir_with_forms)
    assert not result.rejects.empty and not result.dropped.empty
    frames = [*result.tables.values(), result.rejects, result.dropped, result.submissions, result.validation]
    text = "\n".join(f.astype(str).to_csv() for f in frames)
    text += "\n".join(result.reject_lines() + result.dropped_lines())
    for name in [*NAMES, "112-233-445", "11223344595"]:
        assert name not in text


@pytest.mark.parametrize(
    ("snils", "rule"),
    [("112-233-445 96", "контрольное число СНИЛС не сходится"), ("12345", "СНИЛС записывается как")],
)
def test_an_invalid_optional_snils_drops_the_value_and_keeps_the_person_and_the_pair(
    raw_dir_with_forms, snils, rule
):
    rows = copy.deepcopy(GOOD_FORM)
    rows["Преподаватели"][0][1] = snils  # Иванов, the college teacher of the only pair
    path = write_form(raw_dir_with_forms / FORM, rows)
    result = run_ingest(raw_dir_with_forms)
    assert result.rejects.empty, result.reject_lines()
    assert accounted(result, path) == (10, 10, 0)
    assert len(result.tables["teachers"]) == 3 and len(result.tables["pairs"]) == 1
    [line] = result.dropped_lines()
    assert line.startswith(f"{path}, лист «Преподаватели», строка 2, столбец «СНИЛС»: {rule}")
    assert "значение не учтено, строка принята" in line and snils not in line


def test_same_person_gets_the_same_id_in_every_file_and_sheet(raw_dir_with_forms):
    write_form(raw_dir_with_forms / "submissions" / "tiny-law_2025.xlsx", year=2025)
    result = run_ingest(raw_dir_with_forms)
    teachers = result.tables["teachers"]
    ids = teachers.groupby("year")["person_id"].agg(set)
    assert ids[2024] == ids[2025] and len(ids[2024]) == 3
    assert set(result.tables["pairs"]["specialist_id"]) <= ids[2024]


def test_quality_and_completeness(raw_dir_with_forms):
    from datetime import date

    write_form(
        raw_dir_with_forms / "submissions" / "tiny-it_2024.xlsx",
        cluster="tiny-it",
        submitted="01.02.2025",
        rows={"Показатели": [["1.1.4", None, "", "9", "много"]]},
    )
    result = run_ingest(raw_dir_with_forms)
    quality = quality_summary(result.tables, result.rejects).set_index("cluster_id")
    assert quality.loc["tiny-law", ["rows_read", "rows_accepted", "rows_rejected"]].tolist() == [10, 10, 0]
    assert quality.loc["tiny-it", ["rows_read", "rows_rejected"]].tolist() == [1, 1]
    assert quality.loc["tiny-it", "failed_rules"] == ["факт — число ≥ 0, «да» или «нет»"]
    from analysis.site.prepare import read_plans
    from analysis.sources.registry import load_registry

    registry = load_registry(raw_dir_with_forms / "clusters.csv")
    plan, _, _ = read_plans(registry)
    table = completeness(registry, plan, result.submissions, date(2025, 3, 1))
    status = dict(zip(table["cluster_id"] + "/" + table["year"].astype(str), table["status"], strict=True))
    assert status == {
        "tiny-it/2024": "late",
        "tiny-it/2025": "not_due",
        "tiny-law/2024": "on_time",
        "tiny-law/2025": "not_due",
    }
    later = completeness(registry, plan, result.submissions, date(2026, 2, 1))
    assert set(later.loc[later["year"] == 2025, "status"]) == {"missing"}


def test_real_rosters_need_a_key_and_the_message_says_how(raw_dir_with_forms, monkeypatch, tmp_path):
    from analysis.ingest.pseudonym import (
        ENV_KEY,
        ENV_KEY_FILE,
        MissingKeyError,
        load_key,
        person_id,
        write_new_key,
    )

    monkeypatch.delenv(ENV_KEY, raising=False)
    monkeypatch.setenv(ENV_KEY_FILE, str(tmp_path / "key"))
    with pytest.raises(MissingKeyError, match="python -m analysis keygen"):
        load_key(demo=False)
    assert load_key(demo=True)  # demonstration data may use the built-in demo key
    path = write_new_key()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    key = load_key(demo=False)
    assert key == load_key(demo=True)  # a configured key wins over the demo key
    assert person_id(key, "Иванов Иван") == person_id(key, " иванов  иван ")
    assert person_id(key, "Иванов Иван") != person_id(b"other", "Иванов Иван")
    with pytest.raises(Exception, match="already exists"):
        write_new_key()


def test_a_csv_sheet_in_an_unknown_encoding_skips_only_its_submission(raw_dir_with_forms):
    folder = raw_dir_with_forms / "submissions" / "tiny-it_2024"
    folder.mkdir()
    (folder / "Сведения.csv").write_bytes("Поле;Значение\nКластер;tiny-it\n".encode() + b"\x98\x81;\n")
    result = run_ingest(raw_dir_with_forms)
    skipped = result.submissions[result.submissions["status"] == "unreadable"]
    assert skipped["message"].str.contains("не в кодировке UTF-8 и не в cp1251").tolist() == [True]
    assert accounted(result, raw_dir_with_forms / FORM) == (10, 10, 0)


def test_a_later_submission_for_the_same_cluster_year_replaces_the_earlier(raw_dir_with_forms):
    rows = copy.deepcopy(GOOD_FORM)
    rows["Показатели"][2][4] = 9  # the corrected fact of 1.1.4
    later = write_form(
        raw_dir_with_forms / "submissions" / "tiny-law_2024_v2.xlsx", rows, submitted="18.01.2025"
    )
    result = run_ingest(raw_dir_with_forms)
    log = result.submissions.set_index("source_file")
    assert log.loc[str(raw_dir_with_forms / FORM), "status"] == "superseded"
    message = log.loc[str(raw_dir_with_forms / FORM), "message"]
    assert message == (
        f"{raw_dir_with_forms / FORM}: для tiny-law 2024 учитывается tiny-law_2024_v2.xlsx, а не этот файл: "
        "он представлен позже (18.01.2025 против 15.01.2025); этот файл хранится, но не читается"
    )
    assert "remove" not in message and "удалите" not in message
    assert log.loc[str(later), "status"] == "read" and result.rejects.empty
    facts = result.tables["facts"].set_index("indicator")
    assert facts.loc["1.1.4", "fact_value"] == 9.0


def test_the_demo_key_needs_both_the_flag_and_demo_submissions(raw_dir_with_forms, tmp_path, monkeypatch):
    from analysis.ingest.pseudonym import ENV_KEY, ENV_KEY_FILE, MissingKeyError
    from analysis.site.prepare import prepare

    monkeypatch.delenv(ENV_KEY, raising=False)
    monkeypatch.setenv(ENV_KEY_FILE, str(tmp_path / "no-key"))
    # A form that calls itself demo data is not enough: the operator must ask for the demo key…
    write_form(raw_dir_with_forms / FORM, demo="да")
    with pytest.raises(MissingKeyError, match="python -m analysis keygen"):
        prepare(raw_dir_with_forms, tmp_path / "p")
    assert prepare(raw_dir_with_forms, tmp_path / "p", demo_key=True).rows_read == 10
    # …and asking for it does not cover a submission that is not marked as demo data.
    write_form(raw_dir_with_forms / FORM, demo="")
    with pytest.raises(MissingKeyError):
        prepare(raw_dir_with_forms, tmp_path / "p", demo_key=True)


def test_a_year_written_as_words_names_the_year(raw_dir_with_forms):
    write_form(raw_dir_with_forms / FORM, year="две тысячи двадцать четвёртый")
    result = run_ingest(raw_dir_with_forms)
    message = result.submissions["message"].iloc[0]
    assert "год записывается числом, например 2025 (значение «две тысячи двадцать четвёртый»)" in message


@pytest.mark.parametrize("year", ["2024 г.", "2024 год", "2024г", " 2024 "])
def test_a_year_with_its_word_is_read(raw_dir_with_forms, year):
    write_form(raw_dir_with_forms / FORM, year=year)
    result = run_ingest(raw_dir_with_forms)
    entry = result.submissions.iloc[0]
    assert (entry["status"], entry["year"], entry["rows_accepted"]) == ("read", 2024, 10)


def test_an_unexpected_error_is_one_line_not_a_traceback(raw_dir_with_forms, tmp_path, monkeypatch, capsys):
    import analysis.site.prepare as stage
    from analysis.cli import main

    def broken(*args, **kwargs):
        raise RuntimeError("something inside broke")

    monkeypatch.setattr(stage, "prepare", broken)  # the command imports it when it runs
    assert main(["ingest", "--raw", str(raw_dir_with_forms), "--processed", str(tmp_path / "p")]) == 1
    err = capsys.readouterr().err
    assert err.strip() == (
        "internal error: RuntimeError: something inside broke — rerun with -v for the traceback and report it"
    )


def test_every_file_listed_has_its_sha256_and_size(raw_dir_with_forms):
    import hashlib

    bad = raw_dir_with_forms / "submissions" / "tiny-it_2024.xlsx"
    bad.write_text("это не таблица", encoding="utf-8")
    result = run_ingest(raw_dir_with_forms)
    log = result.submissions.set_index("source_file")
    for path in [raw_dir_with_forms / FORM, bad]:
        data = path.read_bytes()
        assert log.loc[str(path), "sha256"] == hashlib.sha256(data).hexdigest()
        assert log.loc[str(path), "size_bytes"] == len(data)
    assert log["size_bytes"].dtype == "int64"


def test_validation_lists_every_rule_of_every_table_with_its_counts(raw_dir_with_forms):
    rows = copy.deepcopy(GOOD_FORM)
    rows["Преподаватели"][1][5] = 5000  # breaks the hours rule only
    write_form(raw_dir_with_forms / FORM, rows)
    result = run_ingest(raw_dir_with_forms)
    validation = result.validation
    assert list(validation.columns) == [
        "table",
        "sheet",
        "column",
        "rule",
        "expectation",
        "success",
        "rows_checked",
        "rows_failed",
    ]
    assert set(validation["table"]) == {"facts", "teachers", "pairs", "enrolment"}
    failed = validation[~validation["success"]]
    assert failed[["table", "sheet", "column", "rows_checked", "rows_failed"]].values.tolist() == [
        ["teachers", "Преподаватели", "Часов в году", 3, 1]
    ]
    assert failed["expectation"].iloc[0] == "ExpectColumnValuesToBeBetween"
    assert failed["rule"].iloc[0] == result.rejects["rule"].iloc[0]
    assert (validation.loc[validation["success"], "rows_failed"] == 0).all()
