"""Where the project's folders are, from one place, whatever the working directory.

The project root is ``$PROFESSIONALITET_HOME`` when set, else the project this package is
installed from (``src/analysis`` → two levels up, as ``pip install -e .`` leaves it; with a
non-editable install set the variable). The data and reports folders derive from it, so a
notebook opened in JupyterLab (kernel working directory ``notebooks/``), ``jupyter nbconvert
--execute``, papermill started from any folder, a cron job started from ``/`` and a scratch
script all read the same data. A relative path given to a loader (a notebook's ``data_dir =
"data/processed"``) is read under the project root, not under the working directory.

The notebook templates belong to the code, not to the data: ``notebooks_dir`` is always the
package's own checkout, so ``PROFESSIONALITET_HOME`` may point at a folder holding only data.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_HOME = "PROFESSIONALITET_HOME"
PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def project_root() -> Path:
    """The project folder: ``$PROFESSIONALITET_HOME`` if set, else where the package lives."""
    home = os.environ.get(ENV_HOME, "").strip()
    return Path(home).expanduser().resolve() if home else PACKAGE_ROOT


def root_origin() -> str:
    """Where the project root comes from, in words a message can carry."""
    if os.environ.get(ENV_HOME, "").strip():
        return f"the project root {project_root()} is ${ENV_HOME}"
    return (
        f"the project root {PACKAGE_ROOT} is where the package is installed from "
        f"(set ${ENV_HOME} to use another)"
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


def notebooks_dir() -> Path:
    """``notebooks/`` of the package's checkout: the report templates papermill runs."""
    return PACKAGE_ROOT / "notebooks"


def resolve(path: str | Path, base: Path | None = None) -> Path:
    """An absolute path: ``path`` itself when absolute, else under ``base`` (the project root)."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else (base or project_root()) / path
