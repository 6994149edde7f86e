"""`python -m analysis demo`: write the demonstration region (seeded, labelled as demo)."""

from __future__ import annotations

import shutil
from pathlib import Path

from analysis import settings
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
        "except that demo forms of samara-law are written to submissions/ too. A raw folder without "
        "clusters.csv (a new project home) first gets the package's seed: the registry row and the "
        "real plan of samara-law.",
    )
    add_data_options(parser)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default: %(default)s)")
    parser.add_argument(
        "--national",
        action="store_true",
        help="write the national demonstration instead: about 400 clusters in 80 regions "
        "(clusters-national.csv, plans/nat-*.csv, participants-national.csv, their forms), beside "
        "the real data and never over a file it did not write",
    )
    parser.add_argument(
        "--clusters", type=int, default=400, help="with --national: clusters (default: %(default)s)"
    )
    parser.add_argument(
        "--regions", type=int, default=80, help="with --national: regions (default: %(default)s)"
    )
    parser.add_argument(
        "--remove",
        action="store_true",
        help="with --national: only remove what the national demonstration wrote (as it recorded it)",
    )
    parser.set_defaults(func=run)


def run_national(args) -> int:
    from analysis.demo.national import clean_national, write_national_demo
    from analysis.demo.region import REGISTRY_FILE, SEED_CLUSTER
    from analysis.sources.plan import read_plan_file
    from analysis.sources.registry import load_registry

    if args.remove:
        removed = clean_national(args.raw)
        print(f"national demo: {len(removed)} files removed from {args.raw}")
        return 0
    if args.clusters < args.regions or args.regions < 1:
        print(f"demo: --clusters ({args.clusters}) must be at least --regions ({args.regions}) ≥ 1")
        return 2
    real = load_registry(args.raw / REGISTRY_FILE)
    if SEED_CLUSTER not in set(real["cluster_id"]):
        print(f"demo: the registry has no {SEED_CLUSTER!r}: its plan is the pattern of the demo plans")
        return 2
    seed_plan = read_plan_file(real.loc[real["cluster_id"] == SEED_CLUSTER, "plan_path"].iloc[0])
    try:
        written = write_national_demo(args.raw, seed_plan, args.clusters, args.regions, args.seed)
    except FileExistsError as exc:
        print(f"demo: {exc}")
        return 2
    forms = sum(1 for p in written if p.suffix == ".xlsx")
    print(f"national demo: {forms} forms and {len(written) - forms} other files written under {args.raw}")
    return 0


def seed_raw(raw: Path) -> list[Path]:
    """Copy the package's seed registry and plan into a raw folder that has no registry."""
    if (raw / "clusters.csv").exists():
        return []
    seed = settings.seed_dir()
    written = []
    for source in (seed / "clusters.csv", *sorted((seed / "plans").glob("*.csv"))):
        target = raw / source.relative_to(seed)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            written.append(target)
    return written


def run(args) -> int:
    for path in seed_raw(Path(args.raw)):
        print(f"seed: {path}")
    if args.national:
        return run_national(args)
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
