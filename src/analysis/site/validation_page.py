"""The validation results as a page of our own: Russian, self-contained, readable offline.

It replaces publishing great-expectations Data Docs, which fetch their scripts, styles and a logo
from CDNs and are an unstyled English page on a closed network. Rendered with Jinja2 (autoescape
on) from the processed tables:

- ``submissions`` — every input file, its state and its rows read / accepted / rejected;
- ``validation`` — one row per rule checked (``table, sheet, column, rule, expectation, success,
  rows_checked, rows_failed``; optional: without it the page says the rules were not recorded);
- ``rejects`` — every rejected row with its file, sheet, row, column, value (personal data already
  masked) and rule.

Reader text only: files by name, never by path; no table or command names.
"""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import pandas as pd

from analysis.reports.provenance import FILE_STATUS_RU, file_name
from analysis.tables import table_path

TEMPLATES = Path(__file__).resolve().parent / "templates"
VALIDATION_TABLE = "validation"

# The tidy tables as the collection form names them (its sheets).
TABLE_RU = {
    "facts": "Показатели",
    "teachers": "Преподаватели",
    "pairs": "Наставничество",
    "enrolment": "Набор",
}

# A path inside a message: folders, then a file name with an extension. Folders are separated
# by «/» only: a backslash is part of a file name where the build runs (``x\\..\\evil.xlsx``).
_PATH = re.compile(r"/?(?:[\w.\-~]+/)+([\w.\-]+\.[A-Za-z0-9]{1,5})\b")

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES / "validation"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


# Where a message places a problem (analysis.errors.Location), in the page's words.
_PLACES = [
    (re.compile(r"sheet '([^']*)'"), r"лист «\1»"),
    (re.compile(r"\brow (\d+)"), r"строка \1"),
    (re.compile(r"column '([^']*)'"), r"столбец «\1»"),
    (re.compile(r"\(value '([^']*)'\)"), r"(значение «\1»)"),
]
NOT_READ = ("unreadable", "rejected")  # files nothing was loaded from


def names_only(text: str, paths: list[str] = ()) -> str:
    """``text`` with every file path in it reduced to the file's name, and its place (sheet, row,
    column, value) in Russian."""
    for path in sorted({p for p in paths if isinstance(p, str) and p}, key=len, reverse=True):
        text = text.replace(path, file_name(path))
    text = _PATH.sub(lambda m: m.group(1), text)
    for pattern, words in _PLACES:
        text = pattern.sub(words, text)
    return text


def _read(processed_dir: Path, name: str) -> pd.DataFrame | None:
    path = table_path(processed_dir, name)
    return pd.read_parquet(path) if path.exists() else None


def _int(value) -> int | str:
    return "—" if value is None or pd.isna(value) else int(value)


def _files(submissions: pd.DataFrame) -> list[dict]:
    paths = list(submissions["source_file"])
    # The file that counts for a cluster-year: the one read (a superseded file names it).
    counted = {
        (r.cluster_id, r.year): r.source_file
        for r in submissions[submissions["status"] == "read"].itertuples(index=False)
    }
    rows = []
    for s in submissions.sort_values(["source_file"], kind="stable").itertuples(index=False):
        reason = ""
        if s.status == "superseded":
            said = re.search(r"учитывается (.+?), а не этот файл: ([^;]+)", s.message or "")
            later = counted.get((s.cluster_id, s.year))
            if said:
                reason = f"учтён файл {file_name(said.group(1))}: {said.group(2)}"
            else:
                reason = f"учтён файл {file_name(later)}" if later else names_only(s.message or "", paths)
        elif s.status != "read":
            reason = names_only(s.message or "", paths)
        rows.append(
            {
                "file": file_name(s.source_file),
                "cluster": s.cluster_id if isinstance(s.cluster_id, str) else "—",
                "year": _int(s.year),
                "received": "—" if pd.isna(s.submitted_on) else f"{pd.Timestamp(s.submitted_on):%d.%m.%Y}",
                "status": FILE_STATUS_RU.get(s.status, s.status),
                "reason": reason,
                "failed": s.status in NOT_READ or bool(s.rows_rejected),
                "rows_read": _int(s.rows_read),
                "rows_accepted": _int(s.rows_accepted),
                "rows_rejected": _int(s.rows_rejected),
            }
        )
    return rows


def _rules(validation: pd.DataFrame | None) -> list[dict] | None:
    if validation is None:
        return None
    ordered = validation.assign(order=range(len(validation))).sort_values(["success", "order"], kind="stable")
    return [
        {
            "table": TABLE_RU.get(r.table, r.table),
            "sheet": r.sheet if isinstance(r.sheet, str) else "",
            "column": r.column if isinstance(r.column, str) else "",
            "rule": names_only(str(r.rule)),
            "success": bool(r.success),
            "rows_checked": _int(r.rows_checked),
            "rows_failed": _int(r.rows_failed),
        }
        for r in ordered.itertuples(index=False)
    ]


def _rejects(rejects: pd.DataFrame) -> list[dict]:
    ordered = rejects.sort_values(["source_file", "sheet", "source_row"], kind="stable")
    return [
        {
            "file": file_name(r.source_file),
            "sheet": r.sheet if isinstance(r.sheet, str) else "",
            "row": _int(r.source_row),
            "column": r.column if isinstance(r.column, str) else "",
            "value": ""
            if r.value is None or (not isinstance(r.value, str) and pd.isna(r.value))
            else str(r.value),
            "rule": names_only(str(r.rule)),
        }
        for r in ordered.itertuples(index=False)
    ]


def render_validation_page(processed_dir: str | Path) -> str:
    """The validation results page (HTML text) from the processed tables in ``processed_dir``."""
    processed_dir = Path(processed_dir)
    submissions = _read(processed_dir, "submissions")
    rejects = _read(processed_dir, "rejects")
    if submissions is None or rejects is None:
        missing = [n for n, t in (("submissions", submissions), ("rejects", rejects)) if t is None]
        raise FileNotFoundError(f"{processed_dir}: no {', '.join(missing)} table; build the data first")
    validation = _read(processed_dir, VALIDATION_TABLE)
    rules = _rules(validation)
    read = submissions[submissions["status"] == "read"]
    return _ENV.get_template("page.html.j2").render(
        files=_files(submissions),
        unread=int(submissions["status"].isin(NOT_READ).sum()),
        superseded=int((submissions["status"] == "superseded").sum()),
        rows_read=int(read["rows_read"].sum()),
        rows_accepted=int(read["rows_accepted"].sum()),
        rows_rejected=int(read["rows_rejected"].sum()),
        rules=rules,
        rules_failed=sum(1 for r in rules or [] if not r["success"]),
        rejects=_rejects(rejects),
    )
