"""Options several commands share, so they read and mean the same everywhere."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD form: {text!r}") from None


def add_data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--raw",
        type=Path,
        default=Path("data/raw"),
        metavar="DIR",
        help="raw inputs: clusters.csv, plans/, facts/ (default: %(default)s)",
    )
    parser.add_argument(
        "--processed",
        type=Path,
        default=Path("data/processed"),
        metavar="DIR",
        help="where the tidy tables go (default: %(default)s)",
    )


def print_prepare_summary(result) -> None:
    for line in result.rejects:
        print(f"rejected: {line}")
    print(
        f"data: {result.clusters} cluster(s), {result.plan_cells} plan cells, "
        f"{result.facts_accepted} of {result.fact_rows_read} fact rows accepted, "
        f"{len(result.rejects)} rejected, {len(result.warnings)} plan warning(s)"
    )
