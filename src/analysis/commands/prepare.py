"""`python -m analysis prepare`: check the raw inputs and write data/processed/."""

from __future__ import annotations

from analysis.commands.common import add_data_options, print_prepare_summary
from analysis.pipeline import prepare

EXIT_REJECTED = 3


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "prepare",
        help="check the raw inputs and write the tidy tables to data/processed/",
        description="Read the cluster registry, every plan and every facts file, check them and write "
        "data/processed/*.parquet. Rejected fact rows are listed one per line (file, row, column, "
        f"value, rule) and kept in fact_rejects.parquet. Exit code {EXIT_REJECTED} when any row was "
        "rejected, 0 otherwise.",
    )
    add_data_options(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    result = prepare(args.raw, args.processed)
    print_prepare_summary(result)
    return EXIT_REJECTED if result.rejects else 0
