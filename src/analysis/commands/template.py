"""`python -m analysis template`: write the collection form of one cluster-year, prefilled."""

from __future__ import annotations

from pathlib import Path

from analysis.commands.common import add_raw_option


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "template",
        help="write the Excel collection form of a cluster-year, prefilled from its plan",
        description="Write <cluster>_<year>.xlsx: the form a cluster fills in with its facts, rosters "
        "and enrolment for one year — planned cells of the year, programmes and participant "
        "organisations prefilled, data validation and an instruction sheet in Russian.",
    )
    parser.add_argument("--cluster", required=True, metavar="ID", help="cluster id from the registry")
    parser.add_argument("--year", required=True, type=int, metavar="Y", help="reporting year of the plan")
    parser.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="where to write the form (default: <cluster>_<year>.xlsx in the current folder)",
    )
    add_raw_option(parser, "raw inputs: clusters.csv, plans/, participants*.csv")
    parser.set_defaults(func=run)


def run(args) -> int:
    from analysis.sources.template import write_template

    path = write_template(args.cluster, args.year, args.raw, args.out)
    print(f"form: {path}")
    return 0
