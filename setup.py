"""The wheel carries the notebooks: ``notebooks/`` of the checkout (JupyterLab opens them there)
is copied into the built package as ``analysis/notebooks/``, where ``analysis.settings`` finds
them with ``importlib.resources``. Everything else is configured in ``pyproject.toml``."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"


class BuildWithNotebooks(build_py):
    def run(self):
        super().run()
        if self.editable_mode:  # an editable install reads the checkout's notebooks/ in place
            return
        target = Path(self.build_lib) / "analysis" / "notebooks"
        for source in sorted(NOTEBOOKS.rglob("*.ipynb")):
            if ".ipynb_checkpoints" in source.parts:
                continue
            destination = target / source.relative_to(NOTEBOOKS)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)


setup(cmdclass={"build_py": BuildWithNotebooks})
