"""The synthetic roster generator and the staffing benchmark, on small sizes."""

from __future__ import annotations

import argparse
import re

import pandas as pd

from analysis import tables
from analysis.bench.staffing import run_benchmark
from analysis.cli import COMMAND_MODULES
from analysis.commands import bench as bench_command
from analysis.demo.synthetic import synthetic_rosters
from analysis.metrics import staffing
from analysis.sources.plan import FAMILY_FEDERAL, TIDY_COLUMNS

SMALL = dict(n_clusters=12, roster_rows=1_500, pair_rows=400)


def test_synthetic_rosters_are_deterministic_and_sized():
    first = synthetic_rosters(**SMALL, seed=3)
    again = synthetic_rosters(**SMALL, seed=3)
    other = synthetic_rosters(**SMALL, seed=4)
    for name in ("organisations", "teachers", "pairs", "enrolment", "facts", "federal_plan"):
        pd.testing.assert_frame_equal(getattr(first, name), getattr(again, name))
    assert not first.teachers.equals(other.teachers)
    assert len(first.teachers) == SMALL["roster_rows"]
    assert len(first.pairs) == SMALL["pair_rows"]
    assert first.organisations["cluster_id"].nunique() == SMALL["n_clusters"]
    assert list(first.teachers.columns) == tables.TEACHER_COLUMNS
    assert list(first.pairs.columns) == tables.PAIR_COLUMNS
    assert not first.teachers.duplicated(["cluster_id", "year", "person_id", "programme_code"]).any()
    assert set(first.teachers["employment"]) == {"staff", "part_time"}
    assert list(first.federal_plan.columns) == TIDY_COLUMNS
    assert set(first.federal_plan["family"]) == {FAMILY_FEDERAL}
    assert set(first.federal_plan["indicator"]) == set(staffing.FEDERAL_CODES.values())


def test_benchmark_times_metrics_and_agrees_with_the_baseline():
    figures = run_benchmark(n_clusters=10, roster_rows=1_000, pair_rows=300, repeat=1)
    assert figures["staffing_results_match"] == 1
    assert figures["roster_rows"] == 1_000 and figures["pairs_rows"] == 300
    assert figures["staffing_metrics_seconds"] > 0
    assert figures["staffing_metrics_speedup"] > 0


def test_bench_command_prints_name_value_lines(capsys):
    assert "analysis.commands.bench" in COMMAND_MODULES
    # The command's own parser, so that other commands' modules do not matter here.
    parser = argparse.ArgumentParser()
    bench_command.add_parser(parser.add_subparsers())
    small = ["--clusters", "8", "--roster-rows", "800", "--pairs", "200", "--repeat", "1"]
    args = parser.parse_args(["bench", "--only", "staffing", *small])
    code = args.func(args)
    out = capsys.readouterr()
    assert code == 0
    lines = out.out.strip().splitlines()
    assert all(re.fullmatch(r"[a-z_]+: [0-9.e+-]+", line) for line in lines), lines
    names = {line.split(":")[0] for line in lines}
    assert {"staffing_metrics_seconds", "staffing_baseline_seconds", "staffing_metrics_speedup"} <= names
    assert "baseline" in out.err
