"""The validation results page, from processed tables written by the test: every file's state
in Russian words, a file rejected whole counted as not read, places named in Russian."""

from __future__ import annotations

import re

import pandas as pd

from analysis.ingest.output import REJECT_COLUMNS, SUBMISSION_COLUMNS
from analysis.site.validation_page import render_validation_page
from analysis.tables import write_table


def visible(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_every_file_state_is_in_russian_and_a_file_rejected_whole_counts_as_not_read(tmp_path):
    folder = "/srv/data/raw/submissions"
    rows = [
        (f"{folder}/a_2025.xlsx", "read", "", 10, 9, 1),
        (f"{folder}/b_2025.xlsx", "rejected", f"{folder}/b_2025.xlsx, sheet 'Сведения', column 'Кластер': "
         "имя файла называет b 2025, а лист «Сведения» — c 2025: файл не загружен (value 'c')", 0, 0, 0),
        (f"{folder}/old.xls", "unreadable", f"{folder}/old.xls: старый формат .xls не читается", 0, 0, 0),
        (f"{folder}/~$a_2025.xlsx", "ignored", "файл блокировки Excel", 0, 0, 0),
    ]  # fmt: skip
    submissions = pd.DataFrame(
        [
            {
                "source_file": f,
                "status": s,
                "message": m,
                "rows_read": r,
                "rows_accepted": a,
                "rows_rejected": j,
            }
            for f, s, m, r, a, j in rows
        ],
        columns=SUBMISSION_COLUMNS,
    ).astype({"rows_read": "int64", "rows_accepted": "int64", "rows_rejected": "int64"})
    write_table(submissions, tmp_path, "submissions")
    write_table(pd.DataFrame(columns=REJECT_COLUMNS), tmp_path, "rejects")
    text = visible(render_validation_page(tmp_path))
    assert "отклонён целиком" in text and "не прочитан" in text and "не отчёт, пропущен" in text
    assert "лист «Сведения», столбец «Кластер»" in text and "(значение «c»)" in text
    assert "sheet '" not in text and "column '" not in text and "/srv/" not in text
    assert re.search(r"не прочитано: 2\b", text), text[:2000]
