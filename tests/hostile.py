"""A hostile raw-data folder and its published site, built once per test session by the real CLI.

Every text field a reader sees carries a payload — script tags, ``onerror``/``onload``
handlers, ``javascript:`` links, Markdown link syntax, a ``<style>`` that would hide the page,
entities that must not be decoded twice, template syntax. Each script payload calls
``alert("xss-<where>")`` so a test that sees one run can say which field let it through.

The four clusters of region 63 cover the four states of a cluster-year as of ``AS_OF``:
``evil-a`` on time, ``evil-b`` late (and demo-marked), ``calm-c`` reported through the facts CSV
without a date for 2024 and not yet due for 2025, ``calm-d`` missing.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from conftest import GOOD_FORM, write_form

AS_OF = "2025-03-01"  # after the 2024 deadline (20.01.2025), before 2025's
REGION = "63"
REGION_NAME = "Самарская область <style>body{display:none}</style>"

PAYLOADS = {
    "name_a": 'Кластер «А» <script>alert("xss-name")</script>',
    "college_a": '<img src=x onerror=alert("xss-college")>',
    "industry_a": '"><svg onload=alert("xss-industry")>',
    "name_b": 'Кластер [ссылка](javascript:alert("xss-md")) <b>жирный</b>',
    "college_b": 'javascript:alert("xss-js")',
    "industry_b": "AT&T &lt;i&gt; {{ 7*7 }} ${alert(1)}",
    # A 5,000-character word at its end: no page grows wider than the screen or the paper for it.
    "name_c": 'Кластер «В» 🦄 $\\x{y}$ </td></tr></table><script>alert("xss-break")</script> ' + "Щ" * 5000,
    "name_d": "@SUM(1+1) Кластер «Г» <a href=\"javascript:alert('xss-link')\">ссылка</a>",
    "programme": 'Экономика <script>alert("xss-programme")</script>',
    "indicator": 'Показатель <img src=x onerror=alert("xss-indicator")>',
    "group": "Результат мероприятий <iframe src=\"javascript:alert('xss-group')\"></iframe>",
    "org": '<img src=x onerror=alert("xss-org")>',
    "fact": '<script>alert("xss-fact")</script>',
    "formula": '=HYPERLINK("https://example.org","click")',
    # TeX to matplotlib, and glyphs its font lacks: drawn as plain text on the charts.
    "chart": "Результат мероприятий: затраты от $5 до $10 🦄 🚀",
}

# Texts a spreadsheet program would run as a formula (OWASP "CSV injection") or choke on: every
# download must keep them as the text they are.
FORMULAS = [
    '=HYPERLINK("https://example.org","click")',
    "=1+1",
    "=",
    "+7 (846) 000-00-00",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
    'a;=1+1,"=2+2"',
    "строка\n=3+3",
    "звонок \x07 и \x00 нуль",
]

# Characters that change how text looks without being seen: removed at ingest (a warning once
# per file), so pages show the industry as its letters read.
INVISIBLE_INDUSTRY = "Маши\u200bно\u00adстроение \u202eяинеортс\u202c"
INVISIBLE_SHOWN = "Машиностроение яинеортс"
# A file name as received, backslashes and all (nothing to do with folders here).
BACKSLASH_FILE = "x\\..\\evil.xlsx"

CLUSTERS = [
    # cluster_id, name, industry, base college, plan years
    ("evil-a", PAYLOADS["name_a"], PAYLOADS["industry_a"], PAYLOADS["college_a"], (2024,)),
    ("evil-b", PAYLOADS["name_b"], PAYLOADS["industry_b"], PAYLOADS["college_b"], (2024,)),
    ("calm-c", PAYLOADS["name_c"], INVISIBLE_INDUSTRY, "", (2024, 2025)),
    ("calm-d", PAYLOADS["name_d"], "Машиностроение", "ГБПОУ «Тест»", (2024,)),
]
STATES = {  # what each cluster-year is, as of AS_OF
    ("evil-a", 2024): "on_time",
    ("evil-b", 2024): "late",
    ("calm-c", 2024): "on_time",  # facts CSV, no date: on time by decision
    ("calm-c", 2025): "not_due",
    ("calm-d", 2024): "missing",
}


def plan_rows(years: tuple[int, ...], industry: str = "") -> list[list[str]]:
    """A plan of the given years; 1.6.1 names the cluster's own industry, as real plans do."""

    def values(*per_year: str) -> list[str]:
        return [per_year[i] if i < len(per_year) else per_year[-1] for i in range(len(years))]

    return [
        ["kind", "code", "programme_code", "title", *map(str, years)],
        ["section", "1", "", 'Мероприятия <script>alert("xss-section")</script>', *values("")],
        ["group", "1.1", "", PAYLOADS["group"], *values("")],
        ["indicator", "1.1.1", "", PAYLOADS["indicator"], *values("")],
        ["programme", "1.1.1", "38.02.01", PAYLOADS["programme"], *values("1")],
        ["programme", "1.1.1", "40.02.02", "Правоохранительная деятельность", *values("1")],
        ["indicator", "1.1.4", "", PAYLOADS["formula"], *values("9", "10")],
        ["group", "1.6", "", PAYLOADS["chart"], *values("")],
        [
            "indicator",
            "1.6.1",
            "",
            f"Привлечены преподаватели от работодателей {industry}".strip(),
            *values("да"),
        ],
    ]


def write_csv(path: Path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def make_raw(root: Path) -> Path:
    """Write the hostile raw folder under ``root``; return it."""
    raw = root / "raw"
    registry = [["cluster_id", "name", "region_code", "region_name", "industry", "base_college", "plan_file"]]
    participants = [["cluster_id", "organisation", "org_type"]]
    for cluster_id, name, industry, college, years in CLUSTERS:
        registry.append([cluster_id, name, REGION, REGION_NAME, industry, college, f"plans/{cluster_id}.csv"])
        write_csv(raw / "plans" / f"{cluster_id}.csv", plan_rows(years, industry))
        participants += [
            [cluster_id, "ГБПОУ «Колледж права»", "college"],
            [cluster_id, 'ПАО "Сбербанк"', "employer"],
            [cluster_id, "ООО «Юрконсалт»", "employer"],
            [cluster_id, PAYLOADS["org"], "employer"],
        ]
    write_csv(raw / "clusters.csv", registry)
    write_csv(raw / "participants.csv", participants)
    hostile = {
        **GOOD_FORM,
        "Показатели": [
            *GOOD_FORM["Показатели"],
            ["1.1.4", None, PAYLOADS["indicator"], "9", PAYLOADS["fact"]],
        ],
        "Преподаватели": [
            *GOOD_FORM["Преподаватели"],
            [
                "Кузнецов Олег Петрович",
                None,
                "<b>Неизвестная</b> организация",
                "совместитель",
                "38.02.01",
                36,
                None,
            ],
        ],
    }
    write_form(raw / "submissions" / "evil-a_2024.xlsx", hostile, cluster="evil-a", submitted="15.01.2025")
    write_form(raw / "submissions" / "evil-b_2024.xlsx", cluster="evil-b", submitted="01.02.2025", demo="да")
    # An earlier file of the same cluster-year: superseded by the later one, and the validation
    # page says which file counts.
    write_form(
        raw / "submissions" / "evil-b_2024_v0.xlsx", cluster="evil-b", submitted="10.01.2025", demo="да"
    )
    (raw / "submissions" / BACKSLASH_FILE).write_bytes(b"not a workbook")
    write_csv(
        raw / "facts" / "calm-c.csv",
        [
            ["cluster_id", "year", "indicator", "programme_code", "fact"],
            ["calm-c", "2024", "1.1.4", "", "10"],
            ["calm-c", "2024", "1.6.1", "", "да"],
        ],
    )
    return raw


def build(raw: Path, out_root: Path, *extra: str) -> subprocess.CompletedProcess:
    """``python -m analysis build`` on ``raw`` into ``out_root`` (processed/, reports/), as a user runs it."""
    environment = {**os.environ, "ANALYSIS_PSEUDONYM_KEY": "hostile-fixture-key"}
    command = [
        sys.executable,
        "-m",
        "analysis",
        "build",
        "--raw",
        str(raw),
        "--processed",
        str(out_root / "processed"),
        "--out",
        str(out_root / "reports"),
        "--as-of",
        AS_OF,
        "--jobs",
        "2",
        *(["--pdf"] if shutil.which("chromium") else []),
        *extra,
    ]
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=600)


_SITE: dict = {}


def build_log() -> str:
    """What the build of ``site()`` printed (stdout and stderr)."""
    site()
    return _SITE["log"]


def site() -> Path:
    """The hostile raw folder built once per test session: ``<root>/raw``, ``processed``,
    ``reports``."""
    if "root" not in _SITE:
        root = Path(tempfile.mkdtemp(prefix="hostile-site-"))
        raw = make_raw(root)
        done = build(raw, root)
        assert done.returncode == 0, f"build failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        _SITE["root"] = root
        _SITE["log"] = done.stdout + done.stderr
        import atexit

        atexit.register(shutil.rmtree, root, True)
    return _SITE["root"]


def pages(root: Path) -> list[Path]:
    """Every page the build published."""
    reports = root / "reports"
    assert (reports / "validation.html").exists() and not (reports / "data-docs").exists()
    found = []
    for folder, dirs, files in os.walk(reports, followlinks=True):  # html/ is a link into the version
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += [
            Path(folder) / name for name in files if name.endswith(".html") and not name.startswith(".")
        ]
    return sorted(found)
