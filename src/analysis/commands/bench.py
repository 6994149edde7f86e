"""`python -m analysis bench`: time the staffing metrics on a national-size synthetic set and
the ingest of a generated region of 600 forms, each against its baseline."""

from __future__ import annotations

import sys

from analysis.bench.staffing import run_benchmark


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "bench",
        help="time the staffing metrics on synthetic national-size rosters",
        description="Generate a seeded synthetic country (600 clusters × 3 years, 200,000 roster rows, "
        "60,000 mentoring pairs by default), time every staffing metric against a per-cluster loop "
        "baseline; generate a region of 600 filled-in forms and time its ingest against reading with "
        "openpyxl; print each figure as a `name: value` line.",
    )
    parser.add_argument("--clusters", type=int, default=600, help="number of clusters (default 600)")
    parser.add_argument(
        "--roster-rows", type=int, default=200_000, help="teacher roster rows (default 200000)"
    )
    parser.add_argument("--pairs", type=int, default=60_000, help="mentoring pair rows (default 60000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic data (default 0)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs; the best counts (default 5)")
    parser.add_argument(
        "--ingest-clusters",
        type=int,
        default=200,
        metavar="N",
        help="clusters of the generated region the ingest benchmark reads, 3 forms each (default 200; "
        "0 skips it)",
    )
    parser.set_defaults(func=run)


def run(args) -> int:
    figures = run_benchmark(
        n_clusters=args.clusters,
        roster_rows=args.roster_rows,
        pair_rows=args.pairs,
        seed=args.seed,
        repeat=args.repeat,
        progress=lambda message: print(f"… {message}", file=sys.stderr, flush=True),
    )
    figures |= ingest_figures(args)
    for name, value in figures.items():
        print(f"{name}: {value}")
    return 0 if figures["staffing_results_match"] and figures.get("ingest_results_match", 1) else 1


def ingest_figures(args) -> dict:
    """The ingest benchmark (``analysis.bench.ingest``) unless ``--ingest-clusters 0``."""
    if args.ingest_clusters <= 0:
        return {}
    from analysis.bench.ingest import run_ingest_benchmark

    return run_ingest_benchmark(
        n_clusters=args.ingest_clusters,
        seed=args.seed,
        progress=lambda message: print(f"… {message}", file=sys.stderr, flush=True),
    )
