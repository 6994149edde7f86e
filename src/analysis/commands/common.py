"""Options several commands share, so they read and mean the same everywhere."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from analysis import settings


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD form: {text!r}") from None


def deadline_text(text: str) -> str:
    """A reporting deadline as MM-DD (checked here, passed on as text)."""
    from analysis.deadline import parse_deadline

    try:
        parse_deadline(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a day of the year in MM-DD form: {text!r}") from None
    return text


# Defaults come from analysis.settings (the project root, or $PROFESSIONALITET_HOME), so every
# command works from any folder; a folder given on the command line is read as usual, from the
# working directory.


def add_raw_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--raw", type=Path, default=settings.raw_dir(), metavar="DIR", help=f"{what} (default: %(default)s)"
    )


def add_processed_option(parser: argparse.ArgumentParser, what: str = "where the tidy tables go") -> None:
    parser.add_argument(
        "--processed",
        type=Path,
        default=settings.processed_dir(),
        metavar="DIR",
        help=f"{what} (default: %(default)s)",
    )


def add_data_options(parser: argparse.ArgumentParser) -> None:
    add_raw_option(parser, "raw inputs: clusters.csv, plans/, facts/")
    add_processed_option(parser)


def print_prepare_summary(result) -> None:
    """Every problem on a line of its own, then the totals."""
    for line in result.plan_errors:
        print(f"plan set aside: {line}")
    for line in result.unreadable:
        print(f"file skipped: {line}")
    for line in result.rejects:
        print(f"rejected: {line}")
    print(
        f"data: {result.clusters} cluster(s), {result.plan_cells} plan cells; {result.files} file(s), "
        f"{result.rows_accepted} of {result.rows_read} rows accepted, {len(result.rejects)} rejection(s), "
        f"{len(result.unreadable)} file(s) skipped, {len(result.warnings)} plan warning(s)"
    )
    if result.data_docs:
        print(f"data quality (great-expectations Data Docs): {result.data_docs}")


def add_demo_key_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--demo",
        action="store_true",
        help="allow the built-in demonstration key for people in submissions marked as "
        "demonstration data, when no key is configured (make reports uses it)",
    )


def add_docs_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-docs",
        type=Path,
        default=settings.data_docs_dir(),
        metavar="DIR",
        help="where the great-expectations Data Docs go (default: %(default)s)",
    )
