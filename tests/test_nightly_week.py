"""A scripted week of nightly runs on the demonstration region, each started as the README's
crontab line starts it (a shell, a log file per run): day 1 a build; day 2 nothing new; day 3 one
fact edited; day 4 a new submission and a rejected one; day 5 the 2026 deadline passes.

The region is cut to the three clusters the week needs (``WEEK_CLUSTERS``): demo-chem, whose
forms change, demo-agro, whose name a misdirected form carries, and samara-law, which nothing
touches and which has a planted rejected row. Each night then runs 12 reports at most, not 24:
the other four clusters would only be more reports of the kind samara-law already is."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from conftest import ROOT

DAYS = ["2027-01-16", "2027-01-17", "2027-01-18", "2027-01-19", "2027-01-21"]
WEEK_CLUSTERS = ("samara-law", "demo-chem", "demo-agro")


def keep_only(raw: Path, clusters: tuple[str, ...]) -> None:
    """Leave the demonstration region with ``clusters``: the others' registry and participant
    rows, plans and submissions removed."""
    for name in ("clusters-demo.csv", "participants-demo.csv"):
        lines = (raw / name).read_text(encoding="utf-8").splitlines(keepends=True)
        rows = [line for line in lines[1:] if line.split(",", 1)[0] in clusters]
        assert rows, name
        (raw / name).write_text("".join([lines[0], *rows]), encoding="utf-8")
    for path in [
        *raw.glob("plans/demo-*.csv"),
        *raw.glob("plans/federal/demo-*.csv"),
        *raw.glob("submissions/*"),
    ]:
        if path.name.removesuffix(".csv").split("_")[0] not in clusters:
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def night(root: Path, day: str) -> str:
    """One night as cron runs it; returns that night's log."""
    before = set((root / "logs").glob("*.log")) if (root / "logs").exists() else set()
    command = (
        f"mkdir -p logs && {sys.executable} -m analysis build --raw raw --processed processed --out reports "
        f'--demo --as-of {day} >> "logs/build-$(date +%F-%H%M%S).log" 2>&1'
    )
    subprocess.run(["sh", "-c", command], cwd=root, check=False, timeout=1200)
    new = set((root / "logs").glob("*.log")) - before
    assert len(new) == 1, new  # a file of its own, beside every earlier night's
    log = new.pop()
    # the next night starts in another second than this one did: another log file
    named = datetime.strptime(log.name, "build-%Y-%m-%d-%H%M%S.log")
    while datetime.now() < named + timedelta(seconds=1):
        time.sleep(0.05)
    return log.read_text(encoding="utf-8")


def manifest(root: Path) -> dict:
    return json.loads((root / "reports" / "build.json").read_text(encoding="utf-8"))


def built(root: Path) -> set[str]:
    return {e["key"] for e in manifest(root)["reports"] if e["status"] == "built"}


def feed_entries(root: Path) -> int:
    return (root / "reports" / "changes.xml").read_text(encoding="utf-8").count("<entry>")


def page(root: Path) -> str:
    html = (root / "reports" / "changes.html").read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def set_date(path: Path, day: str, cluster: str | None = None) -> None:
    """Change a form's «Дата представления» (and its «Кластер», when given)."""
    from openpyxl import load_workbook

    from analysis.sources import forms

    book = load_workbook(path)
    for row in book[forms.META.title].iter_rows():
        if row[0].value == "Дата представления":
            row[1].value = day
        if cluster and row[0].value == "Кластер":
            row[1].value = cluster
    book.save(path)


def test_a_week_of_nightly_runs(tmp_path):
    from analysis.bench.build import _touch_submission
    from analysis.cli import main

    root = tmp_path
    raw = root / "raw"
    (raw / "plans").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "raw" / "clusters.csv", raw / "clusters.csv")
    shutil.copy(ROOT / "data" / "raw" / "plans" / "samara-law.csv", raw / "plans" / "samara-law.csv")
    assert main(["demo", "--raw", str(raw), "--processed", str(root / "processed")]) == 0
    keep_only(raw, WEEK_CLUSTERS)
    forms = raw / "submissions"

    # Day 1: the first build.
    log = night(root, DAYS[0])
    first = manifest(root)
    keys = {e["key"]: e for e in first["reports"]}
    assert first["build"]["prepared"] and built(root) == set(keys)
    assert "changes: " in log and feed_entries(root) == 1
    rejected_before = log.count("file not loaded:") + log.count("rejected:")

    # Day 2: nothing new, no deadline: nothing ingested, nothing re-run, no new history.
    log = night(root, DAYS[1])
    assert not manifest(root)["build"]["prepared"] and built(root) == set()
    assert "changes: none since the last build; 0 report(s) re-run" in log
    assert feed_entries(root) == 1 and len(list((root / "history").glob("*.parquet"))) == 1

    # Day 3: one fact of demo-chem's 2025 form edited.
    _touch_submission(sorted(forms.glob("demo-chem_2025*.xlsx"))[0])
    log = night(root, DAYS[2])
    rerun = built(root)
    assert rerun and all("demo-chem" in k or "region" in k for k in rerun), rerun
    assert "63/demo-chem/2025" in rerun and not any(k.endswith("/2024") for k in rerun)
    assert "1 cell(s) changed status" in log or "1 value(s) changed" in log or "1 rate(s) moved" in log, log
    assert "rejected:" not in log and "file not loaded:" not in log  # old rejections: counted, not repeated
    if rejected_before:
        assert "rejection(s) reported by an earlier build still stand" in log
    assert feed_entries(root) == 2 and "Химическ" in page(root)

    # Day 4: a corrected form (later, replacing the first) and a form naming another cluster.
    original = sorted(forms.glob("demo-chem_2025*.xlsx"))[0]
    shutil.copy(original, forms / "demo-chem_2025_v2.xlsx")
    set_date(forms / "demo-chem_2025_v2.xlsx", "18.01.2027")
    shutil.copy(original, forms / "demo-agro_2025_v9.xlsx")  # its «Сведения» say demo-chem
    log = night(root, DAYS[3])
    text = page(root)
    assert "demo-chem_2025_v2.xlsx" in text and "demo-agro_2025_v9.xlsx" in text and "отклонён" in text
    assert "1 rejected" in log and "demo-agro_2025_v9.xlsx" in log  # the new rejection, said once
    assert feed_entries(root) == 3

    # Day 5: the 2026 deadline (20.01.2027) has passed: exactly the 2026 reports re-run.
    log = night(root, DAYS[4])
    # ingested again (the national summaries hold each cluster-year's state), yet no table a
    # cluster or region report reads changed: only what the deadline decides re-runs
    assert manifest(root)["build"]["prepared"]
    assert built(root) == {k for k, e in keys.items() if e["year"] == 2026}
    assert "demo-agro_2025_v9.xlsx" not in log  # day 4's rejection is not repeated
    text = page(root)
    assert "ожидается отчёт" in text and "нет данных" in text  # cells past their deadline
    assert feed_entries(root) == 4
    logs = sorted((root / "logs").glob("*.log"))
    assert len(logs) == 5 and all(p.read_text(encoding="utf-8") for p in logs)
