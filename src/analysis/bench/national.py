"""Benchmark of a build at national size, on the national demonstration (``demo --national``).

With the data prepared once (not timed; ``national_prepare_seconds`` says how long it took):

- ``national_build_seconds`` — ``python -m analysis build --force --no-prepare`` on the local pool
  (every report: cluster-years, regions, the national reports), with ``national_build_cpu_seconds``
  (the build and every process it ran) and ``report_cpu_seconds`` — that CPU time per report;
- ``national_dask_build_seconds`` — the same cold build on a dask cluster (a ``dask scheduler``
  and two one-thread ``dask worker`` processes on the loopback, started as separate processes;
  their start is not timed) into another folder, with ``national_dask_vs_local`` the ratio and
  ``national_dask_identical`` (1: every report's page and downloads are the local build's bytes);
- ``national_noop_seconds`` — the same build again: nothing changed (best of three);
- ``national_one_cluster_seconds`` — after one cluster's submission changed (ingestion included),
  with ``national_one_cluster_reports_rerun``;
- ``report_floor_seconds`` — the CPU time per report of the same tables and charts rendered
  without notebook machinery (``analysis.bench.floor``), on a sample of the reports, with
  ``report_floor_wall_seconds`` and the CPU per report of each kind.

Every build is the command a user runs, timed as a whole process.
"""

from __future__ import annotations

import resource
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from analysis import settings
from analysis.bench.build import _build, _touch_submission

AS_OF = "2026-01-21"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _sample(manifest: dict, root: Path, per_kind: int = 6) -> list[tuple[str, dict]]:
    """Up to ``per_kind`` reports of each kind, as (notebook, parameters) for the floor."""
    notebooks = {
        "cluster": settings.notebooks_dir() / "cluster_report.ipynb",
        "region": settings.notebooks_dir() / "region_report.ipynb",
        "national": settings.notebooks_dir() / "national_report.ipynb",
    }
    common = {"data_dir": str(root / "processed"), "as_of": AS_OF, "deadline": "01-20"}
    chosen: dict[str, list] = {kind: [] for kind in notebooks}
    for entry in manifest["reports"]:
        kind = entry["kind"]
        if len(chosen[kind]) >= per_kind:
            continue
        if kind == "cluster":
            who = {"cluster": entry["cluster_id"]}
        elif kind == "region":
            who = {"region": entry["region_code"]}
        else:
            who = {}
        downloads = str(root / "floor" / entry["key"])
        chosen[kind].append(
            (str(notebooks[kind]), {**who, "year": entry["year"], **common, "downloads": downloads})
        )
    return [job for jobs in chosen.values() for job in jobs]


def _dask_national(root: Path, manifest: dict) -> dict[str, object]:
    """The cold build again on a dask cluster of two worker processes, into another folder: its
    time, and whether every report's page and downloads are byte for byte the local build's."""
    from analysis.bench.build import _dask_build

    out = root / "dask"
    seconds, remote = _dask_build(root, 2, out=out)
    built = [e["key"] for e in manifest["reports"] if e["status"] == "built"]
    differ = []
    for key in built:
        for suffix in (".html", ".xlsx", ".zip"):
            here, there = root / "reports" / "html" / f"{key}{suffix}", out / "html" / f"{key}{suffix}"
            if here.exists() != there.exists() or (here.exists() and here.read_bytes() != there.read_bytes()):
                differ.append(f"{key}{suffix}")
    same = sorted(built) == sorted(e["key"] for e in remote["reports"] if e["status"] == "built")
    shutil.rmtree(out, ignore_errors=True)
    return {
        "national_dask_build_seconds": round(seconds, 2),
        "national_dask_reports": len(remote["reports"]),
        "national_dask_identical": int(same and not differ and bool(built)),
        **({"national_dask_differ": " ".join(differ[:20])} if differ else {}),
    }


def run_national_benchmark(
    n_clusters: int = 400,
    n_regions: int = 80,
    seed: int = 0,
    progress: Callable[[str], None] = lambda m: None,
) -> dict[str, object]:
    """Figures as an ordered ``{name: value}``; see the module docstring."""
    from analysis.bench.floor import floor_seconds
    from analysis.demo.national import write_national_demo
    from analysis.site.executor import warm_up
    from analysis.sources.plan import read_plan_file
    from analysis.tables import TABLES

    with tempfile.TemporaryDirectory(prefix="bench-national-") as folder:
        root = Path(folder)
        raw = root / "raw"
        (raw / "plans").mkdir(parents=True)
        shutil.copy(settings.raw_dir() / "clusters.csv", raw / "clusters.csv")
        seed_plan = settings.raw_dir() / "plans" / "samara-law.csv"
        shutil.copy(seed_plan, raw / "plans" / "samara-law.csv")
        progress(f"writing the national demonstration: {n_clusters} clusters in {n_regions} regions")
        write_national_demo(raw, read_plan_file(seed_plan), n_clusters, n_regions, seed)
        progress("preparing the data and one report (not timed as the build)")
        prepared, _ = _build(root, "--cluster", "samara-law", "--year", "2024")
        progress("the national cold build")
        cpu = _children_cpu()
        cold, manifest = _build(root, "--force", "--no-prepare")
        cold_cpu = _children_cpu() - cpu
        reports = len(manifest["reports"])
        progress("the same cold build on a dask cluster (a scheduler and two workers)")
        dask = _dask_national(root, manifest)
        dask["national_dask_vs_local"] = round(dask["national_dask_build_seconds"] / cold, 2)
        progress("the national no-op build")
        noop = min(_build(root)[0] for _ in range(3))
        progress("one cluster's submission changes")
        submission = sorted((raw / "submissions").glob("nat-*_2025.xlsx"))[0]
        _touch_submission(submission)
        one, after = _build(root)
        rerun = sorted(e["key"] for e in after["reports"] if e["status"] == "built")
        progress("the same reports without notebook machinery (a sample)")
        processed = root / "processed"
        warm_up(processed, [*TABLES, "staffing", "staffing_by_programme", "fact_checks", "target_checks"])
        sample = _sample(manifest, root)
        floor_cpu, floor_wall = floor_seconds(sample)
        by_kind = {
            kind: floor_seconds([job for job in sample if Path(job[0]).stem == f"{kind}_report"])[0]
            for kind in ("cluster", "region", "national")
        }
        kinds = {
            k: sum(1 for e in manifest["reports"] if e["kind"] == k)
            for k in ("cluster", "region", "national")
        }
    return {
        "national_clusters": n_clusters,
        "national_regions": n_regions,
        "national_reports": reports,
        "national_reports_by_kind": " ".join(f"{k}={v}" for k, v in kinds.items()),
        "national_prepare_seconds": round(prepared, 2),
        "national_build_seconds": round(cold, 2),
        "national_build_cpu_seconds": round(cold_cpu, 2),
        "report_cpu_seconds": round(cold_cpu / reports, 3),
        "national_noop_seconds": round(noop, 3),
        **dask,
        "national_one_cluster_seconds": round(one, 2),
        "national_one_cluster_reports_rerun": len(rerun),
        "national_one_cluster_rerun": " ".join(rerun),
        "report_floor_seconds": round(floor_cpu, 3),
        "report_floor_wall_seconds": round(floor_wall, 3),
        "report_floor_sample": len(sample),
        **{f"report_floor_{kind}_seconds": round(v, 3) for kind, v in by_kind.items()},
    }
