"""One report, start to finish: papermill runs the notebook, nbconvert exports it, files land.

``run_report`` is what a report's own process does — a child forked by the local executor, or
``python -m analysis.site.runner`` started by a dask worker. It never raises for a failing
report: it returns a result whose ``error`` is one line (the exception and the cell), and
keeps the executed notebook of a failed report under ``failed/`` for debugging. With the
``kernel`` engine, a kernel that fails to start (the port race of concurrent starts, papermill
#511) is retried with a fresh kernel a few times before the report counts as failed.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

KERNEL_START_ATTEMPTS = 3
HIDDEN_TAGS = {"injected-parameters", "parameters"}
TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class ReportJob:
    """One report to make: plain values, so it pickles and travels as JSON."""

    key: str  # "63/samara-law/2025" or "63/region-2025"; its HTML is html/<key>.html
    kind: str  # "cluster" or "region"
    title: str
    notebook: str
    parameters: dict = field(default_factory=dict)
    clusters: tuple[str, ...] = ()  # whose data the report reads
    fingerprint: str = ""
    pdf: bool = False  # also print the page to html/<key>.pdf

    @property
    def html(self) -> str:
        return f"html/{self.key}.html"

    @property
    def reads(self) -> str:
        """The record of the tables the report read, written beside its page while it runs."""
        return f"html/{self.key}.reads"

    @property
    def failed_notebook(self) -> str:
        return f"failed/{self.key}.ipynb"


@dataclass
class ReportResult:
    key: str
    ok: bool
    seconds: float
    error: str = ""
    cell: int | None = None  # the cell that was running when it failed


_EXPORTER = None


def exporter():
    """The nbconvert exporter, made once per process (a forked child reuses the parent's)."""
    global _EXPORTER
    if _EXPORTER is None:
        from nbconvert import HTMLExporter
        from nbconvert.preprocessors import TagRemovePreprocessor

        _EXPORTER = HTMLExporter(
            extra_template_basedirs=[str(TEMPLATES)],
            template_name="report",
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            language_code="ru",
        )
        remover = TagRemovePreprocessor(remove_cell_tags=HIDDEN_TAGS, enabled=True)
        _EXPORTER.register_preprocessor(remover, enabled=True)
    return _EXPORTER


def export_html(notebook, title: str) -> str:
    """nbconvert HTML of an executed notebook: no code, no parameter cells, no network scripts."""
    body, _ = exporter().from_notebook_node(notebook, resources={"metadata": {"name": title}})
    return body


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def _execute(job: ReportJob, engine: str, kernel_name: str, on_cell: Callable[[int, str], None]):
    import papermill

    from analysis.site import engine as engines

    def run(chosen, report: Callable[[int, str], None], **more):
        chosen.on_cell = lambda index, cell: report(index, cell.source)
        name = engines.ENGINE_NAME if chosen is engines.InProcessEngine else engines.KERNEL_ENGINE_NAME
        return papermill.execute_notebook(
            job.notebook,
            None,
            parameters=job.parameters,
            engine_name=name,
            kernel_name=kernel_name,
            progress_bar=False,
            cwd=str(Path(job.notebook).parent),
            **more,
        )

    if engine == "inprocess":
        return run(engines.InProcessEngine, on_cell)
    started: list[int] = []
    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        try:
            return run(engines.KernelEngine, _counting(on_cell, started), start_timeout=30)
        except papermill.PapermillExecutionError:
            raise
        except Exception as exc:
            if started or attempt == KERNEL_START_ATTEMPTS:
                raise
            logger.warning("%s: the kernel did not start (%s); retrying with a fresh kernel", job.key, exc)
            time.sleep(0.2 * attempt)
    raise AssertionError("unreachable")


def _counting(on_cell: Callable[[int, str], None], started: list) -> Callable[[int, str], None]:
    """``on_cell`` that also records that a cell started (then a failure is not the kernel's start)."""

    def seen(index: int, source: str) -> None:
        started.append(index)
        on_cell(index, source)

    return seen


def _failure_line(exc: Exception) -> str:
    import papermill

    if isinstance(exc, papermill.PapermillExecutionError):
        return f"{exc.ename}: {exc.evalue} (cell {exc.exec_count})"
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".strip()


def run_report(
    job: ReportJob,
    site_root: Path,
    engine: str = "inprocess",
    kernel_name: str = "professionalitet",
    on_cell: Callable[[int, str], None] = lambda index, source: None,
) -> ReportResult:
    """Execute, export and write one report into ``site_root``; never raises for a failing report."""
    import nbformat
    import papermill

    started = time.perf_counter()
    current: list[int] = []

    def seen(index: int, source: str) -> None:
        current[:] = [index]
        on_cell(index, source)

    try:
        from analysis.reads import recording

        with recording(site_root / job.reads):
            notebook = _execute(job, engine, kernel_name, seen)
        html = site_root / job.html
        if job.pdf:  # printed from a copy first: the page lands only when its PDF did
            from analysis.site.pdf import print_pdf

            draft = html.with_name(f".{html.stem}.draft.html")
            _write(draft, export_html(notebook, job.title))
            print_pdf(draft, html.with_suffix(".pdf"))
            draft.replace(html)
        else:
            _write(html, export_html(notebook, job.title))
    except Exception as exc:  # a report's failure is reported, the build goes on
        logger.debug("report %s failed", job.key, exc_info=True)
        notebook = getattr(exc, "nb", None)
        if isinstance(exc, papermill.PapermillExecutionError):
            notebook = _last_run()
        if notebook is not None:
            _write(site_root / job.failed_notebook, nbformat.writes(notebook))
        return ReportResult(
            job.key, False, time.perf_counter() - started, _failure_line(exc), current[0] if current else None
        )
    return ReportResult(job.key, True, time.perf_counter() - started)


def _last_run():
    from analysis.site import engine as inprocess

    return inprocess.LAST_NOTEBOOK.get("nb")


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.site.runner JOB_JSON SITE_ROOT ENGINE KERNEL`` — one report in a fresh
    process (the dask executor's unit of work); prints the result as one JSON line."""
    argv = sys.argv[1:] if argv is None else argv
    payload, site_root, engine, kernel = json.loads(argv[0]), Path(argv[1]), argv[2], argv[3]
    payload["clusters"] = tuple(payload.get("clusters", ()))
    job = ReportJob(**payload)
    result = run_report(job, site_root, engine, kernel)
    print(json.dumps(asdict(result)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
