"""Benchmark of the build against the naive papermill + nbconvert loop, in one run.

On a generated region (``analysis.demo.bench_region``: the demonstration region plus copies of
its demo clusters — at least 10 clusters × 3 years and their region reports), with the data
prepared once (not timed):

- ``build_baseline_seconds`` — the naive loop: per report the ``papermill`` command line, then
  ``jupyter nbconvert --to html --no-input``, one after another, on the same notebooks and
  parameters;
- ``build_cold_seconds`` — ``python -m analysis build --force --no-prepare`` (every report);
- ``build_noop_seconds`` — the same build again without ``--force``: nothing changed;
- ``nightly_noop_seconds`` — the build on each of the next days (``--as-of`` one day later, no
  new input, no deadline crossed; the best of three), with ``nightly_noop_reports_rerun`` and
  ``nightly_noop_ingestions`` (both 0 when only what the change needs is done);
- ``build_one_cluster_seconds`` — after one cluster's submission changed (ingestion included),
  with ``build_one_cluster_reports_rerun`` the reports it re-ran;
- ``build_cold_speedup`` and ``build_noop_speedup`` — baseline / ours;
- ``build_dask_seconds`` — the cold build's reports on a dask cluster started here (a
  ``dask scheduler`` and two one-thread ``dask worker`` processes on the loopback, as many as
  the local pool's default ``--jobs`` on this machine), with ``build_dask_vs_local`` the ratio.

Every build is the command a user runs, timed as a whole process (interpreter start included).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from analysis import settings

AS_OF = "2026-01-21"
# The nights after AS_OF, before the next reporting deadline (20.01.2027): nothing to redo.
NEXT_DAYS = ("2026-01-22", "2026-01-23", "2026-01-24")


def _run(command: list[str], cwd: Path | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True)
    return time.perf_counter() - started


def _build(root: Path, *more: str, as_of: str = AS_OF) -> tuple[float, dict]:
    command = [
        sys.executable,
        "-m",
        "analysis",
        "build",
        "--raw",
        str(root / "raw"),
        "--processed",
        str(root / "processed"),
        "--out",
        str(root / "reports"),
        "--as-of",
        as_of,
        "--demo",
        *more,
    ]
    seconds = _run(command)
    return seconds, json.loads((root / "reports" / "build.json").read_text(encoding="utf-8"))


def _baseline(root: Path, manifest: dict, limit: int | None) -> tuple[float, int]:
    """The naive loop over the same reports: papermill CLI, then nbconvert CLI, per report."""
    bin_dir = Path(sys.executable).parent
    out = root / "baseline"
    reports = manifest["reports"][:limit] if limit else manifest["reports"]
    notebooks = {"cluster": settings.notebooks_dir() / "cluster_report.ipynb"}
    notebooks["region"] = settings.notebooks_dir() / "region_report.ipynb"
    started = time.perf_counter()
    for entry in reports:
        executed = out / f"{entry['key'].replace('/', '_')}.ipynb"
        executed.parent.mkdir(parents=True, exist_ok=True)
        who = ["-p", "cluster", entry["cluster_id"]] if entry["kind"] == "cluster" else []
        who = who or ["-p", "region", entry["region_code"]]
        parameters = [*who, "-p", "year", str(entry["year"]), "-p", "data_dir", str(root / "processed")]
        parameters += ["-p", "as_of", AS_OF, "-p", "deadline", "01-20"]
        notebook = str(notebooks[entry["kind"]])
        kernel = ["-k", "professionalitet", "--cwd", str(settings.notebooks_dir())]
        _run([str(bin_dir / "papermill"), notebook, str(executed), *parameters, *kernel])
        _run([str(bin_dir / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)])
    return time.perf_counter() - started, len(reports)


def run_build_benchmark(
    copies: int = 1, baseline_limit: int | None = None, progress: Callable[[str], None] = lambda m: None
) -> dict[str, object]:
    """Figures as an ordered ``{name: value}``; see the module docstring. ``baseline_limit``
    times the naive loop on the first N reports only and scales it to all (for quick runs)."""
    from analysis.demo.bench_region import copy_id, write_bench_region

    with tempfile.TemporaryDirectory(prefix="bench-build-") as folder:
        root = Path(folder)
        raw = root / "raw"
        (raw / "plans").mkdir(parents=True)
        shutil.copy(settings.raw_dir() / "clusters.csv", raw / "clusters.csv")
        shutil.copy(settings.raw_dir() / "plans" / "samara-law.csv", raw / "plans" / "samara-law.csv")
        progress("writing the generated region")
        clusters = write_bench_region(raw, copies)
        progress("preparing the data and one report (not timed)")
        _build(root, "--cluster", "samara-law", "--year", "2024")
        progress("our cold build")
        cold, manifest = _build(root, "--force", "--no-prepare")
        reports = len(manifest["reports"])
        progress("our no-op build")
        noop, _ = _build(root)
        noop_best = min(noop, *(_build(root)[0] for _ in range(2)))
        progress("the next nights: no new input, no deadline crossed")
        nights = [_build(root, as_of=day) for day in NEXT_DAYS]
        nightly = min(seconds for seconds, _ in nights)
        nightly_rerun = sum(e["status"] == "built" for _, m in nights for e in m["reports"])
        nightly_ingested = sum(bool(m["build"]["prepared"]) for _, m in nights)
        progress("one cluster's submission changes")
        changed = copy_id("demo-chem", 1) if copies else "demo-chem"
        submission = sorted((raw / "submissions").glob(f"{changed}_2025.xlsx"))[0]
        _touch_submission(submission)
        one, after = _build(root)
        rerun = sorted(e["key"] for e in after["reports"] if e["status"] == "built")
        progress("the same reports on a dask cluster")
        dask, _ = _dask_build(root)
        progress(f"the naive papermill + nbconvert loop over {baseline_limit or reports} report(s)")
        baseline, timed = _baseline(root, manifest, baseline_limit)
        baseline_all = baseline * reports / timed
    return {
        "build_clusters": len(set(clusters)),
        "build_reports": reports,
        "build_baseline_reports_timed": timed,
        "build_baseline_seconds": round(baseline_all, 2),
        "build_cold_seconds": round(cold, 2),
        "build_noop_seconds": round(noop_best, 3),
        "nightly_noop_seconds": round(nightly, 3),
        "nightly_noop_reports_rerun": nightly_rerun,
        "nightly_noop_ingestions": nightly_ingested,
        "build_one_cluster_seconds": round(one, 2),
        "build_one_cluster_reports_rerun": len(rerun),
        "build_one_cluster_rerun": " ".join(rerun),
        "build_dask_seconds": round(dask, 2),
        "build_dask_vs_local": round(dask / cold, 2),
        "build_cold_speedup": round(baseline_all / cold, 1),
        "build_noop_speedup": round(baseline_all / noop_best, 1),
    }


def _dask_build(root: Path, workers: int = 2, *more: str, out: Path | None = None) -> tuple[float, dict]:
    """``build --force --no-prepare --executor dask`` (and ``more``; into ``out`` instead of the
    root's site) against a scheduler and ``workers`` one-thread workers started here (their
    start is not timed); its seconds and manifest."""
    dask = str(Path(sys.executable).with_name("dask"))
    file = root / "scheduler.json"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    processes = [
        subprocess.Popen(
            [
                dask,
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(file),
            ],
            **quiet,
        )
    ]
    try:
        while not (file.exists() and file.read_text().strip()):
            time.sleep(0.1)
        address = json.loads(file.read_text())["address"]
        for n in range(workers):
            command = [dask, "worker", "--scheduler-file", str(file), "--nthreads", "1", "--no-nanny"]
            processes.append(
                subprocess.Popen(
                    [*command, "--no-dashboard", "--host", "127.0.0.1", "--name", f"w{n}"], **quiet
                )
            )
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(workers, timeout=120)
        where = ("--out", str(out)) if out is not None else ()
        seconds, manifest = _build(
            root, "--force", "--no-prepare", "--executor", "dask", "--scheduler", address, *more, *where
        )
        if out is not None:
            manifest = json.loads((out / "build.json").read_text(encoding="utf-8"))
        failed = [e["key"] for e in manifest["reports"] if e["status"] == "failed"]
        if failed:
            raise RuntimeError(f"reports failed on dask: {failed}")
        return seconds, manifest
    finally:
        stop_cluster(processes)


def stop_cluster(processes: list[subprocess.Popen]) -> None:
    """End a dask scheduler (``processes[0]``) and its workers (the rest): the workers first,
    the scheduler once they are gone. A worker closing while its scheduler is already gone waits
    out the connect timeout (30 s) before it exits."""
    for group in (processes[1:], processes[:1]):
        for process in group:
            process.terminate()  # nothing, for a process already reaped
        for process in group:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _touch_submission(path: Path) -> None:
    """Change one fact of a submission, as a corrected file re-sent by a cluster would."""
    from openpyxl import load_workbook

    from analysis.sources import forms

    workbook = load_workbook(path)
    sheet = workbook[forms.INDICATORS.title]
    rows = sheet.iter_rows()
    fact = [c.value for c in next(rows)].index("Факт")
    for row in rows:
        value = row[fact].value
        if isinstance(value, int | float) and not isinstance(value, bool):
            row[fact].value = value + 1
            break
        if isinstance(value, str) and value.strip().isdigit():
            row[fact].value = str(int(value) + 1)
            break
    else:
        raise ValueError(f"{path}: no numeric fact to change")
    workbook.save(path)
