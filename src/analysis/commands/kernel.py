"""`python -m analysis kernel`: install the project's Jupyter kernel into its environment."""

from __future__ import annotations


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "kernel",
        help="install the notebooks' Jupyter kernel for this environment",
        description="Install (or repair) the 'professionalitet' Jupyter kernel so notebooks run on "
        "this environment's Python. `make venv` does it for you.",
    )
    parser.set_defaults(func=run)


def run(args) -> int:
    from analysis.site.kernel import ensure_kernel

    print(f"kernel {ensure_kernel()!r} runs {__import__('sys').executable}")
    return 0
