"""`python -m analysis demo`: write the demonstration facts (seeded, labelled as demo)."""

from __future__ import annotations

from analysis import demo
from analysis.commands.common import add_data_options
from analysis.pipeline import FACTS_DIR, REGISTRY_FILE
from analysis.plan import load_plans
from analysis.registry import load_registry


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="generate demonstration facts for the registry's clusters",
        description="Write data/raw/facts/demo-<cluster>.csv: made-up facts for every cluster of the "
        "registry, deterministic by seed, every row marked demo so reports label it. Real "
        "submissions in data/raw/facts/ are left alone.",
    )
    add_data_options(parser)
    parser.add_argument(
        "--seed", type=int, default=demo.DEFAULT_SEED, help="random seed (default: %(default)s)"
    )
    parser.add_argument(
        "--years",
        type=int,
        nargs="+",
        default=list(demo.DEFAULT_YEARS),
        metavar="YEAR",
        help="years to make facts for (default: %(default)s)",
    )
    parser.set_defaults(func=run)


def run(args) -> int:
    plan = load_plans(load_registry(args.raw / REGISTRY_FILE))
    for path in demo.write_demo_facts(plan, args.raw / FACTS_DIR, tuple(args.years), args.seed):
        print(f"demo facts: {path}")
    return 0
