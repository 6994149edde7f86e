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
    "name_c": 'Кластер «В» </td></tr></table><script>alert("xss-break")</script>',
    "name_d": "Кластер «Г» <a href=\"javascript:alert('xss-link')\">ссылка</a>",
    "programme": 'Экономика <script>alert("xss-programme")</script>',
    "indicator": 'Показатель <img src=x onerror=alert("xss-indicator")>',
    "group": "Результат мероприятий <iframe src=\"javascript:alert('xss-group')\"></iframe>",
    "org": '<img src=x onerror=alert("xss-org")>',
    "fact": '<script>alert("xss-fact")</script>',
}

CLUSTERS = [
    # cluster_id, name, industry, base college, plan years
    ("evil-a", PAYLOADS["name_a"], PAYLOADS["industry_a"], PAYLOADS["college_a"], (2024,)),
    ("evil-b", PAYLOADS["name_b"], PAYLOADS["industry_b"], PAYLOADS["college_b"], (2024,)),
    ("calm-c", PAYLOADS["name_c"], "Машиностроение", "", (2024, 2025)),
    ("calm-d", PAYLOADS["name_d"], "Машиностроение", "ГБПОУ «Тест»", (2024,)),
]
STATES = {  # what each cluster-year is, as of AS_OF
    ("evil-a", 2024): "on_time",
    ("evil-b", 2024): "late",
    ("calm-c", 2024): "on_time",  # facts CSV, no date: on time by decision
    ("calm-c", 2025): "not_due",
    ("calm-d", 2024): "missing",
}


def plan_rows(years: tuple[int, ...]) -> list[list[str]]:
    def values(*per_year: str) -> list[str]:
        return [per_year[i] if i < len(per_year) else per_year[-1] for i in range(len(years))]

    return [
        ["kind", "code", "programme_code", "title", *map(str, years)],
        ["section", "1", "", 'Мероприятия <script>alert("xss-section")</script>', *values("")],
        ["group", "1.1", "", PAYLOADS["group"], *values("")],
        ["indicator", "1.1.1", "", PAYLOADS["indicator"], *values("")],
        ["programme", "1.1.1", "38.02.01", PAYLOADS["programme"], *values("1")],
        ["programme", "1.1.1", "40.02.02", "Правоохранительная деятельность", *values("1")],
        ["indicator", "1.1.4", "", "Осуществлен запуск программ", *values("9", "10")],
        ["group", "1.6", "", "Результат мероприятий по включению работников", *values("")],
        ["indicator", "1.6.1", "", "Привлечены преподаватели от работодателей", *values("да")],
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
        write_csv(raw / "plans" / f"{cluster_id}.csv", plan_rows(years))
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
        *extra,
    ]
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=600)


_SITE: dict[str, Path] = {}


def site() -> Path:
    """The hostile raw folder built once per test session: ``<root>/raw``, ``processed``,
    ``reports``."""
    if "root" not in _SITE:
        root = Path(tempfile.mkdtemp(prefix="hostile-site-"))
        raw = make_raw(root)
        done = build(raw, root)
        assert done.returncode == 0, f"build failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        _SITE["root"] = root
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
