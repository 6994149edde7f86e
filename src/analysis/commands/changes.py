"""`python -m analysis changes`: what changed between two builds, from their history
(``data/history/``) — the rows of ``reports/changes.html``, in the terminal."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from analysis.commands.common import add_processed_option

FORMATS = ("table", "csv", "json")


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "changes",
        help="what changed since the previous build (or a chosen build or date)",
        description="Compare the latest build kept in data/history/ with the one before it, or with the "
        "build given by --since: files received, replaced or rejected, cells whose status moved, rates "
        "that moved, reports newly failed or recovered, plans re-imported.",
    )
    parser.add_argument(
        "--since",
        default=None,
        metavar="DATE|BUILD",
        help="compare with the last build kept on or before this day (YYYY-MM-DD), or with this build "
        "(its id, as data/history/ names it: 20261203T023000); default: the build before the latest",
    )
    parser.add_argument("--format", choices=FORMATS, default="table", help="table (default), csv or json")
    add_processed_option(parser, "the processed tables; the history is data/history/ beside them")
    parser.set_defaults(func=run)


def choose(kept: list[Path], since: str | None) -> Path | None:
    """The earlier build to compare the latest with; raises ValueError naming the builds kept."""
    if since is None:
        return kept[-2] if len(kept) > 1 else None
    ids = [p.stem for p in kept]
    if since in ids:
        return kept[ids.index(since)]
    if len(since) == 10 and since[4] == "-" and since[7] == "-":
        day = since.replace("-", "")
        earlier = [p for p in kept if p.stem[:8] <= day]
        if earlier:
            return earlier[-1]
    raise ValueError(f"no build {since!r} in the history; kept: {', '.join(ids) or 'none'}")


def run(args) -> int:
    from analysis.site import changes as c
    from analysis.site import history as h

    kept = h.builds(h.history_dir(args.processed))
    if not kept:
        print(
            f"error: no build kept in {h.history_dir(args.processed)}: run `python -m analysis build`",
            file=sys.stderr,
        )
        return 2
    try:
        earlier = choose(kept, args.since)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = c.compare(
        h.load(earlier) if earlier is not None else None,
        h.load(kept[-1]),
        earlier.stem if earlier is not None else "",
        kept[-1].stem,
    )
    if args.format == "csv":
        result.rows.to_csv(sys.stdout, index=False)
    elif args.format == "json":
        payload = {"since": result.since, "until": result.until, "counts": result.counts}
        payload["changes"] = json.loads(result.rows.to_json(orient="records", force_ascii=False))
        print(json.dumps(payload, ensure_ascii=False, indent=1))
    else:
        sys.stdout.write(c.plain_text(result))
    return 0
