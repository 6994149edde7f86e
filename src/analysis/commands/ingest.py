"""`python -m analysis ingest` (alias `prepare`): check the raw inputs, write data/processed/."""

from __future__ import annotations

from analysis.commands.common import (
    add_data_options,
    add_demo_key_option,
    add_docs_option,
    iso_date,
    print_prepare_summary,
)
from analysis.site.prepare import prepare

EXIT_REJECTED = 3


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "ingest",
        aliases=["prepare"],
        help="check the raw inputs and write the tidy tables to data/processed/",
        description="Read the cluster registry, every plan, every submission (data/raw/submissions: .xlsx "
        "forms or CSV folders) and facts file (data/raw/facts/*.csv); clean, pseudonymise and validate them "
        "with great-expectations; write data/processed/*.parquet and the Data Docs. Rejected rows are "
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
    parser.set_defaults(func=run)


def run(args) -> int:
    result = prepare(args.raw, args.processed, args.data_docs, demo_key=args.demo, as_of=args.as_of)
    print_prepare_summary(result)
    return EXIT_REJECTED if result.rejects or result.unreadable or result.plan_errors else 0
