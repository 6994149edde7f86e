"""Where the project's folders are, from one place, whatever the working directory.

Two places, kept apart:

- **the project home** — data (``data/raw``, ``data/processed``), ``reports/`` and logs — is
  ``$PROFESSIONALITET_HOME`` (``python -m analysis --home DIR …`` sets it for the command and
  every process it starts); without it, the source checkout the package runs from (an editable
  install, ``make venv``). An installed package without a home refuses with one line saying how
  to name one, rather than writing data beside the installed code or into the working directory.
- **the package's own files** — the report notebooks, the starter notebook and the seed plan —
  ship inside the package (``importlib.resources``): in a wheel they are
  ``analysis/notebooks/`` and ``analysis/seed/``; in a checkout the notebooks are the checkout's
  ``notebooks/`` folder itself (the wheel's build copies them in; ``setup.py``).

So a notebook opened in JupyterLab (kernel working directory ``notebooks/``), ``jupyter nbconvert
--execute``, papermill started from any folder, a cron job started from ``/`` and a scratch
script all read the same data. A relative path given to a loader (a notebook's ``data_dir =
"data/processed"``) is read under the project home, not under the working directory.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from analysis.errors import AnalysisError

ENV_HOME = "PROFESSIONALITET_HOME"
PACKAGE_DIR = Path(__file__).resolve().parent
# Where the package is installed from: the checkout for an editable install (src/analysis → two
# levels up); for an installed wheel a folder of the Python installation, never a project home.
PACKAGE_ROOT = PACKAGE_DIR.parents[1]
REPORT_NOTEBOOKS = ("cluster_report.ipynb", "region_report.ipynb")


class NoProjectHome(AnalysisError, LookupError):
    """An installed package was asked for a project folder and none was named."""

    def __init__(self) -> None:
        super().__init__(
            "no project folder: pass --home DIR (python -m analysis --home DIR COMMAND) or set "
            f"{ENV_HOME}=DIR — the folder for data/, reports/ and logs/, created when missing"
        )


def checkout() -> Path | None:
    """The source checkout the package runs from (an editable install), or None (a wheel)."""
    if PACKAGE_DIR.parent.name == "src" and (PACKAGE_ROOT / "pyproject.toml").is_file():
        return PACKAGE_ROOT
    return None


def home_from_environment() -> Path | None:
    """``$PROFESSIONALITET_HOME`` as an absolute path, or None when unset or blank."""
    home = os.environ.get(ENV_HOME, "").strip()
    return Path(home).expanduser().resolve() if home else None


def project_root() -> Path:
    """The project home: ``$PROFESSIONALITET_HOME`` if set, else the checkout the package runs
    from; :class:`NoProjectHome` for an installed package without either."""
    home = home_from_environment() or checkout()
    if home is None:
        raise NoProjectHome()
    return home


def root_origin() -> str:
    """Where the project root comes from, in words a message can carry."""
    if home_from_environment():
        return f"the project root {project_root()} is ${ENV_HOME}"
    return (
        f"the project root {PACKAGE_ROOT} is where the package is installed from "
        f"(set ${ENV_HOME} or pass --home to use another)"
    )


def raw_dir() -> Path:
    """``data/raw/``: inputs as received, read-only for the build."""
    return project_root() / "data" / "raw"


def processed_dir() -> Path:
    """``data/processed/``: the tidy tables ingestion writes and reports read."""
    return project_root() / "data" / "processed"


def reports_dir() -> Path:
    """``reports/``: the published site."""
    return project_root() / "reports"


def logs_dir() -> Path:
    """``logs/``: where scheduled runs keep their logs (the README's cron line)."""
    return project_root() / "logs"


def package_notebooks_dir() -> Path:
    """The notebooks shipped with the package: ``analysis/notebooks`` of a wheel, the checkout's
    ``notebooks/`` (their source) for an editable install."""
    shipped = Path(str(resources.files("analysis") / "notebooks"))
    if (shipped / REPORT_NOTEBOOKS[0]).is_file():
        return shipped
    source = checkout()
    if source is not None:
        return source / "notebooks"
    return shipped  # a broken install: the caller names the missing file


def notebooks_dir() -> Path:
    """The report templates papermill runs: the home's ``notebooks/`` when it holds both report
    notebooks (a site's own adapted templates; a checkout's are the package's), else the ones
    shipped with the package — so a home may hold only data."""
    home = home_from_environment() or checkout()
    if home is not None and all((home / "notebooks" / name).is_file() for name in REPORT_NOTEBOOKS):
        return home / "notebooks"
    return package_notebooks_dir()


def seed_dir() -> Path:
    """The seed registry and plan shipped with the package (``seed/clusters.csv``,
    ``seed/plans/samara-law.csv``: the real plan of the seed cluster) — what ``demo`` writes into
    a home that has no registry yet."""
    return Path(str(resources.files("analysis") / "seed"))


def resolve(path: str | Path, base: Path | None = None) -> Path:
    """An absolute path: ``path`` itself when absolute, else under ``base`` (the project root)."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else (base or project_root()) / path
