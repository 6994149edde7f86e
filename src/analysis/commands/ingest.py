"""`python -m analysis ingest` (alias `prepare`): check the raw inputs, write data/processed/."""

from __future__ import annotations

import sys
from datetime import date

from analysis.commands.common import (
    add_data_options,
    add_demo_key_option,
    add_docs_option,
    iso_date,
    print_prepare_summary,
)

EXIT_REJECTED = 3
EXIT_LOCKED = 75  # another build or ingest holds data/processed/


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "ingest",
        aliases=["prepare"],
        help="check the raw inputs and write the tidy tables to data/processed/",
        description="Read the cluster registry, every plan, every submission (data/raw/submissions: .xlsx "
        "forms or CSV folders) and facts file (data/raw/facts/*.csv); clean, pseudonymise and validate them "
        "with great-expectations; write data/processed/*.parquet (only the tables that changed). "
        "One build or ingest at a time: another one holding data/processed/ makes this exit "
        f"{EXIT_LOCKED} without touching anything (--wait waits for it). Rejected rows are "
        "listed one per line (file, sheet, row, column, value, rule) — the first three per file and rule, "
        "then a count — on stderr and kept in rejects.parquet. Exit code "
        f"{EXIT_REJECTED} when any row was rejected or a file skipped or rejected, 0 otherwise.",
    )
    add_data_options(parser)
    parser.add_argument(
        "--as-of",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="the build's date: no submission may be dated after it (default: today)",
    )
    add_demo_key_option(parser)
    add_docs_option(parser)
    parser.add_argument(
        "--wait",
        action="store_true",
        help="wait for a running build instead of exiting (saying whom it waits for, and for how "
        "long, every 30 s)",
    )
    parser.set_defaults(func=run)


def run(args) -> int:
    from analysis.lock import BuildLock, LockHeld
    from analysis.site.build import LOCK
    from analysis.site.prepare import prepare

    as_of = args.as_of or date.today()
    try:
        with BuildLock(args.processed / LOCK, args.wait):
            result = prepare(args.raw, args.processed, args.data_docs, demo_key=args.demo, as_of=as_of)
    except LockHeld as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    print_prepare_summary(result)
    return EXIT_REJECTED if result.rejects or result.unreadable or result.plan_errors else 0
