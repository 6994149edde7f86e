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
    parser.set_defaults(func=run)


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
    from analysis.demo.region import DEFECTS, write_demo_region

    for path in seed_raw(Path(args.raw)):
        print(f"seed: {path}")
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
