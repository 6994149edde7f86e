"""The one entry point: ``python -m analysis <command>`` — used by make, CI, cron and people.

Each command lives in its own module that exposes ``add_parser(subparsers)``; the parser it
adds sets ``func`` to a callable taking the parsed arguments and returning an exit code.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from pathlib import Path

from analysis import __version__, settings
from analysis.commands.common import NO_HOME
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
    parser.add_argument("--version", action="version", version=f"analysis {__version__}")
    parser.add_argument(
        "--home",
        type=Path,
        metavar="DIR",
        help=f"the project folder (data/, reports/, logs/) for this command and every process it "
        f"starts; default ${settings.ENV_HOME}, else the checkout the package runs from",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    modules = [COMMANDS[command]] if command in COMMANDS else COMMAND_MODULES
    for name in modules:
        importlib.import_module(name).add_parser(subparsers)
    return parser


def _global_options(argv: list[str]) -> tuple[str | None, str | None]:
    """The ``--home`` value and the command name, from the options before the command."""
    home = command = None
    tokens = iter(argv)
    for token in tokens:
        if token == "--home":
            home = next(tokens, None)
        elif token.startswith("--home="):
            home = token.split("=", 1)[1]
        elif not token.startswith("-"):
            command = token
            break
    return home, command


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    home, command = _global_options(argv)
    if home:
        # In the environment, so report processes, kernels and JupyterLab read the same home.
        os.environ[settings.ENV_HOME] = str(Path(home).expanduser().resolve())
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
        if any(value is NO_HOME for value in vars(args).values()):  # a folder of a home that is not there
            raise settings.NoProjectHome()
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
