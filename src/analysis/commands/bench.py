"""`python -m analysis bench`: time the staffing metrics on a national-size synthetic set."""

from __future__ import annotations

import sys


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "bench",
        help="time the staffing metrics on synthetic national-size rosters",
        description="Generate a seeded synthetic country (600 clusters × 3 years, 200,000 roster rows, "
        "60,000 mentoring pairs by default), time every staffing metric against a per-cluster loop "
        "baseline and print each figure as a `name: value` line.",
    )
    parser.add_argument("--clusters", type=int, default=600, help="number of clusters (default 600)")
    parser.add_argument(
        "--roster-rows", type=int, default=200_000, help="teacher roster rows (default 200000)"
    )
    parser.add_argument("--pairs", type=int, default=60_000, help="mentoring pair rows (default 60000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic data (default 0)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs; the best counts (default 5)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from analysis.bench.staffing import run_benchmark

    figures = run_benchmark(
        n_clusters=args.clusters,
        roster_rows=args.roster_rows,
        pair_rows=args.pairs,
        seed=args.seed,
        repeat=args.repeat,
        progress=lambda message: print(f"… {message}", file=sys.stderr, flush=True),
    )
    for name, value in figures.items():
        print(f"{name}: {value}")
    return 0 if figures["staffing_results_match"] else 1
