"""`python -m analysis import-plan`: a cluster's plan from its document into the canonical file.

The import itself is ``analysis.commands.import_plan_run``, imported when the command runs:
`python -m analysis --help` imports this module to list the command, and answers at once.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.commands.common import add_raw_option

FORMATS = {
    ".txt": "text",
    ".text": "text",
    ".docx": "docx",
    ".pdf": "pdf",
    ".xlsx": "sheet",
    ".xlsm": "sheet",
    ".csv": "sheet",
}
SOURCES = ["text", "docx", "pdf", "sheet", "federal"]


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "import-plan",
        help="import a cluster's plan (Appendix 2: text, .docx, .pdf, .xlsx, .csv; federal: .xlsx)",
        description="Read a cluster's plan of measures from its Appendix 2 document — the text layer "
        "of the PDF, a .docx with the plan as a Word table, the .pdf itself, or the plan retyped in "
        ".xlsx/.csv — or its federal performance indicators from the operator's .xlsx (a row per "
        "cluster; told apart by its cluster id column), and write the canonical file the build uses. "
        "Prints what was read and what changed against the current file; the file it replaces is kept "
        "under history/<cluster>/<plan version>.csv beside it. A cell that is not a target mark, a "
        "value glued to a title or a row that cannot be right stops the import (exit 1) with the "
        "places named; --accept-warnings imports anyway.",
    )
    parser.add_argument("path", type=Path, help="the source document (.txt, .docx, .pdf, .xlsx or .csv)")
    parser.add_argument("--cluster", required=True, help="cluster id from the registry, e.g. samara-law")
    parser.add_argument("--out", type=Path, help="write here instead of the cluster's canonical file")
    add_raw_option(parser, "folder holding clusters.csv")
    parser.add_argument(
        "--from", dest="source_type", choices=SOURCES, help="document type (default: from the suffix)"
    )
    parser.add_argument(
        "--format", choices=["text", "json"], default="text", help="how to print what was read and changed"
    )
    parser.add_argument("--sheet", help="worksheet of an .xlsx (default: the first)")
    parser.add_argument(
        "--accept-warnings",
        action="store_true",
        help="import even when places need checking (they are listed; their cells are left empty)",
    )
    parser.add_argument(
        "--preview", type=Path, metavar="FILE.html", help="also write an HTML preview to check"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="show what was read and changed; write nothing"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from analysis.commands.import_plan_run import run as import_plan

    return import_plan(args)
