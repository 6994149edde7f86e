"""The one entry point: ``python -m analysis <command>`` — used by make, CI, cron and people.

Each command lives in its own module that exposes ``add_parser(subparsers)``; the parser it
adds sets ``func`` to a callable taking the parsed arguments and returning an exit code.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from analysis.errors import AnalysisError

# Modules that contribute a sub-command, in the order `--help` lists them.
COMMAND_MODULES = [
    "analysis.commands.demo",
    "analysis.commands.template",
    "analysis.commands.ingest",
    "analysis.commands.keygen",
    "analysis.commands.build",
    "analysis.commands.show",
    "analysis.commands.kernel",
    "analysis.commands.lab",
    "analysis.commands.import_plan",
    "analysis.commands.bench",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Plan-vs-fact and staffing reports for Professionalitet educational clusters.",
        epilog="Run `python -m analysis COMMAND --help` for the options of one command.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, format="%(levelname)s %(name)s: %(message)s"
    )
    # papermill and great-expectations log every notebook / store they open at INFO; the build
    # prints its own summary.
    for noisy in ("papermill", "great_expectations"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    try:
        return int(args.func(args) or EXIT_OK)
    except AnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, (LookupError, ValueError)) else EXIT_FAILED
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not a user's input: one line, the traceback on request
        if args.verbose:
            raise
        print(
            f"internal error: {type(exc).__name__}: {exc} — rerun with -v for the traceback and report it",
            file=sys.stderr,
        )
        return EXIT_FAILED
