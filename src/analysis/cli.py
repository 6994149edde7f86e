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

# Modules that contribute a sub-command, in the order `--help` lists them, by command name
# (aliases included): a command imports only its own module, so `build` with nothing to do
# does not pay for importing pandas, openpyxl or great-expectations.
COMMANDS = {
    "demo": "analysis.commands.demo",
    "template": "analysis.commands.template",
    "ingest": "analysis.commands.ingest",
    "prepare": "analysis.commands.ingest",
    "keygen": "analysis.commands.keygen",
    "build": "analysis.commands.build",
    "show": "analysis.commands.show",
    "changes": "analysis.commands.changes",
    "kernel": "analysis.commands.kernel",
    "lab": "analysis.commands.lab",
    "import-plan": "analysis.commands.import_plan",
    "bench": "analysis.commands.bench",
}
COMMAND_MODULES = list(dict.fromkeys(COMMANDS.values()))

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def make_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or of ``command`` alone when it is a known name."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Plan-vs-fact and staffing reports for Professionalitet educational clusters.",
        epilog="Run `python -m analysis COMMAND --help` for the options of one command.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    modules = [COMMANDS[command]] if command in COMMANDS else COMMAND_MODULES
    for name in modules:
        importlib.import_module(name).add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = make_parser(command)
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
