"""The build: processed data → every report that changed → a new site, published atomically.

One build at a time (:mod:`.lock`). Step by step:

1. **Data.** The raw inputs and the code are digested; when they are what the processed tables
   were made from, ingestion is skipped, else it runs and rewrites only the tables that changed
   (:mod:`.prepare`).
2. **Grid.** Every cluster × plan year and region × year to report on, with the index's
   headline figures (:mod:`.grid`); reused from the last build's manifest when the processed
   tables, the as-of date and the deadline are the same.
3. **Fingerprints.** A report re-runs only when its fingerprint changed — its notebook, its
   parameters, the rows of the processed tables it reads (its cluster's, or its region's
   clusters'), the package's code and templates, the versions of the libraries that shape its
   HTML (:mod:`.fingerprint`) — or with ``force``. A build with nothing to redo writes only the
   new manifest and index.
4. **Reports.** The changed reports run on an executor (:mod:`.executor`: forked children of
   this warmed-up process, or a dask cluster) into a staging copy of the site; a failed report
   keeps its previous HTML (marked stale on the index) and its executed notebook goes to
   ``failed/``.
5. **Publication.** The manifest ``build.json`` and the index rendered from it join the staging
   copy, which replaces the published site with renames (:mod:`.publish`).

Output names come from the parameters: ``html/<region>/<cluster>/<year>.html`` and
``html/<region>/region-<year>.html``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

from analysis import __version__, settings
from analysis.errors import ParameterError, UnknownClusterError
from analysis.lock import BuildLock
from analysis.site.fingerprint import (
    code_digest,
    digest,
    file_digest,
    is_current,
    library_versions,
    read_manifest,
    source_fingerprint,
)
from analysis.site.publish import Staging
from analysis.site.runner import ReportJob, ReportResult

logger = logging.getLogger(__name__)

# The report notebooks shipped with the package; a build reads settings.notebooks_dir() (the
# home's own templates when it has them) unless its options name others.
CLUSTER_NOTEBOOK = settings.package_notebooks_dir() / "cluster_report.ipynb"
REGION_NOTEBOOK = settings.package_notebooks_dir() / "region_report.ipynb"
MANIFEST = "build.json"
VALIDATION = "validation.html"  # the validation results, our own offline page
# What earlier versions published and this one does not: great-expectations Data Docs (they
# load their scripts and styles from CDNs) and every report's executed notebook.
RETIRED = ("data-docs", "notebooks")
LOCK = ".build.lock"
# Processed tables no report notebook reads (the validation page does, and it is made anew by
# every build that changes the site): left out of reports' fingerprints, so that a rule counted
# over every cluster does not re-run every report. A notebook that starts reading one of them
# must take it off this list.
NOT_READ_BY_REPORTS = ("validation", "rejects")
# Parameters that say where, not what: left out of a report's fingerprint.
PATH_PARAMETERS = {"data_dir", "downloads"}
# Fields of a manifest entry that describe a build's outcome rather than the report itself.
STATUSES = ("built", "unchanged", "failed", "stale", "missing")
OUTCOME_FIELDS = {"status", "fingerprint", "seconds", "error", "cell", "last_built", "has_html", "html"}


@dataclass
class BuildOptions:
    raw: Path
    processed: Path
    out: Path
    as_of: date
    deadline: str = "01-20"
    demo: bool = False
    clusters: list[str] | None = None
    years: list[int] | None = None
    force: bool = False
    prepare: bool = True
    workers: int = 1
    timeout: float = 600.0
    engine: str = "inprocess"
    kernel: str | None = None  # for the kernel engine; default: the project's own kernel
    pdf: bool = False  # a PDF beside each report's HTML, printed by Chromium
    executor: str = "local"
    scheduler: object = None
    wait: bool = False
    cluster_notebook: Path | None = None  # default: cluster_report.ipynb of settings.notebooks_dir()
    region_notebook: Path | None = None


@dataclass
class BuildOutcome:
    manifest: dict
    results: list[ReportResult] = field(default_factory=list)
    prepared: object = None  # PrepareResult when ingestion ran
    seconds: float = 0.0

    @property
    def failed(self) -> list[dict]:
        return [e for e in self.manifest["reports"] if e["status"] == "failed"]


def check_parameters(notebook: str, parameters: dict, declared: set[str] | None = None) -> None:
    """Refuse a parameter the notebook's ``parameters`` cell does not declare.

    Papermill only warns about those; a typo would silently run the report with its default.
    """
    declared = declared_parameters(notebook) if declared is None else declared
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise ParameterError(
            f"{notebook} does not declare parameter(s) {unknown}; it declares {sorted(declared)}"
        )


def declared_parameters(notebook: str | Path) -> set[str]:
    """The names a notebook's ``parameters`` cell declares (read without importing papermill)."""
    import ast

    try:
        cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ParameterError(
            f"{notebook}: not a readable notebook ({exc}); give an .ipynb report template"
        ) from None
    for cell in cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            tree = ast.parse("".join(cell["source"]))
            names = set()
            for node in tree.body:
                if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                    names.add(node.target.id)
                elif isinstance(node, ast.Assign):
                    names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
            return names
    return set()


def _read_previous(out: Path) -> dict:
    try:
        return json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _jobs(records: list[dict], options: BuildOptions, tables: dict, base: dict) -> list[ReportJob]:
    """A job per grid record, with its parameters and fingerprint."""
    notebooks = {
        "cluster": options.cluster_notebook or settings.notebooks_dir() / "cluster_report.ipynb",
        "region": options.region_notebook or settings.notebooks_dir() / "region_report.ipynb",
    }
    declared = {kind: declared_parameters(path) for kind, path in notebooks.items()}
    digests = {kind: file_digest(path) for kind, path in notebooks.items()}
    common = {
        "data_dir": str(Path(options.processed).resolve()),
        "as_of": options.as_of.isoformat(),
        "deadline": options.deadline,
    }
    jobs = []
    for record in records:
        kind = record["kind"]
        if kind == "cluster":
            parameters = {"cluster": record["cluster_id"], "year": record["year"], **common}
        else:
            parameters = {"region": record["region_code"], "year": record["year"], **common}
        if "downloads" in declared[kind]:
            parameters["downloads"] = str(Path(options.out).resolve() / "html" / record["key"])
        check_parameters(str(notebooks[kind]), parameters, declared[kind])
        scopes = ["", *record["clusters"]]
        data = {
            name: [scopes_of.get(s, "") for s in scopes]
            for name, scopes_of in sorted(tables.items())
            if name not in NOT_READ_BY_REPORTS
        }
        what = {k: v for k, v in parameters.items() if k not in PATH_PARAMETERS}
        what["pdf"] = options.pdf
        jobs.append(
            ReportJob(
                key=record["key"],
                kind=kind,
                title=record["title"],
                notebook=str(notebooks[kind]),
                parameters=parameters,
                clusters=tuple(record["clusters"]),
                pdf=options.pdf,
                fingerprint=digest(base, kind, digests[kind], what, data),
            )
        )
    return jobs


def _selected(record: dict, options: BuildOptions) -> bool:
    if options.years and record["year"] not in options.years:
        return False
    if options.clusters:
        return record["kind"] == "cluster" and record["cluster_id"] in options.clusters
    return True


def _check_clusters(records: list[dict], options: BuildOptions) -> None:
    known = sorted({r["cluster_id"] for r in records if r["kind"] == "cluster"})
    unknown = sorted(set(options.clusters or []) - set(known))
    if unknown:
        raise UnknownClusterError(f"unknown cluster(s) {unknown}; the reports cover {known}")


def build(
    options: BuildOptions,
    on_result: Callable[[ReportResult], None] = lambda result: None,
    on_prepared: Callable[[object], None] = lambda prepared: None,
    on_start: Callable[[list[ReportJob]], None] = lambda jobs: None,
) -> BuildOutcome:
    """Run one build; see the module docstring. Raises :class:`~.lock.LockHeld` when another
    build runs (unless ``options.wait``) and :class:`~.executor.Interrupted` on SIGTERM/SIGINT
    (the published site is then the previous one)."""
    started_at = datetime.now()
    started = time.perf_counter()
    out, processed = Path(options.out), Path(options.processed)
    paths = dict.fromkeys([(processed / LOCK).resolve(), (out / LOCK).resolve()])
    with contextlib.ExitStack() as held:
        for path in paths:
            held.enter_context(BuildLock(path, options.wait))
        staging = Staging(out)
        try:
            outcome = _build(options, staging, started_at, on_result, on_prepared, on_start)
        except BaseException:
            staging.discard()
            raise
    outcome.seconds = time.perf_counter() - started
    return outcome


def _build(options, staging: Staging, started_at: datetime, on_result, on_prepared, on_start) -> BuildOutcome:
    out, processed = Path(options.out), Path(options.processed)
    outcome = BuildOutcome(manifest={})
    staged = False
    if options.prepare:
        source = source_fingerprint(options.raw, options.demo, options.as_of)
        if options.force or not is_current(processed, source):
            from analysis.site.prepare import prepare

            staging.start()
            staged = True
            outcome.prepared = prepare(options.raw, processed, demo_key=options.demo, as_of=options.as_of)
            on_prepared(outcome.prepared)
    tables = read_manifest(processed).get("tables")
    if not tables:
        from analysis.tables import MissingDataError

        raise MissingDataError(
            f"{processed.resolve()} holds no processed data: run `python -m analysis ingest` "
            "(or `make data`), or build without --no-prepare"
        )
    previous = _read_previous(out)
    base = {"code": code_digest(), "libraries": library_versions()}
    grid_key = digest(base, tables, options.as_of.isoformat(), options.deadline)
    if previous.get("build", {}).get("grid_fingerprint") == grid_key:
        records = [{k: v for k, v in e.items() if k not in OUTCOME_FIELDS} for e in previous["reports"]]
        problems = previous.get("problems", [])
    else:
        from analysis.metrics.fulfilment import parse_deadline
        from analysis.site.grid import grid_records

        grid = grid_records(processed, options.as_of, parse_deadline(options.deadline))
        records, problems = grid["reports"], grid["problems"]
    _check_clusters(records, options)
    jobs = _jobs(records, options, tables, base)
    before = {e["key"]: e for e in previous.get("reports", [])}
    to_run = [
        job
        for job, record in zip(jobs, records, strict=True)
        if _selected(record, options)
        and (
            options.force
            or before.get(job.key, {}).get("fingerprint") != job.fingerprint
            or not (out / job.html).exists()
        )
    ]
    on_start(to_run)
    results: dict[str, ReportResult] = {}
    if (to_run or not (out / VALIDATION).exists()) and not staged:
        staging.start()
        staged = True
    if staged:
        from analysis.site.validation_page import render_validation_page

        staging.write_text(VALIDATION, render_validation_page(processed))
        for name in RETIRED:
            shutil.rmtree(staging.root / name, ignore_errors=True)
    if to_run:
        for job in to_run:
            (staging.root / job.failed_notebook).unlink(missing_ok=True)
        for result in _execute(to_run, options, staging.root, processed):
            results[result.key] = result
            on_result(result)
    root = staging.root if staged else out
    now = datetime.now()
    entries = []
    for job, record in zip(jobs, records, strict=True):
        entry = _entry(job, record, before.get(job.key, {}), results.get(job.key), root, now)
        if entry["status"] != "failed":
            (root / job.failed_notebook).unlink(missing_ok=True)
        entries.append(entry)
    finished = datetime.now()
    manifest = {
        "build": {
            "started": started_at.isoformat(timespec="seconds"),
            "finished": finished.isoformat(timespec="seconds"),
            "seconds": round((finished - started_at).total_seconds(), 2),
            "as_of": options.as_of.isoformat(),
            "deadline": options.deadline,
            "version": __version__,
            "executor": options.executor,
            "engine": options.engine,
            "workers": options.workers,
            "grid_fingerprint": grid_key,
            "force": options.force,
            "selection": {"clusters": options.clusters or [], "years": options.years or []},
            "prepared": outcome.prepared is not None,
            "counts": {
                s: sum(1 for e in entries if e["status"] == s)
                for s in ("built", "unchanged", "failed", "stale", "missing")
            },
        },
        "problems": problems,
        "validation_href": VALIDATION,
        "reports": entries,
    }
    # Publication is not interrupted half way: SIGTERM / SIGINT wait until the site is whole.
    stop = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop)
    try:
        _write_site_files(manifest, root)
        if staged:
            staging.publish(keep_prefixes={e["key"] for e in entries})
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, stop)
    outcome.manifest = manifest
    outcome.results = [results[j.key] for j in to_run if j.key in results]
    return outcome


def _entry(job: ReportJob, record: dict, prior: dict, result: ReportResult | None, root: Path, now) -> dict:
    """A report's line in the manifest: the grid record plus what this build did with it.

    ``built`` (ran now), ``failed`` (ran and failed: a page kept from before keeps its old
    fingerprint, so the next build retries), ``unchanged`` (its page is current), ``stale``
    (its page is out of date: not selected, or failed) or ``missing`` (never built)."""
    has_html = (root / job.html).exists()
    entry = {**record, "html": job.html, "has_html": has_html, "seconds": 0.0, "error": "", "cell": None}
    if result is not None and result.ok:
        entry.update(status="built", fingerprint=job.fingerprint, seconds=round(result.seconds, 2))
        entry["last_built"] = now.isoformat(timespec="seconds")
    elif result is not None:
        entry.update(status="failed", error=result.error, cell=result.cell, seconds=round(result.seconds, 2))
        entry["fingerprint"] = prior.get("fingerprint", "") if has_html else ""
        entry["last_built"] = prior.get("last_built") if has_html else None
    elif prior.get("fingerprint") == job.fingerprint and has_html:
        entry.update(status="unchanged", fingerprint=job.fingerprint, last_built=prior.get("last_built"))
    elif prior.get("status") == "failed":  # not run this time (a partial build): still failed
        entry.update(status="failed", error=prior.get("error", ""), cell=prior.get("cell"))
        entry["fingerprint"] = prior.get("fingerprint", "")
        entry["last_built"] = prior.get("last_built") if has_html else None
    else:
        entry.update(status="stale" if has_html else "missing", fingerprint=prior.get("fingerprint", ""))
        entry["last_built"] = prior.get("last_built") if has_html else None
    return entry


def _write_site_files(manifest: dict, root: Path) -> None:
    """The manifest and the index rendered from it: into staging, or (nothing else changed)
    each replaced in place with a rename."""
    from analysis.site.index import render_index

    files = {
        MANIFEST: json.dumps(manifest, ensure_ascii=False, indent=1),
        "index.html": render_index(manifest),
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{name}.{os.getpid()}.tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)


def _execute(jobs: list[ReportJob], options: BuildOptions, site_root: Path, processed: Path):
    from analysis.site.executor import make_executor, warm_up
    from analysis.site.kernel import ensure_kernel

    kernel_name = options.kernel or ensure_kernel()
    executor = make_executor(
        options.executor, options.workers, options.timeout, options.engine, options.scheduler
    )
    if options.executor == "local":
        from analysis.tables import TABLES

        warm_up(
            processed, [*list(TABLES), "staffing", "staffing_by_programme", "fact_checks", "target_checks"]
        )
    jobs = [_staged(job, site_root, options) for job in jobs]
    yield from executor.run(jobs, site_root, kernel_name)


def _staged(job: ReportJob, site_root: Path, options: BuildOptions) -> ReportJob:
    """The job writing its downloads into the staging copy (the stem is a path parameter)."""
    if "downloads" not in job.parameters:
        return job
    parameters = {**job.parameters, "downloads": str(site_root / "html" / job.key)}
    return ReportJob(**{**asdict(job), "parameters": parameters, "clusters": job.clusters})
