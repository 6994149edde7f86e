"""`python -m analysis lab`: JupyterLab on the project, the notebooks' kernel as the default."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from analysis import settings
from analysis.site.kernel import KERNEL_NAME, ensure_kernel

DEFAULT_PORT = 8888


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "lab",
        help="start JupyterLab on the project with the project's kernel as the default",
        description="Start JupyterLab on the folder of the notebooks — the checkout the package "
        "runs from, else (an installed package) the project home, which gets a copy of the "
        "package's notebooks/exploratory/starter.ipynb when it has none — on "
        "127.0.0.1 with the kernel 'Python (professionalitet)' as the default for new notebooks — "
        "installed first if missing — and --allow-root when run as root (containers). The notebooks "
        f"read data/processed/ of the project root (${settings.ENV_HOME} when set). Arguments after "
        "`--` go to JupyterLab as they are, e.g. `-- --ServerApp.ip=0.0.0.0` to listen on every "
        "interface of a container.",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="default: %(default)s")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument("jupyter_args", nargs="*", metavar="-- ARG", help="more JupyterLab options")
    parser.set_defaults(func=run)


def lab_root() -> Path:
    """The folder JupyterLab opens: the checkout (its notebooks/), else the project home."""
    return settings.checkout() or settings.project_root()


def lab_argv(port: int = DEFAULT_PORT, browser: bool = True, extra: list[str] | None = None) -> list[str]:
    """The JupyterLab command line `lab` runs (`make lab` too)."""
    argv = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={lab_root()}",
        f"--MappingKernelManager.default_kernel_name={KERNEL_NAME}",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
    ]
    if getattr(os, "geteuid", lambda: -1)() == 0:
        argv.append("--allow-root")
    if not browser:
        argv.append("--no-browser")
    return argv + list(extra or [])


STARTER = Path("notebooks") / "exploratory" / "starter.ipynb"


def place_starter(home: Path) -> Path | None:
    """Copy the package's starter notebook into a home that has none; return the copy's path.
    Only the starter: report templates in the home would replace the package's in builds."""
    target = home / STARTER
    if target.exists():
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(settings.package_notebooks_dir() / "exploratory" / "starter.ipynb", target)
    return target


def run(args) -> int:
    home = settings.project_root()
    # The kernels JupyterLab starts inherit it, so notebooks read this home's data.
    os.environ[settings.ENV_HOME] = str(home)
    if settings.checkout() is None:
        copied = place_starter(home)
        if copied:
            print(f"lab: copied the starter notebook to {copied}")
    ensure_kernel()
    argv = lab_argv(args.port, not args.no_browser, args.jupyter_args)
    print(" ".join(argv), flush=True)
    sys.stderr.flush()
    os.execv(sys.executable, argv)
    return 1  # not reached: JupyterLab replaced this process
