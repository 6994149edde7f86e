"""A papermill engine that runs a notebook's cells in this process's IPython shell.

The build forks one child process per report from a parent that has already imported pandas,
matplotlib, IPython, nbconvert and the package (:mod:`analysis.site.executor`); the child runs
the notebook here, through papermill (parameter injection, execution records, the error a
failing cell raises), exports it and exits. Starting a kernel, importing everything again and
shutting it down — about 1.5 s of every report's 2.5 s — is gone, and isolation is the
process's: whatever a report changes (rcParams, a module attribute, a global) dies with its
child. ``--engine kernel`` runs the same notebooks on a real Jupyter kernel instead.

The shell records what a Jupyter kernel would send: ``display_data`` from ``display()`` and
open matplotlib figures, ``execute_result`` for a cell's last expression, ``stream`` for
printed text and ``error`` with the traceback — as nbformat outputs of each cell.
"""

from __future__ import annotations

import base64
import functools
import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import nbformat
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from papermill.engines import Engine, NBClientEngine, papermill_engines

ENGINE_NAME = "analysis-inprocess"
KERNEL_ENGINE_NAME = "analysis-kernel"


def _bundle(data: dict) -> dict:
    """A mime bundle as a kernel sends it over JSON: binary images base64-encoded."""
    return {k: base64.b64encode(v).decode("ascii") if isinstance(v, bytes) else v for k, v in data.items()}


class _Publisher(DisplayPublisher):
    """``display()`` → a ``display_data`` output of the running cell."""

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
        self.shell.outputs.append(
            nbformat.v4.new_output("display_data", data=_bundle(data), metadata=dict(metadata or {}))
        )

    def clear_output(self, wait=False):
        self.shell.outputs.clear()


class _Hook(DisplayHook):
    """A cell's last expression → an ``execute_result`` output, as a kernel sends it."""

    def __call__(self, result=None):
        if result is None or self.shell.displayhook_quiet():
            return
        data, metadata = self.shell.display_formatter.format(result)
        if data:
            self.shell.outputs.append(
                nbformat.v4.new_output(
                    "execute_result",
                    data=_bundle(data),
                    metadata=dict(metadata or {}),
                    execution_count=self.shell.execution_count,
                )
            )


class ReportShell(InteractiveShell):
    """An IPython shell that records each cell's outputs instead of printing them."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.outputs: list = []
        self.error: dict | None = None
        self.display_pub = _Publisher(shell=self)
        self.displayhook = _Hook(shell=self, cache_size=0)
        self.display_trap.hook = self.displayhook

    def init_display_pub(self):  # replaced in __init__; the default prints to stdout
        self.display_pub = DisplayPublisher(shell=self)

    def enable_gui(self, gui=None):  # no event loop: figures are shown as PNG outputs
        pass

    def displayhook_quiet(self) -> bool:
        return self.displayhook.quiet()

    def _showtraceback(self, etype, evalue, stb):
        self.error = {"ename": etype.__name__, "evalue": str(evalue), "traceback": list(stb)}

    def run(self, source: str) -> list:
        """Run one cell; return its nbformat outputs (an ``error`` output last if it raised)."""
        self.outputs, self.error = [], None
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            self.run_cell(source, store_history=True)
        outputs = []
        for name, text in (("stdout", out.getvalue()), ("stderr", err.getvalue())):
            if text:
                outputs.append(nbformat.v4.new_output("stream", name=name, text=text))
        outputs += self.outputs
        if self.error:
            outputs.append(nbformat.v4.new_output("error", **self.error))
        return outputs


class CellFailed(Exception):
    """A cell raised; its ``error`` output is in the notebook for papermill to report."""


def warm_up() -> ReportShell:
    """Create the shell once, in the parent, so every forked child starts with it ready: the
    inline matplotlib backend (open figures are shown at the end of a cell) and IPython's
    formatters imported."""
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False  # no shared SQLite history between forked reports
    shell = ReportShell.instance(colors="NoColor", config=config)
    shell.enable_matplotlib("inline")
    return shell


def _save(nb_man, **kwargs) -> None:
    """Papermill's save as each cell starts (so that a report killed in a cell keeps what ran
    before it), without papermill's schema validation and pretty-printing of the whole
    notebook each time (a sixth of a report's time): compact JSON, which Jupyter opens as well.
    Papermill's own last write, when the run ends, validates and formats it once."""
    if nb_man.output_path:
        Path(nb_man.output_path).write_text(json.dumps(nb_man.nb, ensure_ascii=False), encoding="utf-8")
    nb_man.last_save_time = nb_man.now()


def _unsaved(**kwargs) -> None:
    pass


class InProcessEngine(Engine):
    """Papermill engine executing every code cell in :class:`ReportShell`, in order; the first
    cell that raises stops the run (the rest stay unexecuted, as with a kernel). It takes
    nbclient's ``on_cell_start(cell=, cell_index=)`` hook from papermill's engine arguments, as
    the kernel engine does, and numbers the cells as a kernel would (1, 2, … in order)."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, on_cell_start=None, **kwargs):
        shell = ReportShell.instance() if ReportShell.initialized() else warm_up()
        nb_man.save = functools.partial(_save, nb_man)
        count = 0
        for index, cell in enumerate(nb_man.nb.cells):
            if cell.cell_type != "code":
                continue
            count += 1
            nb_man.cell_start(cell, index)
            if on_cell_start is not None:
                on_cell_start(cell=cell, cell_index=index)
            cell.outputs = shell.run(cell.source)
            cell.execution_count = count
            failed = any(o.output_type == "error" for o in cell.outputs)
            if failed:
                nb_man.cell_exception(cell, index, exception=CellFailed(shell.error["ename"]))
            # Not saved as the cell ends: the next cell's start saves it (the run's end, the last).
            nb_man.save = _unsaved
            nb_man.cell_complete(cell, index)
            nb_man.save = functools.partial(_save, nb_man)
            if failed:
                break
        return nb_man.nb


class KernelEngine(NBClientEngine):
    """Papermill's own engine (a real Jupyter kernel per report); ``on_cell_start`` reaches
    nbclient's hook of that name through papermill's engine arguments."""


papermill_engines.register(ENGINE_NAME, InProcessEngine)
papermill_engines.register(KERNEL_ENGINE_NAME, KernelEngine)
