"""`python -m analysis import-plan`: a cluster's plan from its document into the canonical file."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from analysis.commands.common import add_raw_option
from analysis.errors import Location, RegistryError, UnknownClusterError
from analysis.sources.plan import plan_version, read_plan_file, write_plan_file
from analysis.sources.plan_import.assemble import ImportResult, SourceError
from analysis.sources.plan_import.revision import diff_plans, replace_file
from analysis.sources.plan_import.summary import summary_lines

FORMATS = {
    ".txt": "text",
    ".text": "text",
    ".docx": "docx",
    ".pdf": "pdf",
    ".xlsx": "federal",
    ".xlsm": "federal",
}


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "import-plan",
        help="import a cluster's plan (Appendix 2: text, .docx, .pdf; federal indicators: .xlsx)",
        description="Read a cluster's plan of measures from its Appendix 2 document — the text layer "
        "of the PDF, a .docx with the plan as a Word table, or the .pdf itself — or its federal "
        "performance indicators from the operator's .xlsx (a row per cluster), and write the canonical "
        "file the build uses. Prints what was read and what changed against the current file; the "
        "file it replaces is kept under history/<cluster>/<plan version>.csv beside it.",
    )
    parser.add_argument("path", type=Path, help="the source document (.txt, .docx, .pdf or .xlsx)")
    parser.add_argument("--cluster", required=True, help="cluster id from the registry, e.g. samara-law")
    parser.add_argument("--out", type=Path, help="write here instead of the cluster's canonical file")
    add_raw_option(parser, "folder holding clusters.csv")
    parser.add_argument("--format", choices=sorted(set(FORMATS.values())), help="default: from the suffix")
    parser.add_argument("--sheet", help="worksheet of the federal .xlsx (default: the first)")
    parser.add_argument(
        "--dry-run", action="store_true", help="show what was read and changed; write nothing"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    fmt = args.format or FORMATS.get(args.path.suffix.lower())
    if fmt is None:
        raise SourceError(
            Location(file=str(args.path)),
            "unknown document type",
            f"use one of {sorted(FORMATS)} or pass --format",
        )
    if not args.path.exists():
        raise SourceError(Location(file=str(args.path)), "the document does not exist")
    result = read_source(args.path, fmt, args.cluster, args.sheet)
    federal = fmt == "federal"
    target = args.out or default_target(args.raw, args.cluster, federal)
    text = _write(result.plan, federal)
    print(f"{args.path} → {target} ({'federal indicators' if federal else 'plan of measures'})")
    for line in summary_lines(result):
        print(f"  {line}")
    if target.exists():
        current = _read(target, federal)
        changes = diff_plans(current, result.plan)
        print(f"changes against {target} (version {plan_version(target)}): {_count(changes)}")
        if not changes.empty:
            print(changes.to_string(index=False))
    if args.dry_run:
        print("dry run: nothing written")
        return 0
    kept = replace_file(target, text, args.cluster)
    if kept is not None:
        print(f"previous version kept as {kept}")
    print(f"wrote {target} (version {plan_version(target)})")
    return 0


def read_source(path: Path, fmt: str, cluster_id: str, sheet: str | None = None) -> ImportResult:
    """Import a document of the given format ('text', 'docx', 'pdf' or 'federal')."""
    if fmt == "text":
        from analysis.sources.plan_import.text import read_text_file

        return read_text_file(path)
    if fmt == "docx":
        from analysis.sources.plan_import.docx import read_docx_file

        return read_docx_file(path)
    if fmt == "pdf":
        from analysis.sources.plan_import.pdf import read_pdf_file

        return read_pdf_file(path)
    from analysis.sources.plan_import.federal import read_federal_xlsx

    return read_federal_xlsx(path, cluster_id, sheet)


def default_target(raw: Path, cluster_id: str, federal: bool) -> Path:
    """The cluster's canonical file: its registry ``plan_file``, or ``plans/federal/<cluster>.csv``."""
    if federal:
        return raw / "plans" / "federal" / f"{cluster_id}.csv"
    registry = raw / "clusters.csv"
    if not registry.exists():
        raise RegistryError(
            Location(file=str(registry)),
            "the cluster registry does not exist",
            "pass --raw pointing at the folder that holds clusters.csv, or --out",
        )
    # Read directly, not via load_registry: that one insists the plan file exists already.
    frame = pd.read_csv(registry, dtype=str, keep_default_na=False, encoding="utf-8")
    ids = frame.get("cluster_id", pd.Series(dtype=str))
    rows = frame[ids == cluster_id]
    if rows.empty:  # a usage error, as in every command: the known ids listed
        raise UnknownClusterError(f"unknown cluster {cluster_id!r}; the registry lists: {', '.join(ids)}")
    if not rows.iloc[0].get("plan_file", ""):
        raise RegistryError(
            Location(file=str(registry)),
            f"no plan_file for cluster {cluster_id!r}",
            "add the cluster to the registry, or pass --out",
        )
    return raw / rows.iloc[0]["plan_file"]


def _write(frame: pd.DataFrame, federal: bool) -> str:
    if federal:
        from analysis.sources.federal import write_federal_file

        return write_federal_file(frame)
    return write_plan_file(frame)


def _read(path: Path, federal: bool) -> pd.DataFrame:
    if federal:
        from analysis.sources.federal import read_federal_file

        return read_federal_file(path)
    return read_plan_file(path)


def _count(changes: pd.DataFrame) -> str:
    if changes.empty:
        return "none"
    counts = changes["change"].value_counts()
    return ", ".join(f"{counts[c]} {c}" for c in ("added", "removed", "changed") if c in counts)
