"""The build: processed data → every report that changed → a new site, published atomically.

One build at a time (:mod:`.lock`). Step by step:

1. **Data.** The raw inputs and the code are digested; when they are what the processed tables
   were made from, ingestion is skipped, else it runs and rewrites only the tables that changed
   (:mod:`.prepare`).
2. **Grid.** Every cluster × plan year and region × year to report on, with the index's
   headline figures (:mod:`.grid`); reused from the last build's manifest when the processed
   tables, the as-of date and the deadline are the same.
3. **Fingerprints.** A report re-runs only when its fingerprint changed — its notebook, its
   parameters (the as-of date only as whether its year's deadline has passed), the rows of
   the processed tables it read the last time it ran (recorded beside its page: its cluster's
   rows up to its year, or its region's clusters'), the code it is made by and the versions of
   the libraries that code imports (:mod:`.closure`) — or with ``force``. A build with nothing
   to redo writes only the new manifest and index.
4. **Reports.** The changed reports run on an executor (:mod:`.executor`: forked children of
   this warmed-up process, or a dask cluster) into a staging copy of the site. A report is one
   unit: its downloads are written aside (``.work/`` of the staging copy) and join its page only
   when it succeeds, so a failed report keeps its previous page, downloads and PDF together
   (marked stale on the index); its executed notebook goes to ``logs/failed/`` beside the
   published folder, never into it.
5. **History.** A build that published anything new keeps it in ``data/history/`` and renders
   what changed since the build before (``changes.html``, ``changes.xml``: :mod:`.feed`).
6. **Publication.** The manifest ``build.json`` and the index rendered from it join the staging
   copy, which becomes the published version with one rename of the site's pointer
   (:mod:`.publish`).

Output names come from the parameters: ``html/<region>/<cluster>/<year>.html``,
``html/<region>/region-<year>.html`` and ``html/national-<year>.html``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import signal
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

from analysis import __version__, settings
from analysis.deadline import last_year_due, parse_deadline
from analysis.errors import ParameterError, UnknownClusterError, UnknownYearError
from analysis.lock import BuildLock
from analysis.reads import recorded
from analysis.site.aside import run_aside
from analysis.site.fingerprint import (
    NO_CLUSTER,
    YEAR_SEP,
    digest,
    file_digest,
    is_current,
    read_manifest,
    source_fingerprint,
)
from analysis.site.index import without_paths
from analysis.site.publish import Staging, write_file
from analysis.site.runner import ReportJob, ReportResult

logger = logging.getLogger(__name__)

# The report notebooks shipped with the package; a build reads settings.notebooks_dir() (the
# home's own templates when it has them) unless its options name others.
CLUSTER_NOTEBOOK = settings.package_notebooks_dir() / "cluster_report.ipynb"
REGION_NOTEBOOK = settings.package_notebooks_dir() / "region_report.ipynb"
NATIONAL_NOTEBOOK = settings.package_notebooks_dir() / "national_report.ipynb"
MANIFEST = "build.json"
VALIDATION = "validation.html"  # the validation results, our own offline page
# What earlier versions published and this one does not: great-expectations Data Docs (they
# load their scripts and styles from CDNs) and every report's executed notebook.
RETIRED = ("data-docs", "notebooks", "failed")
WORK = ".work"  # in the staging copy: a report's downloads until the report has succeeded
LOCK = ".build.lock"
HISTORY = "history"
# Parameters that say where, not what: left out of a report's fingerprint.
PATH_PARAMETERS = {"data_dir", "downloads"}
# The calendar day: a page shows only what it decides (deadline_passed in the fingerprint).
CALENDAR_PARAMETERS = {"as_of"}
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
    national_notebook: Path | None = None
    failed_dir: Path | None = None  # executed notebooks of failed reports; default: failed_folder(out)


def failed_folder(options: BuildOptions) -> Path:
    """Where the executed notebook of a failed report is kept: ``logs/failed/`` beside the
    published folder (``reports/``), outside what people copy and send on."""
    if options.failed_dir is not None:
        return Path(options.failed_dir)
    return Path(options.out).resolve().parent / "logs" / "failed"


def notebooks_of(options: BuildOptions) -> dict[str, Path]:
    """The report template of each kind: the options' own, else the one in
    ``settings.notebooks_dir()`` (the home's templates when it has them, else the package's)."""
    folder = settings.notebooks_dir()
    national = folder / "national_report.ipynb"
    if not national.is_file():  # a home's own templates may predate the national report
        national = settings.package_notebooks_dir() / "national_report.ipynb"
    return {
        "cluster": Path(options.cluster_notebook or folder / "cluster_report.ipynb"),
        "region": Path(options.region_notebook or folder / "region_report.ipynb"),
        "national": Path(options.national_notebook or national),
    }


@dataclass
class BuildOutcome:
    manifest: dict
    results: list[ReportResult] = field(default_factory=list)
    prepared: object = None  # PrepareResult when ingestion ran
    digest: dict | None = None  # what changed, for subscribers (subject, text, html), when anything did
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
    """A job per grid record, with its parameters and fingerprint (the as-of date only through
    whether the report's year is past its deadline: ``deadline.last_year_due``)."""
    due = last_year_due(options.as_of, parse_deadline(options.deadline))
    notebooks = notebooks_of(options)
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
        elif kind == "national":
            parameters = {"year": record["year"], **common}
        else:
            parameters = {"region": record["region_code"], "year": record["year"], **common}
        if "downloads" in declared[kind]:
            parameters["downloads"] = str(Path(options.out).resolve() / "html" / record["key"])
        check_parameters(str(notebooks[kind]), parameters, declared[kind])
        what = {k: v for k, v in parameters.items() if k not in PATH_PARAMETERS | CALENDAR_PARAMETERS}
        what["pdf"] = options.pdf
        # What the as-of date decides on the page: whether the year's deadline has passed.
        what["deadline_passed"] = record["year"] <= due
        parts = (base, kind, digests[kind], what)
        reads = recorded(Path(options.out) / f"html/{record['key']}.reads")
        jobs.append(
            ReportJob(
                key=record["key"],
                kind=kind,
                title=record["title"],
                notebook=str(notebooks[kind]),
                parameters=parameters,
                clusters=tuple(record["clusters"]),
                pdf=options.pdf,
                fingerprint=report_fingerprint(parts, tables, record["clusters"], reads, record["year"]),
            )
        )
        PARTS[record["key"]] = parts
        YEARS[record["key"]] = record["year"]
    return jobs


# The parts of each report's fingerprint besides its data, by key, for the fingerprint a report
# gets after it ran (from the record of what it read then).
PARTS: dict[str, tuple] = {}
YEARS: dict[str, int] = {}


def report_fingerprint(
    parts: tuple, tables: dict, clusters: list[str], reads: list[str] | None, year: int = 9999
) -> str:
    """A report's fingerprint: its notebook, parameters, code and libraries (``parts``) and the
    digests of the tables it read the last time it ran (``reads``, recorded while it ran —
    ``reads.recording``): their rows of its clusters up to its year and the rows of no cluster. Without a
    record (never run, or run by an earlier version) the fingerprint matches no earlier one, so
    the report runs."""
    if reads is None:
        return digest(*parts, None)
    data = {name: _scopes(tables.get(name, {}), clusters, year) for name in reads}
    return digest(*parts, data)


def _scopes(scopes: dict, clusters: list[str], year: int) -> list:
    """The digests of a table a report on ``year`` of ``clusters`` depends on: its rows of no
    cluster, and of those clusters up to that year (rows without a year included), in the
    order of their scopes. Found through the table's scopes by cluster (made once per build),
    not by reading every cluster's scopes for every report: a national no-op build otherwise
    spends seconds here."""
    if not scopes:
        return []
    index = _by_cluster(scopes)
    chosen = {NO_CLUSTER: scopes[NO_CLUSTER]} if NO_CLUSTER in scopes else {}
    for cluster in set(clusters):
        chosen |= {scope: value for of_year, scope, value in index.get(cluster, ()) if of_year <= year}
    return sorted(chosen.items())


# A table's scopes by cluster: id of its digests → (the digests, {cluster: [(year, scope, digest)]}),
# the year 0 for rows without one (they count for every year).
_BY_CLUSTER: dict[int, tuple[dict, dict]] = {}


def _by_cluster(scopes: dict) -> dict:
    known = _BY_CLUSTER.get(id(scopes))
    if known is None or known[0] is not scopes:
        if len(_BY_CLUSTER) > 64:  # a process running many builds keeps only recent ones' indexes
            _BY_CLUSTER.clear()
        index: dict[str, list] = {}
        for scope, value in scopes.items():
            cluster, _, of_year = scope.partition(YEAR_SEP)
            index.setdefault(cluster, []).append((int(of_year) if of_year else 0, scope, value))
        known = _BY_CLUSTER[id(scopes)] = (scopes, index)
    return known[1]


def _selected(record: dict, options: BuildOptions) -> bool:
    if options.years and record["year"] not in options.years:
        return False
    if options.clusters:
        return record["kind"] == "cluster" and record["cluster_id"] in options.clusters
    return True


def _check_clusters(records: list[dict], options: BuildOptions) -> None:
    """A usage error for a ``--cluster`` or ``--year`` no report covers, listing those they do."""
    known = sorted({r["cluster_id"] for r in records if r["kind"] == "cluster"})
    unknown = sorted(set(options.clusters or []) - set(known))
    if unknown:
        raise UnknownClusterError(f"unknown cluster(s) {unknown}; the reports cover {known}")
    chosen = [r for r in records if not options.clusters or r.get("cluster_id") in options.clusters]
    years = sorted({int(r["year"]) for r in chosen})
    missing = sorted({int(y) for y in options.years or []} - set(years))
    if missing:
        whose = f" of {', '.join(options.clusters)}" if options.clusters else ""
        raise UnknownYearError(
            f"no plan{whose} has year(s) {', '.join(map(str, missing))}; "
            f"the reports cover {', '.join(map(str, years))}"
        )


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
    if options.executor == "dask" and isinstance(options.scheduler, str):
        from analysis.site.remote import check_scheduler

        check_scheduler(options.scheduler)  # before the lock: a wrong address blocks no build
    paths = dict.fromkeys([(processed / LOCK).resolve(), (out / LOCK).resolve()])
    with contextlib.ExitStack() as held:
        for path in paths:
            held.enter_context(BuildLock(path, options.wait))
        staging = Staging(out)
        staging.remove_stale()  # every build, a no-op one too: what killed builds left
        from analysis.site.leftovers import remove_temporary

        remove_temporary()
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
    # Every build publishes a whole new version (hard links to the last one, so a no-op build
    # copies no byte): the index, the manifest, the validation page and the pages swap at once.
    staging.start()
    changed = False  # the data or a report changed: the validation page is made anew
    if options.prepare:
        from analysis.ingest.pseudonym import key_fingerprint

        source = source_fingerprint(options.raw, options.demo, key_fingerprint(options.demo), processed)
        if options.force or not is_current(processed, source, options.as_of):
            from analysis.site.prepare import prepare

            changed = True
            outcome.prepared = run_aside(
                prepare, options.raw, processed, demo_key=options.demo, as_of=options.as_of
            )
            on_prepared(outcome.prepared)
    tables = read_manifest(processed).get("tables")
    if not tables:
        from analysis.tables import MissingDataError

        raise MissingDataError(
            f"{processed.resolve()} holds no processed data: run `python -m analysis ingest` "
            "(or `make data`), or build without --no-prepare"
        )
    previous = _read_previous(out)
    from analysis.site.closure import code_for, report_code

    made_by = report_code(list(notebooks_of(options).values()), processed)
    base = {"code": made_by["code"], "libraries": made_by["libraries"]}
    # The as-of date enters only through what it decides: which years' deadlines have passed.
    due = last_year_due(options.as_of, parse_deadline(options.deadline))
    grid_key = digest(
        base, code_for({"analysis.site.grid"}, processed)["code"], tables, due, options.deadline
    )
    regridded = previous.get("build", {}).get("grid_fingerprint") != grid_key
    if not regridded:
        records = [{k: v for k, v in e.items() if k not in OUTCOME_FIELDS} for e in previous["reports"]]
        problems = previous.get("problems", [])
    else:
        from analysis.site.grid import grid_records

        grid = run_aside(grid_records, processed, options.as_of, parse_deadline(options.deadline))
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
    if to_run or not (staging.root / VALIDATION).exists():
        changed = True
    if changed:
        from analysis.site.validation_page import render_validation_page

        staging.write_text(VALIDATION, run_aside(render_validation_page, processed))
        for name in RETIRED:
            shutil.rmtree(staging.root / name, ignore_errors=True)
    failed = failed_folder(options)
    if to_run:
        for job in to_run:
            (failed / f"{job.key}.ipynb").unlink(missing_ok=True)
        for result in _execute(to_run, options, staging.root, processed, out):
            _settle(next(j for j in to_run if j.key == result.key), result, staging.root, failed)
            results[result.key] = result
            on_result(result)
        # What a report read while it ran is its fingerprint's data from now on.
        jobs = [
            _recorded(job, tables, staging.root) if results.get(job.key) and results[job.key].ok else job
            for job in jobs
        ]
    root = staging.root
    now = datetime.now()
    entries = []
    for job, record in zip(jobs, records, strict=True):
        entry = _entry(job, record, before.get(job.key, {}), results.get(job.key), root, now)
        if entry["status"] != "failed":
            (failed / f"{job.key}.ipynb").unlink(missing_ok=True)
        entries.append(entry)
    history = processed.resolve().parent / HISTORY  # data/history: what each build published
    changed = outcome.prepared is not None or bool(to_run) or regridded or options.force
    pages: dict[str, str] = {}
    changes, fresh = previous.get("changes") or {}, False
    if changed or not any(history.glob("*.parquet")):
        from analysis.site.feed import record_build

        news = record_build(processed, history, options.as_of, options.deadline, entries, started_at, out)
        if news is not None:
            (changes, pages, outcome.digest), fresh = news, True
    marked = set(changes.get("reports", []))
    for entry in entries:
        entry["changed"] = entry["key"] in marked
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
            "changed": fresh,  # this build published something the last one kept did not
            "counts": {
                s: sum(1 for e in entries if e["status"] == s)
                for s in ("built", "unchanged", "failed", "stale", "missing")
            },
        },
        "problems": [without_paths(p) for p in problems],
        "validation_href": VALIDATION,
        "changes": changes,
        "reports": entries,
    }
    # Publication is not interrupted half way: SIGTERM / SIGINT wait until the site is whole.
    stop = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop)
    try:
        shutil.rmtree(root / WORK, ignore_errors=True)  # what failed reports wrote aside
        _write_site_files(manifest, root, pages)
        staging.publish(keep_prefixes={e["key"] for e in entries})
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, stop)
    outcome.manifest = manifest
    outcome.results = [results[j.key] for j in to_run if j.key in results]
    return outcome


def _settle(job: ReportJob, result: ReportResult, site_root: Path, failed: Path) -> None:
    """A report's files after its run, as one unit: on success its downloads join its page (and a
    PDF of an earlier build goes when this one printed none); on failure they are dropped and
    the previous page, downloads and PDF stay. The executed notebook of a failure is moved out
    of the site to ``failed``."""
    key = Path(job.key)
    work = site_root / WORK / "html" / key.parent
    made = sorted(work.glob(f"{key.name}.*")) if work.exists() else []
    html = site_root / job.html
    for path in made:
        if result.ok:
            path.replace(html.with_name(path.name))
        else:
            path.unlink()
    if result.ok and not job.pdf:
        html.with_suffix(".pdf").unlink(missing_ok=True)
    html.with_name(f".{html.stem}.draft.html").unlink(missing_ok=True)  # a page whose PDF failed
    notebook = site_root / job.failed_notebook
    if notebook.exists():
        if result.ok:
            notebook.unlink()
        else:
            target = failed / f"{job.key}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(notebook, target)
    # The notebook's folders are left: another report of the same region may be saving its
    # notebook beside it right now; publication drops what stays empty (``publish``).


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
        entry.update(
            status="failed",
            error=without_paths(result.error),
            cell=result.cell,
            seconds=round(result.seconds, 2),
        )
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


def _write_site_files(manifest: dict, root: Path, pages: dict[str, str] | None = None) -> None:
    """The manifest and the index rendered from it (and the changes page and feed when they are
    new), into the staged version."""
    from analysis.site.index import render_index

    files = {
        **(pages or {}),
        MANIFEST: json.dumps(manifest, ensure_ascii=False, indent=1),
        "index.html": render_index(manifest),
    }
    for name, text in files.items():
        write_file(root / name, text)


def _recorded(job: ReportJob, tables: dict, site_root: Path) -> ReportJob:
    reads = recorded(site_root / job.reads)
    fingerprint = report_fingerprint(PARTS[job.key], tables, list(job.clusters), reads, YEARS[job.key])
    return ReportJob(**{**asdict(job), "fingerprint": fingerprint, "clusters": job.clusters})


def _execute(jobs: list[ReportJob], options: BuildOptions, site_root: Path, processed: Path, out: Path):
    from analysis.site.executor import make_executor, warm_up
    from analysis.site.kernel import ensure_kernel

    kernel_name = options.kernel or ensure_kernel()
    executor = make_executor(
        options.executor, options.workers, options.timeout, options.engine, options.scheduler
    )
    if options.executor == "local":
        # The tables the reports read the last time (every table when nothing is recorded yet).
        read = {name for job in jobs for name in recorded(out / job.reads) or []}
        warm_up(processed, sorted(read or (p.stem for p in processed.glob("*.parquet"))))
    jobs = [_staged(job, site_root, options) for job in jobs]
    yield from executor.run(jobs, site_root, kernel_name)


def _staged(job: ReportJob, site_root: Path, options: BuildOptions) -> ReportJob:
    """The job writing its downloads into the staging copy, aside until it has succeeded (the
    stem is a path parameter; the page links the files by name, so the name is the final one)."""
    if "downloads" not in job.parameters:
        return job
    parameters = {**job.parameters, "downloads": str(site_root / WORK / "html" / job.key)}
    return ReportJob(**{**asdict(job), "parameters": parameters, "clusters": job.clusters})
