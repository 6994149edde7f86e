"""Which of several files of one cluster-year counts: the later submission date; on equal or
missing dates the file modified last; then the version its name gives (``_v2``, Excel's «(1)»
copy). Ingest and the validation page say which counts and which was set aside."""

from __future__ import annotations

import copy
import os
import re

import pytest
from test_hostile_inputs import AS_OF, IT_FORM, Run, clean, form_writer  # noqa: F401

from analysis.ingest.read import version_number


def _fact(run) -> float:
    facts = run.tables["facts"].query("cluster_id == 'tiny-it' and year == 2025 and indicator == '1.1.4'")
    return facts["fact_value"].tolist()


def _two_files(first: str, second: str, first_date, second_date, first_time: int, second_time: int):
    """``first`` holds 1.1.4 = 11, ``second`` = 12; their dates and modification times as given."""

    def write(path):
        corrected = copy.deepcopy(IT_FORM)
        corrected["Показатели"][0][4] = 12
        a = path.with_name(first)
        b = path.with_name(second)
        form_writer(cluster="tiny-it", year=2025, submitted=first_date)(a)
        form_writer(corrected, cluster="tiny-it", year=2025, submitted=second_date)(b)
        os.utime(a, (first_time, first_time))
        os.utime(b, (second_time, second_time))

    return write


DAY = 1_767_000_000  # a time in late December 2025


@pytest.mark.parametrize(
    ("case", "first", "second", "dates", "times", "why"),
    [
        (
            "excel-copy-same-date-modified-later",
            "tiny-it_2025.xlsx",
            "tiny-it_2025 (1).xlsx",
            ("10.01.2026", "10.01.2026"),
            (DAY, DAY + 3600),
            "даты представления совпадают (10.01.2026), а он изменён позже",
        ),
        (
            "undated-v2-modified-later",
            "tiny-it_2025.xlsx",
            "tiny-it_2025_v2.xlsx",
            ("10.01.2026", None),
            (DAY, DAY + 60),
            "у одного из файлов нет даты представления, а он изменён позже",
        ),
        (
            "same-date-same-time-higher-version",
            "tiny-it_2025_v3.xlsx",
            "tiny-it_2025_v10.xlsx",
            ("10.01.2026", "10.01.2026"),
            (DAY, DAY),
            "даты представления совпадают (10.01.2026), а его имя называет более позднюю версию",
        ),
        (
            "later-date-wins-though-modified-earlier",
            "tiny-it_2025 (1).xlsx",
            "tiny-it_2025.xlsx",
            ("05.01.2026", "12.01.2026"),
            (DAY + 3600, DAY),
            "он представлен позже (12.01.2026 против 05.01.2026)",
        ),
    ],
)
def test_the_file_that_counts_and_the_one_set_aside_are_named(
    clean,  # noqa: F811
    tmp_path,
    capsys,
    case,
    first,
    second,
    dates,
    times,
    why,
):
    run = Run(clean, tmp_path, capsys, "placeholder.tmp", _two_files(first, second, *dates, *times))
    folder = run.path.parent
    aside, counted = str(folder / first), str(folder / second)
    assert run.log.loc[counted, "status"] == "read" and run.log.loc[aside, "status"] == "superseded"
    assert _fact(run) == [12.0]
    message = run.log.loc[aside, "message"]
    assert f"учитывается {second}, а не этот файл: {why}" in message
    assert f"учитывается этот файл; отложен(ы): {first}" in run.log.loc[counted, "message"]
    notes = [line for line in run.out.splitlines() if line.startswith("замечание: ")]
    assert sum(first in line and second in line for line in notes) == 2
    from analysis.site.validation_page import render_validation_page

    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", render_validation_page(tmp_path / "processed")))
    assert f"учтён файл {second}: {why}" in page


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("tiny-it_2025.xlsx", 0),
        ("tiny-it_2025 (1).xlsx", 1),
        ("tiny-it_2025 (2).xlsx", 2),
        ("tiny-it_2025_v2.xlsx", 2),
        ("tiny-it_2025_V3.xlsx", 3),
        ("tiny-it_2025 - копия.xlsx", 1),
    ],
)
def test_a_name_s_version(name, number):
    assert version_number(name) == number
