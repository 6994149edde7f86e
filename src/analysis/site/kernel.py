"""The Jupyter kernel the report notebooks run on: this project's own Python environment.

Notebooks name the kernel ``professionalitet``. ``ensure_kernel`` installs its spec into the
running environment (``sys.prefix``) pointing at this very interpreter, so papermill, nbclient
and JupyterLab started from the environment run notebooks with the project's package on any
machine, whatever other kernels the user has.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

from analysis.errors import AnalysisError

logger = logging.getLogger(__name__)

KERNEL_NAME = "professionalitet"
# The kernel process logs only critical errors: its start-up warning about unencrypted TCP on
# loopback and the interrupt jupyter_client sends at shutdown would otherwise fill every
# unattended build's log. Errors of cells still reach the notebook and the build summary.
QUIET = "--IPKernelApp.log_level=CRITICAL"
DISPLAY_NAME = "Python (professionalitet)"


class KernelError(AnalysisError):
    """The notebooks' kernel resolves to another Python than the project's environment."""


def _same_python(argv0: str) -> bool:
    try:
        return Path(argv0).resolve() == Path(sys.executable).resolve()
    except OSError:
        return False


def ensure_kernel() -> str:
    """Install or repair the project kernel for this interpreter; return its name."""
    manager = KernelSpecManager()
    try:
        spec = manager.get_kernel_spec(KERNEL_NAME)
    except NoSuchKernel:
        spec = None
    if spec is not None and _same_python(spec.argv[0]) and QUIET in spec.argv:
        return KERNEL_NAME
    from ipykernel.kernelspec import install

    folder = Path(install(kernel_name=KERNEL_NAME, display_name=DISPLAY_NAME, prefix=sys.prefix))
    config = json.loads((folder / "kernel.json").read_text(encoding="utf-8"))
    config["argv"].append(QUIET)
    (folder / "kernel.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
    spec = manager.get_kernel_spec(KERNEL_NAME)
    if not _same_python(spec.argv[0]):
        raise KernelError(
            f"the Jupyter kernel {KERNEL_NAME!r} resolves to {spec.argv[0]} (in {spec.resource_dir}), "
            f"not to this environment's {sys.executable}; remove that kernel spec "
            f"(`jupyter kernelspec remove {KERNEL_NAME}`) and run `make venv` again"
        )
    logger.info("installed Jupyter kernel %r for %s", KERNEL_NAME, sys.executable)
    return KERNEL_NAME
