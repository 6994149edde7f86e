"""The build benchmark's region: the demonstration region plus copies of its demo clusters in
further regions, so a build has at least 10 clusters × 3 years and several region reports.

Each copy of a demo cluster ``demo-x`` is ``demo-x-r<k>`` in region ``REGIONS[k]``: its plan and
federal indicators copied, its participants copied, and each of its .xlsx submissions re-saved
under the new id with the «Сведения» sheet saying so (file name and sheet agree). Everything
stays marked as demonstration data.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from analysis.demo import DEFAULT_SEED
from analysis.demo.region import DEMO_PARTICIPANTS, DEMO_REGISTRY, write_demo_region
from analysis.sources import forms

REGIONS = {
    1: ("73", "Ульяновская область"),
    2: ("64", "Саратовская область"),
    3: ("58", "Пензенская область"),
}
BENCH_REGISTRY = "clusters-bench.csv"
BENCH_PARTICIPANTS = "participants-bench.csv"


def copy_id(cluster_id: str, copy: int) -> str:
    return f"{cluster_id}-r{copy}"


def _rows(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write_rows(path: Path, header: list[str], rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _copy_submission(source: Path, target: Path, cluster_id: str) -> None:
    from openpyxl import load_workbook

    workbook = load_workbook(source)
    meta = workbook[forms.META.title]
    for row in meta.iter_rows(min_row=2):
        if row[0].value == "Кластер":
            row[1].value = cluster_id
    workbook.save(target)


def write_bench_region(raw_dir: str | Path, copies: int = 1, seed: int = DEFAULT_SEED) -> list[str]:
    """Write the demo region and ``copies`` copies of its demo clusters; return every cluster id."""
    raw = Path(raw_dir)
    write_demo_region(raw, seed)
    header, clusters = _rows(raw / DEMO_REGISTRY)
    p_header, participants = _rows(raw / DEMO_PARTICIPANTS)
    new_clusters, new_participants = [], []
    for copy in range(1, copies + 1):
        code, region = REGIONS[copy]
        for row in clusters:
            old, new = row["cluster_id"], copy_id(row["cluster_id"], copy)
            new_clusters.append(
                {
                    **row,
                    "cluster_id": new,
                    "name": row["name"].replace("(Самарская область)", f"({region})"),
                    "region_code": code,
                    "region_name": region,
                    "plan_file": f"plans/{new}.csv",
                }
            )
            shutil.copy(raw / "plans" / f"{old}.csv", raw / "plans" / f"{new}.csv")
            federal = raw / "plans" / "federal" / f"{old}.csv"
            if federal.exists():
                shutil.copy(federal, raw / "plans" / "federal" / f"{new}.csv")
            new_participants += [{**p, "cluster_id": new} for p in participants if p["cluster_id"] == old]
            for submission in sorted((raw / "submissions").glob(f"{old}_*.xlsx")):
                year = submission.stem.rsplit("_", 1)[1]
                _copy_submission(submission, raw / "submissions" / f"{new}_{year}.xlsx", new)
    _write_rows(raw / BENCH_REGISTRY, header, new_clusters)
    _write_rows(raw / BENCH_PARTICIPANTS, p_header, new_participants)
    everything = [r["cluster_id"] for r in _rows(raw / "clusters.csv")[1]]
    return everything + [r["cluster_id"] for r in clusters] + [r["cluster_id"] for r in new_clusters]
