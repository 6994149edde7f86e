"""Options several commands share, so they read and mean the same everywhere."""

from __future__ import annotations

import argparse
import sys
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
# working directory. An installed package without a home leaves them None, and the CLI says
# how to name a home when a command needs one.


class _NoHome:
    """The default of a folder option when there is no project home: the CLI refuses it."""

    def __repr__(self) -> str:
        return "<no project home>"


NO_HOME = _NoHome()


def home_default(folder) -> Path | _NoHome:
    """``folder()`` (a ``settings`` folder function), or ``NO_HOME`` when there is none."""
    try:
        return folder()
    except settings.NoProjectHome:
        return NO_HOME


def default_help(path: Path | _NoHome, relative: str) -> str:
    return f"default: {relative} under the project home" if path is NO_HOME else f"default: {path}"


def add_raw_option(parser: argparse.ArgumentParser, what: str) -> None:
    default = home_default(settings.raw_dir)
    parser.add_argument(
        "--raw",
        type=Path,
        default=default,
        metavar="DIR",
        help=f"{what} ({default_help(default, 'data/raw')})",
    )


def add_processed_option(parser: argparse.ArgumentParser, what: str = "where the tidy tables go") -> None:
    default = home_default(settings.processed_dir)
    parser.add_argument(
        "--processed",
        type=Path,
        default=default,
        metavar="DIR",
        help=f"{what} ({default_help(default, 'data/processed')})",
    )


def add_data_options(parser: argparse.ArgumentParser) -> None:
    add_raw_option(parser, "raw inputs: clusters*.csv, plans/, participants*.csv, submissions/, facts/")
    add_processed_option(parser)


SHOWN_PER_RULE = 3  # lines printed per file and rule; the rest are counted
# How each line about a submission begins, in the words of the people who fix the files.
NOT_LOADED = "файл не загружен"
REJECTED = "строка отклонена"
DROPPED = "значение не учтено"
NOTE = "замечание"


def summarised(frame, label: str, table: object = None) -> list[str]:
    """Lines for rejects-like rows, per file and rule: the first ``SHOWN_PER_RULE`` rows, then
    one line counting the rest (the full list stays in ``table`` when there is one)."""
    from analysis.ingest.run import row_lines

    if frame is None or frame.empty:
        return []
    lines = []
    for (file, rule), group in frame.groupby(["source_file", "rule"], sort=False):
        lines += [f"{label}: {line}" for line in row_lines(group.head(SHOWN_PER_RULE))]
        if len(group) > SHOWN_PER_RULE:
            where = f" — все они в {table}" if table else ""
            more = len(group) - SHOWN_PER_RULE
            lines.append(f"{label}: {file}: ещё {more} строк(и) по тому же правилу ({rule}){where}")
    return lines


def print_prepare_summary(result) -> None:
    """Problems on stderr, each once, summarised per file and rule; notes and totals on stdout."""
    processed = result.processed or Path("data/processed")
    problems = [f"plan set aside: {line}" for line in result.plan_errors]
    problems += [f"{NOT_LOADED}: {line}" for line in result.unreadable]
    if result.rejected is not None:
        problems += summarised(result.rejected, REJECTED, processed / "rejects.parquet")
    else:
        problems += [f"{REJECTED}: {line}" for line in result.rejects]
    problems += summarised(result.dropped, DROPPED)
    for line in problems:
        print(line, file=sys.stderr)
    for line in result.notices:
        print(f"{NOTE}: {line}")
    warnings = f", {result.fact_warnings} fact(s) far above target" if result.fact_warnings else ""
    print(
        f"data: {result.clusters} cluster(s), {result.plan_cells} plan cells; {result.files} file(s), "
        f"{result.rows_accepted} of {result.rows_read} rows accepted, {len(result.rejects)} rejection(s), "
        f"{len(result.unreadable)} file(s) skipped, {len(result.warnings)} plan warning(s){warnings}"
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
        default=None,
        metavar="DIR",
        help="also write great-expectations Data Docs of this run into DIR, for developers (they load "
        "scripts from CDNs, so the published site carries its own validation page instead)",
    )
