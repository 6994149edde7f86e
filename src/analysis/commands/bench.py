"""`python -m analysis bench`: the speed targets, each against its baseline in the same run."""

from __future__ import annotations

import sys

BENCHMARKS = ("staffing", "ingest", "build", "national")


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "bench",
        help="measure the speed targets against their baselines (name: value lines)",
        description="staffing: generate a seeded synthetic country (600 clusters × 3 years, 200,000 "
        "roster rows, 60,000 mentoring pairs by default) and time every staffing metric against a "
        "per-cluster loop baseline. ingest: generate a region of 600 filled-in forms and time its "
        "ingest against reading with openpyxl. build: generate a region of 13 clusters × 3 years and "
        "time our cold, no-op and one-cluster-changed builds against the naive papermill + nbconvert "
        "loop. national: generate the national demonstration (400 clusters in 80 regions by default) "
        "and time its cold, no-op and one-cluster-changed builds, the CPU time per report and the floor "
        "of a report without notebook machinery. Each figure is printed as a `name: value` line.",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=BENCHMARKS,
        help="run only this benchmark (repeat for several; default: all)",
    )
    parser.add_argument("--clusters", type=int, default=600, help="staffing: clusters (default 600)")
    parser.add_argument(
        "--roster-rows", type=int, default=200_000, help="staffing: teacher roster rows (default 200000)"
    )
    parser.add_argument("--pairs", type=int, default=60_000, help="staffing: pair rows (default 60000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic data (default 0)")
    parser.add_argument("--repeat", type=int, default=5, help="staffing: timed runs; the best counts")
    parser.add_argument(
        "--ingest-clusters",
        type=int,
        default=200,
        metavar="N",
        help="ingest: clusters of the generated region, 3 forms each (default 200; 0 skips it)",
    )
    parser.add_argument(
        "--baseline-reports",
        type=int,
        default=None,
        metavar="N",
        help="build: time the naive loop on the first N reports only and scale it (default: all)",
    )
    parser.add_argument(
        "--national-clusters", type=int, default=400, metavar="N", help="national: clusters (default 400)"
    )
    parser.add_argument(
        "--national-regions", type=int, default=80, metavar="N", help="national: regions (default 80)"
    )
    parser.set_defaults(func=run)


def _progress(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


def _print(figures: dict) -> None:
    for name, value in figures.items():
        print(f"{name}: {value}", flush=True)


def run(args) -> int:
    chosen = args.only or BENCHMARKS
    ok = True
    if "staffing" in chosen:
        from analysis.bench.staffing import run_benchmark

        figures = run_benchmark(
            n_clusters=args.clusters,
            roster_rows=args.roster_rows,
            pair_rows=args.pairs,
            seed=args.seed,
            repeat=args.repeat,
            progress=_progress,
        )
        _print(figures)
        ok &= bool(figures["staffing_results_match"])
    if "ingest" in chosen and args.ingest_clusters > 0:
        from analysis.bench.ingest import run_ingest_benchmark

        figures = run_ingest_benchmark(n_clusters=args.ingest_clusters, seed=args.seed, progress=_progress)
        _print(figures)
        ok &= bool(figures.get("ingest_results_match", 1))
    if "build" in chosen:
        from analysis.bench.build import run_build_benchmark

        _print(run_build_benchmark(baseline_limit=args.baseline_reports, progress=_progress))
    if "national" in chosen:
        from analysis.bench.national import run_national_benchmark

        _print(
            run_national_benchmark(
                args.national_clusters, args.national_regions, seed=args.seed, progress=_progress
            )
        )
    return 0 if ok else 1
