"""`python -m analysis import-plan` at work: read the document, print what was read and what
changed, write the canonical file (the command's options: ``analysis.commands.import_plan``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from analysis.commands.import_plan import FORMATS
from analysis.errors import Location, RegistryError, UnknownClusterError
from analysis.sources.plan import plan_version, read_plan_file, write_plan_file
from analysis.sources.plan_import.assemble import ImportResult, SourceError
from analysis.sources.plan_import.revision import diff_lines, diff_plans, diff_records, replace_file
from analysis.sources.plan_import.summary import summary_lines


def run(args: argparse.Namespace) -> int:
    fmt = args.source_type or FORMATS.get(args.path.suffix.lower())
    if fmt is None:
        raise SourceError(
            Location(file=str(args.path)),
            "неизвестный тип документа",
            f"нужен один из {', '.join(sorted(FORMATS))} или укажите --from",
        )
    if not args.path.exists():
        raise SourceError(Location(file=str(args.path)), "документ не найден", "проверьте путь")
    result = read_source(args.path, fmt, args.cluster, args.sheet)
    federal = "kind" not in result.plan.columns
    target = args.out or default_target(args.raw, args.cluster, federal)
    text = _write(result.plan, federal)
    current = _read(target, federal) if target.exists() else None
    if args.preview:
        from analysis.sources.plan_import.preview import write_preview

        write_preview(result, args.preview, args.cluster)
    stopped = bool(result.problems) and not args.accept_warnings
    if args.format == "json":
        _print_json(args, result, target, current, stopped)
    else:
        _print_text(args, result, target, current)
    if stopped:
        for problem in result.problems:
            print(f"  {problem}", file=sys.stderr)
        raise SourceError(
            Location(file=str(args.path)),
            f"импорт остановлен: мест для проверки — {len(result.problems)} (список выше)",
            "исправьте документ или, проверив каждое место, повторите с --accept-warnings",
        )
    if args.dry_run:
        if args.format == "text":
            print("пробный запуск (--dry-run): ничего не записано")
        return 0
    kept = replace_file(target, text, args.cluster)
    if args.format == "text":
        if kept is not None:
            print(f"предыдущая версия сохранена: {kept}")
        print(f"записано: {target} (версия {plan_version(target)})")
    return 0


def _print_text(args, result: ImportResult, target: Path, current: pd.DataFrame | None) -> None:
    kind = "федеральные показатели" if "kind" not in result.plan.columns else "план мероприятий"
    print(f"{args.path} → {target} ({kind})")
    for line in summary_lines(result, accepted=args.accept_warnings):
        print(f"  {line}")
    if current is not None:
        lines = diff_lines(current, result.plan)
        counted = _count(diff_plans(current, result.plan))
        print(f"изменения против {target} (версия {plan_version(target)}): {counted}")
        for line in lines:
            print(f"  {line}")


def _print_json(
    args, result: ImportResult, target: Path, current: pd.DataFrame | None, stopped: bool
) -> None:
    document = {
        "source": str(args.path),
        "target": str(target),
        "written": not stopped and not args.dry_run,
        "summary": summary_lines(result, accepted=args.accept_warnings),
        "problems": result.problems,
        "warnings": result.warnings,
        "notes": result.notes,
        "cells_read": result.cells_read,
        "changes": diff_records(current, result.plan) if current is not None else None,
        "plan": result.plan.to_dict("records"),
    }
    print(json.dumps(document, ensure_ascii=False, indent=1))


def read_source(path: Path, fmt: str, cluster_id: str, sheet: str | None = None) -> ImportResult:
    """Import a document of the given type ('text', 'docx', 'pdf', 'sheet' or 'federal').

    A spreadsheet ('sheet') holding the operator's federal indicators (a cluster id column) is
    read as such; otherwise as Appendix 2 retyped in a table."""
    if fmt == "text":
        from analysis.sources.plan_import.text import read_text_file

        return read_text_file(path)
    if fmt == "docx":
        from analysis.sources.plan_import.docx import read_docx_file

        return read_docx_file(path)
    if fmt == "pdf":
        from analysis.sources.plan_import.pdf import read_pdf_file

        return read_pdf_file(path)
    if fmt == "sheet":
        from analysis.sources.plan_import.sheet import is_federal_sheet, read_sheet_file

        if not is_federal_sheet(path, sheet):
            return read_sheet_file(path, sheet)
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
            "нет реестра кластеров",
            "укажите --raw с папкой, где лежит clusters.csv, или --out",
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
            f"у кластера «{cluster_id}» нет plan_file в реестре",
            "добавьте кластер в реестр или укажите --out",
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
        return "нет"
    counts = changes["change"].value_counts()
    words = {"added": "добавлено строк", "removed": "удалено строк", "changed": "изменено ячеек"}
    return ", ".join(f"{words[c]}: {counts[c]}" for c in ("added", "removed", "changed") if c in counts)
