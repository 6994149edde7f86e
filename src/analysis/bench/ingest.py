"""Benchmark of the ingest on a generated national-size region, against openpyxl reading.

``run_ingest_benchmark`` writes a region of ``n_clusters`` clusters × 3 years of filled-in forms
(``analysis.demo.national``; not timed) and ingests it twice, each time in a fresh Python process
so that every import is paid as a real ``python -m analysis ingest`` pays it:

- ``ingest_600_seconds`` — the ingest as the build runs it: python-calamine behind the
  structural checks, files read in worker processes while the plans are read and
  great-expectations is imported;
- ``ingest_600_baseline_seconds`` — the same ingest reading every file in the build's own
  process with openpyxl (read-only, cached values), as it did before.

Both write their processed tables; the benchmark checks that they agree
(``ingest_results_match``). It also times reading alone (``read_600_seconds`` against
``read_600_baseline_seconds``) and reports the peak memory of each run's own process. Data
Docs are not written. The names keep "600" (the region's size by default) whatever the size.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

import pandas as pd

from analysis.demo.national import YEARS, write_national_region
from analysis.settings import raw_dir as project_raw_dir
from analysis.sources.plan import read_plan_file

logger = logging.getLogger(__name__)

AS_OF = date(YEARS[-1] + 1, 2, 1)  # after every generated submission date
SEED_PLAN = "plans/samara-law.csv"
COMPARED = ("facts", "teachers", "pairs", "enrolment", "rejects", "validation")

# Run in a fresh interpreter: one ingest, its wall time and peak memory as JSON on stdout.
_CHILD = """
import json, resource, sys, time
started = time.perf_counter()
from datetime import date
from analysis.site.prepare import prepare
from analysis.sources.xlsx import Limits
raw, processed, engine, workers, as_of = sys.argv[1:6]
result = prepare(raw, processed, demo_key=True, as_of=date.fromisoformat(as_of),
                 limits=Limits(engine=engine, workers=int(workers)))
print(json.dumps({
    "seconds": time.perf_counter() - started,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "files": result.files, "rows": result.rows_read, "accepted": result.rows_accepted,
}))
"""


def _timed_ingest(raw: Path, processed: Path, engine: str, workers: int) -> dict:
    command = [
        sys.executable,
        "-c",
        _CHILD,
        str(raw),
        str(processed),
        engine,
        str(workers),
        AS_OF.isoformat(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the timed ingest failed: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _timed_read(raw: Path, engine: str, workers: int) -> float:
    from analysis.ingest.workers import read_all
    from analysis.sources.workbook import find_submissions, read_submission
    from analysis.sources.xlsx import Limits

    limits = Limits(engine=engine, workers=workers)
    paths = find_submissions(raw / "submissions")
    started = time.perf_counter()
    read_all(paths, partial(read_submission, limits=limits), limits.seconds, limits.workers)
    return time.perf_counter() - started


def _same_tables(first: Path, second: Path) -> bool:
    for name in COMPARED:
        a, b = pd.read_parquet(first / f"{name}.parquet"), pd.read_parquet(second / f"{name}.parquet")
        try:
            pd.testing.assert_frame_equal(a, b, check_dtype=False)
        except AssertionError as exc:
            logger.warning("the %s tables differ: %s", name, str(exc).splitlines()[0])
            return False
    return True


def run_ingest_benchmark(
    n_clusters: int = 200, seed: int = 0, progress: Callable[[str], None] | None = None
) -> dict[str, float]:
    """Generate the region, time both ingests and the reading alone; return ``{name: value}``."""
    say = progress or (lambda message: None)
    with tempfile.TemporaryDirectory(prefix="analysis-bench-ingest-") as folder:
        raw = Path(folder) / "raw"
        say(f"writing {n_clusters} clusters × {len(YEARS)} years of forms")
        forms = write_national_region(
            raw, read_plan_file(project_raw_dir() / SEED_PLAN), n_clusters, YEARS, seed
        )
        say("ingest: calamine in worker processes")
        new = _timed_ingest(raw, Path(folder) / "new", "calamine", 2)
        say("ingest: baseline, openpyxl in one process")
        old = _timed_ingest(raw, Path(folder) / "old", "openpyxl", 0)
        say("reading alone, both ways")
        read_new = _timed_read(raw, "calamine", 2)
        read_old = _timed_read(raw, "openpyxl", 0)
        match = _same_tables(Path(folder) / "new", Path(folder) / "old") and new["rows"] == old["rows"]
    return {
        "ingest_600_files": len(forms),
        "ingest_600_rows": new["rows"],
        "ingest_600_seconds": round(new["seconds"], 2),
        "ingest_600_baseline_seconds": round(old["seconds"], 2),
        "ingest_600_speedup": round(old["seconds"] / new["seconds"], 2),
        "ingest_600_peak_mb": round(new["peak_mb"]),
        "ingest_600_baseline_peak_mb": round(old["peak_mb"]),
        "read_600_seconds": round(read_new, 2),
        "read_600_baseline_seconds": round(read_old, 2),
        "ingest_results_match": int(match),
    }
