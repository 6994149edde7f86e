"""`python -m analysis build`: data, every cluster-year report, and reports/index.html."""

from __future__ import annotations

import os
import sys
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from analysis import settings
from analysis.commands.common import (
    add_data_options,
    add_demo_key_option,
    deadline_text,
    iso_date,
    print_prepare_summary,
)
from analysis.metrics.completeness import completeness
from analysis.metrics.fulfilment import DEFAULT_DEADLINE_TEXT, parse_deadline
from analysis.site.build import CLUSTER_NOTEBOOK, cluster_job, common_parameters, region_job, run_jobs
from analysis.site.index import IndexEntry, render_index
from analysis.site.prepare import prepare, report_grid
from analysis.tables import read_table

EXIT_FAILED = 1


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "build",
        help="build the data, run every report and write reports/index.html",
        description="Check the raw inputs and write data/processed/ (as `prepare` does), then run "
        "notebooks/cluster_report.ipynb with papermill for every cluster × plan year of the registry "
        "and export each to HTML (reports/html/<region>/<cluster>/<year>.html, no code shown), and "
        "write reports/index.html linking them. A failing report does not stop the others: they are "
        f"listed at the end and the exit code is {EXIT_FAILED}.",
    )
    add_data_options(parser)
    add_demo_key_option(parser)
    parser.add_argument(
        "--out",
        type=Path,
        default=settings.reports_dir(),
        metavar="DIR",
        help="where reports and index.html go (default: %(default)s)",
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
        help="only this cluster (repeat for several); default: every cluster",
    )
    parser.add_argument(
        "--year",
        action="append",
        type=int,
        metavar="YEAR",
        help="only this year (repeat for several); default: every plan year",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="reports run at once, each in its own process and kernel (default: the number of cores, "
        "%(default)s here; 1 runs them one after another)",
    )
    parser.add_argument(
        "--notebook",
        type=Path,
        default=CLUSTER_NOTEBOOK,
        metavar="IPYNB",
        help="the report template to run (default: notebooks/cluster_report.ipynb); it must declare the "
        "parameters cluster, year, data_dir, as_of and deadline",
    )
    parser.add_argument(
        "--no-prepare", action="store_true", help="use data/processed/ as it is instead of rebuilding it"
    )
    parser.set_defaults(func=run)


def run(args) -> int:
    as_of: date = args.as_of or date.today()
    docs = args.out / "data-docs"
    if not args.no_prepare:
        print_prepare_summary(prepare(args.raw, args.processed, docs, demo_key=args.demo))
    clusters = read_table(args.processed, "clusters")
    deadline = parse_deadline(args.deadline)
    grid = report_grid(args.processed, as_of, deadline)
    if args.cluster:
        unknown = sorted(set(args.cluster) - set(clusters["cluster_id"]))
        if unknown:
            print(
                f"error: unknown cluster(s) {unknown}; the registry lists {sorted(clusters['cluster_id'])}",
                file=sys.stderr,
            )
            return 2
        grid = grid[grid["cluster_id"].isin(args.cluster)]
        clusters = clusters[clusters["cluster_id"].isin(args.cluster)]
    if args.year:
        grid = grid[grid["year"].isin(args.year)]
    common = common_parameters(args.processed, as_of, args.deadline)
    jobs = [
        cluster_job(
            args.out, common, r.region_code, r.cluster_id, r.year, f"{r.name}, {r.year}", args.notebook
        )
        for r in grid.itertuples()
    ]
    regions = grid[["region_code", "region_name", "year"]].drop_duplicates()
    region_jobs = [
        region_job(args.out, common, r.region_code, r.year, f"{r.region_code} — {r.region_name}, {r.year}")
        for r in regions.itertuples()
    ]
    every = run_jobs(jobs + region_jobs, workers=args.jobs)
    results, region_results = every[: len(jobs)], every[len(jobs) :]
    region_links = {}
    for r, result in zip(regions.itertuples(), region_results, strict=True):
        href = os.path.relpath(result.job.html_path, args.out) if result.ok else None
        region_links.setdefault(f"{r.region_code} — {r.region_name}", []).append((r.year, href, result.error))
    entries = [
        IndexEntry(
            region=f"{row.region_code} — {row.region_name}",
            cluster_id=row.cluster_id,
            cluster_name=row.name,
            year=row.year,
            href=os.path.relpath(result.job.html_path, args.out) if result.ok else None,
            rate=None if pd.isna(row.rate) else float(row.rate),
            planned=int(row.planned),
            met=int(row.met),
            answered=int(row.answered),
            pending=int(row.pending),
            demo=bool(row.demo),
            error=result.error,
        )
        for row, result in zip(grid.itertuples(), results, strict=True)
    ]
    set_aside = clusters[clusters["plan_error"] != ""]
    problems = [f"{r.name}: план не прочитан — {r.plan_error}" for r in set_aside.itertuples()]
    received = completeness(
        read_table(args.processed, "clusters"),
        read_table(args.processed, "plan"),
        read_table(args.processed, "submissions"),
        as_of,
        deadline,
    )
    page = render_index(
        entries,
        as_of,
        datetime.now().strftime("%d.%m.%Y %H:%M"),
        problems=problems,
        completeness=received.merge(
            read_table(args.processed, "quality"), on=["cluster_id", "year"], how="left"
        ),
        data_docs="data-docs/index.html" if (docs / "index.html").exists() else None,
        region_reports=region_links,
    )
    index = args.out / "index.html"
    index.parent.mkdir(parents=True, exist_ok=True)
    index.write_text(page, encoding="utf-8")
    failed = [r for r in every if not r.ok]
    results = every
    seconds = sum(r.seconds for r in results)
    print(
        f"reports: {len(results) - len(failed)} of {len(results)} built in {seconds:.1f} s of work; "
        f"index: {index}"
    )
    for r in failed:
        print(f"FAILED {r.job.key}: {r.error}")
    for r in set_aside.itertuples():
        print(f"FAILED {r.cluster_id}: no reports, its plan could not be read: {r.plan_error}")
    return EXIT_FAILED if failed or not set_aside.empty else 0
