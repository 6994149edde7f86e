from __future__ import annotations

from datetime import date

from analysis.demo.seed import demo_facts
from analysis.metrics.fulfilment import cell_status
from analysis.sources.plan import load_plans
from analysis.sources.registry import load_registry
from conftest import ROOT


def seed_plan():
    return load_plans(load_registry(ROOT / "data" / "raw" / "clusters.csv"))


def test_demo_facts_are_deterministic_by_seed(tmp_path):
    plan = seed_plan()
    assert demo_facts(plan).to_csv() == demo_facts(plan).to_csv()
    assert demo_facts(plan, seed=4).to_csv() != demo_facts(plan).to_csv()


def test_demo_facts_show_every_status_in_both_years_and_are_labelled(tmp_path):
    plan = seed_plan()
    raw = demo_facts(plan)
    from analysis.sources.normalise import fact

    parsed = [fact(v) for v in raw["fact"]]
    facts = raw.assign(
        year=raw["year"].astype(int),
        fact_kind=[k for k, _ in parsed],
        fact_value=[v for _, v in parsed],
        fact_raw=raw["fact"],
        demo=raw["demo"] == "1",
    )
    assert facts["demo"].all()
    assert sorted(facts["year"].unique()) == [2024, 2025]
    statuses = cell_status(plan, facts, date(2026, 11, 26)).groupby("year")["status"].agg(set)
    for year in (2024, 2025):
        assert {"met", "partly_met", "not_met", "no_data", "beyond_plan"} <= statuses[year]
