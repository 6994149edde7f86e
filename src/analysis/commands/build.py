"""`python -m analysis build`: data, every report that changed, and the published site.

What cron runs every night and what an analyst runs after a batch of submissions. Imports
nothing heavy until it knows there is work: a build with nothing to redo takes a fraction of a
second.
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import date, datetime
from pathlib import Path

from analysis import settings
from analysis.commands.common import (
    add_data_options,
    add_demo_key_option,
    deadline_text,
    default_help,
    home_default,
    iso_date,
    print_prepare_summary,
)
from analysis.deadline import DEFAULT_DEADLINE_TEXT

EXIT_FAILED = 1
EXIT_LOCKED = 75  # EX_TEMPFAIL: another build holds the lock; try again later
EXIT_UNAVAILABLE = 69  # EX_UNAVAILABLE: no dask scheduler answers at --scheduler
EXIT_IO = 74  # EX_IOERR: a disk full, a folder not writable


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "build",
        help="build the data and every report that changed; publish reports/ and its index",
        description="Check the raw inputs and update data/processed/ (as `ingest` does, and only when "
        "an input or the code changed), then run the report notebooks with papermill for every "
        "cluster × plan year and region × year whose inputs changed, export them to HTML "
        "(reports/html/<region>/<cluster>/<year>.html, no code shown), and publish the new site "
        "with reports/index.html and the manifest reports/build.json atomically. One build runs at "
        "a time. A failing report does not stop the others; it keeps its previous HTML, marked "
        "stale on the index.",
        epilog=f"Exit codes: 0 every report built or up to date; {EXIT_FAILED} a report failed or a "
        f"plan could not be read; 2 a usage error; {EXIT_LOCKED} another build holds the lock "
        f"(nothing changed); {EXIT_UNAVAILABLE} no dask scheduler answers at --scheduler (nothing "
        f"changed); {EXIT_IO} a disk full or a folder not writable (the published site is the previous "
        "one); 130 / 143 interrupted by SIGINT / SIGTERM (the published site is the previous one).",
    )
    add_data_options(parser)
    add_demo_key_option(parser)
    out = home_default(settings.reports_dir)
    parser.add_argument(
        "--out",
        type=Path,
        default=out,
        metavar="DIR",
        help=f"the published site: reports, index.html, build.json ({default_help(out, 'reports')})",
    )
    parser.add_argument(
        "--as-of",
        type=iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="the date the data is taken as of; it decides 'pending' (before a year's "
        "reporting deadline) versus 'no data' (after). Default: today",
    )
    parser.add_argument(
        "--deadline",
        default=DEFAULT_DEADLINE_TEXT,
        metavar="MM-DD",
        type=deadline_text,
        help="the day of the following year a year's report is due (default: %(default)s, 20 January)",
    )
    parser.add_argument(
        "--cluster",
        action="append",
        metavar="ID",
        help="only this cluster's reports (repeat for several); the index keeps listing every report",
    )
    parser.add_argument(
        "--year",
        action="append",
        type=int,
        metavar="YEAR",
        help="only this year's reports (repeat for several)",
    )
    parser.add_argument(
        "--force", action="store_true", help="re-run every selected report and re-ingest the data"
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="reports run at once, each in its own process (default: the number of cores, %(default)s here)",
    )
    parser.add_argument(
        "--timeout",
        type=_positive,
        default=600.0,
        metavar="SECONDS",
        help="a report running longer fails, naming the cell it was in (default: %(default)g)",
    )
    parser.add_argument(
        "--engine",
        choices=("inprocess", "kernel"),
        default="inprocess",
        help="inprocess (default): each report runs in a forked copy of the warmed-up build process; "
        "kernel: each report on a fresh Jupyter kernel, as papermill does by default (slower)",
    )
    parser.add_argument(
        "--kernel",
        metavar="NAME",
        help="the Jupyter kernel of --engine kernel (default: the project's kernel, installed if needed)",
    )
    parser.add_argument(
        "--executor",
        choices=("local", "dask"),
        default="local",
        help="local (default): processes on this machine; dask: tasks on a dask.distributed cluster "
        "(needs --scheduler; workers must see --processed and --out at the same paths)",
    )
    parser.add_argument("--scheduler", metavar="ADDRESS", help="the dask scheduler, e.g. tcp://10.0.0.5:8786")
    parser.add_argument(
        "--pdf",
        action="store_true",
        help="also print each report to PDF (A4) beside its HTML, with Chromium (skipped with a warning "
        "when there is none)",
    )
    parser.add_argument(
        "--wait",
        action="store_true",
        help="if another build is running, wait for it instead of exiting (saying whom it waits "
        "for, and for how long, every 30 s)",
    )
    parser.add_argument(
        "--notify",
        nargs="+",
        default=None,
        metavar="ADDRESS",
        help="e-mail the digest of what changed (plain text + HTML) to these addresses when the build "
        "changed anything; the SMTP server comes from ANALYSIS_SMTP_HOST, _PORT, _FROM, _USER, _PASSWORD",
    )
    parser.add_argument(
        "--notebook",
        type=Path,
        default=None,
        metavar="IPYNB",
        help="the cluster report template (default: notebooks/cluster_report.ipynb); it must declare "
        "the parameters cluster, year, data_dir, as_of and deadline",
    )
    parser.add_argument(
        "--region-notebook",
        type=Path,
        default=None,
        metavar="IPYNB",
        help="the region report template (default: notebooks/region_report.ipynb)",
    )
    parser.add_argument(
        "--no-prepare", action="store_true", help="use data/processed/ as it is instead of updating it"
    )
    parser.set_defaults(func=run)


def _positive(text: str) -> float:
    import argparse

    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"not a positive number of seconds: {text!r}")
    return value


def _stamp() -> str:
    return datetime.now().strftime("%Y-%m-%d %H:%M:%S")


class _Progress:
    """A progress bar on a terminal; elsewhere (cron, CI) a timestamped line per report."""

    def __init__(self):
        self.bar = None
        self.tty = sys.stderr.isatty()

    def start(self, jobs) -> None:
        if not jobs:
            return
        if self.tty:
            from tqdm import tqdm

            tqdm.monitor_interval = 0  # no monitor thread: the build forks
            self.bar = tqdm(total=len(jobs), unit="report", desc="reports", file=sys.stderr)
        else:
            print(f"{_stamp()} running {len(jobs)} report(s)", flush=True)

    def result(self, result) -> None:
        status = "built" if result.ok else "FAILED"
        line = f"{_stamp()} {status:<6} {result.key} {result.seconds:.1f} s"
        if not result.ok:
            line += f": {result.error}"
        if self.bar is not None:
            self.bar.set_postfix_str(result.key)
            self.bar.update()
            if not result.ok:
                self.bar.write(line, file=sys.stderr)
        else:
            print(line, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# Native thread pools that would run in the build process, which forks its reports: one
# BLAS thread, no jemalloc background thread (set before numpy and pyarrow are imported).
SINGLE_THREADED = {"OPENBLAS_NUM_THREADS": "1", "JE_ARROW_MALLOC_CONF": "background_thread:false"}


def _print_new_rejections(result) -> None:
    """The data summary of an ingestion, each rejection said once: those the previous ingestion
    made already are counted, not repeated (the validation page lists every one)."""
    print_prepare_summary(result.only_new())
    repeated = result.repeated_rows + len(result.repeated_files)
    if repeated:
        print(f"note: {repeated} rejection(s) reported by an earlier build still stand (see validation.html)")


def changes_line(manifest: dict) -> str:
    """«changes: 3 submissions new, 17 cells changed status, 6 reports re-run» — what this build
    changed (``reports/changes.html`` lists it), or that it changed nothing."""
    counts = manifest["build"]["counts"]
    if not manifest["build"].get("changed"):
        return f"changes: none since the last build; {counts['built']} report(s) re-run"
    c = manifest.get("changes", {}).get("counts", {})
    parts = [
        f"{c.get('submissions_new', 0)} submission(s) new",
        f"{c.get('submissions_rejected', 0)} rejected",
        f"{c.get('cells_changed', 0)} cell(s) changed status",
        f"{c.get('values_changed', 0)} value(s) changed",
        f"{c.get('rates_moved', 0)} rate(s) moved",
        f"{counts['built']} report(s) re-run",
    ]
    return "changes: " + ", ".join(parts) + f" (see {manifest['changes'].get('href', 'changes.html')})"


def run(args) -> int:
    for name, value in SINGLE_THREADED.items():
        os.environ.setdefault(name, value)
    from analysis.lock import LockHeld
    from analysis.site.build import BuildOptions, build
    from analysis.site.executor import Interrupted
    from analysis.site.remote import SchedulerUnreachable
    from analysis.site.runner import os_error_line

    options = BuildOptions(
        raw=args.raw,
        processed=args.processed,
        out=args.out,
        as_of=args.as_of or date.today(),
        deadline=args.deadline,
        demo=args.demo,
        clusters=args.cluster,
        years=args.year,
        force=args.force,
        prepare=not args.no_prepare,
        workers=args.jobs,
        timeout=args.timeout,
        engine=args.engine,
        kernel=args.kernel,
        executor=args.executor,
        scheduler=args.scheduler,
        wait=args.wait,
        cluster_notebook=args.notebook,
        region_notebook=args.region_notebook,
    )
    pdf = args.pdf
    if pdf:
        from analysis.site.pdf import find_chromium

        if find_chromium() is None:
            print(
                "warning: --pdf needs Chromium (apt-get install chromium); building HTML only",
                file=sys.stderr,
            )
            pdf = False
    options.pdf = pdf
    progress = _Progress()

    def interrupted(signum, frame):
        raise Interrupted(signum)

    previous = {s: signal.signal(s, interrupted) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        outcome = build(options, progress.result, _print_new_rejections, progress.start)
    except LockHeld as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except SchedulerUnreachable as exc:
        print(f"ошибка: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except OSError as exc:
        progress.close()
        print(f"ошибка: {os_error_line(exc, args.out)}; опубликован прежний сайт", file=sys.stderr)
        return EXIT_IO
    except Interrupted as exc:
        progress.close()
        print(f"{_stamp()} build {exc}; the published site is the last complete build", file=sys.stderr)
        return 128 + exc.signum
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    progress.close()
    counts = outcome.manifest["build"]["counts"]
    print(
        f"{_stamp()} done in {outcome.seconds:.1f} s: {counts['built']} built, "
        f"{counts['unchanged']} unchanged, {counts['failed']} failed, "
        f"{counts['stale']} stale, {counts['missing']} not built yet; "
        f"index: {Path(args.out) / 'index.html'}",
        flush=True,
    )
    print(f"{_stamp()} {changes_line(outcome.manifest)}", flush=True)
    if args.notify and outcome.digest:
        from analysis.site.notify import NotifyError, send

        try:
            send(args.notify, outcome.digest["subject"], outcome.digest["text"], outcome.digest["html"])
            print(f"{_stamp()} digest sent to {', '.join(args.notify)}", flush=True)
        except NotifyError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_FAILED
    # The log names paths whole (what to free, where to look); the published reason cuts them.
    full = {r.key: r.error for r in outcome.results if not r.ok}
    for entry in outcome.failed:
        kept = " (its previous version stays, marked stale)" if entry["has_html"] else ""
        print(f"FAILED {entry['key']}: {full.get(entry['key'], entry['error'])}{kept}", file=sys.stderr)
    for problem in outcome.manifest["problems"]:
        print(f"FAILED {problem}", file=sys.stderr)
    return EXIT_FAILED if outcome.failed or outcome.manifest["problems"] else 0
