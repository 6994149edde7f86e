"""`python -m analysis demo`: write the demonstration region (seeded, labelled as demo)."""

from __future__ import annotations

from analysis.commands.common import add_data_options
from analysis.demo import DEFAULT_SEED


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="generate the demonstration region: clusters, plans, participants, filled-in forms",
        description="Write the demonstration region under the raw folder: clusters-demo.csv, "
        "plans/demo-*.csv, participants-demo.csv and filled-in forms in submissions/ for every "
        "cluster (samara-law included) — invented, deterministic by seed, labelled demo, with a "
        "few real-life mistakes planted for validation to find. Real files are left alone, "
        "except that demo forms of samara-law are written to submissions/ too.",
    )
    add_data_options(parser)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default: %(default)s)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from analysis.demo.region import DEFECTS, write_demo_region

    written = write_demo_region(args.raw, args.seed)
    for path in written:
        print(f"demo: {path}")
    print(f"demo region: {len(written)} files written; planted defects:")
    for defect in DEFECTS:
        where = ", ".join(
            str(part)
            for part in (defect.file, defect.sheet, defect.row and f"row {defect.row}", defect.column)
            if part
        )
        print(f"  {defect.kind}: {where} — {defect.rule}")
    return 0
