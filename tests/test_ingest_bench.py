"""The ingest benchmark and its generated region, on a few clusters."""

from __future__ import annotations

import argparse
import re

from analysis.commands import bench as bench_command
from analysis.demo.national import write_national_region
from analysis.sources.plan import read_plan_file
from analysis.sources.workbook import read_submission
from conftest import SEED_PLAN


def test_the_generated_region_is_deterministic_and_its_forms_are_read(tmp_path):
    seed_plan = read_plan_file(SEED_PLAN)
    first = write_national_region(tmp_path / "a", seed_plan, n_clusters=2, seed=5)
    again = write_national_region(tmp_path / "b", seed_plan, n_clusters=2, seed=5)
    assert [p.name for p in first] == [f"nat-00{c}_{y}.xlsx" for c in (1, 2) for y in (2024, 2025, 2026)]
    assert len(first) == len(again) == 6
    for path, other in zip(first, again, strict=True):
        a, b = read_submission(path), read_submission(other)
        assert (a.cluster_id, a.year, a.submitted_on) == (b.cluster_id, b.year, b.submitted_on)
        assert {t: s.records for t, s in a.sheets.items()} == {t: s.records for t, s in b.sheets.items()}
    form = read_submission(first[0])
    assert (form.cluster_id, form.year, form.demo) == ("nat-001", 2024, True)
    rows = {title: len(sheet.records) for title, sheet in form.sheets.items()}
    assert rows["Показатели"] > 10 and rows["Преподаватели"] > 5 and rows["Набор"] >= 3


def test_bench_command_prints_the_ingest_figures_against_the_baseline(capsys):
    parser = argparse.ArgumentParser()
    bench_command.add_parser(parser.add_subparsers())
    args = parser.parse_args(["bench", "--only", "ingest", "--ingest-clusters", "2"])
    assert args.func(args) == 0
    out = capsys.readouterr()
    figures = dict(line.split(": ") for line in out.out.strip().splitlines())
    assert all(re.fullmatch(r"[a-z0-9_]+", name) for name in figures)
    assert figures["ingest_600_files"] == "6" and figures["ingest_results_match"] == "1"
    assert int(figures["ingest_600_rows"]) > 200
    for name in (
        "ingest_600_seconds",
        "ingest_600_baseline_seconds",
        "ingest_600_speedup",
        "read_600_seconds",
    ):
        assert float(figures[name]) > 0
    assert "baseline, openpyxl" in out.err
