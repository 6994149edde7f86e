"""The report build: one papermill run and one nbconvert export per cluster × year.

A build is a list of ``ReportJob`` (plain, picklable values) run by ``run_jobs`` — one after
another or in worker processes — each giving a ``ReportResult``. A failed report never stops
the others; the caller lists failures and exits non-zero. Outputs are written to a temporary
name and renamed, so a reader never sees half a report.
"""

from __future__ import annotations

import logging
import os
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import nbformat
import papermill
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor
from tqdm import tqdm

from analysis import settings
from analysis.errors import ParameterError
from analysis.site.kernel import ensure_kernel

logger = logging.getLogger(__name__)

PROJECT_ROOT = settings.PACKAGE_ROOT
CLUSTER_NOTEBOOK = PROJECT_ROOT / "notebooks" / "cluster_report.ipynb"
REGION_NOTEBOOK = PROJECT_ROOT / "notebooks" / "region_report.ipynb"
TEMPLATES = Path(__file__).resolve().parent / "templates"
HIDDEN_TAGS = {"injected-parameters", "parameters"}


@dataclass(frozen=True)
class ReportJob:
    """One report to make: a notebook, its parameters and where its outputs go."""

    key: str  # e.g. "63/samara-law/2025"; unique within a build
    title: str
    notebook: str
    parameters: tuple[tuple[str, object], ...]
    executed_path: str
    html_path: str


@dataclass(frozen=True)
class ReportResult:
    job: ReportJob
    ok: bool
    seconds: float
    error: str = ""


def common_parameters(data_dir: Path, as_of: date, deadline: str) -> dict[str, object]:
    """The parameters every report of a build shares."""
    return {"data_dir": str(Path(data_dir).resolve()), "as_of": as_of.isoformat(), "deadline": deadline}


def _job(out_dir: Path, key: str, title: str, notebook: Path, parameters: dict[str, object]) -> ReportJob:
    return ReportJob(
        key=key,
        title=title,
        notebook=str(notebook),
        parameters=tuple(parameters.items()),
        executed_path=str(out_dir / "notebooks" / f"{key}.ipynb"),
        html_path=str(out_dir / "html" / f"{key}.html"),
    )


def cluster_job(
    out_dir: Path,
    common: dict,
    region: str,
    cluster: str,
    year: int,
    title: str,
    notebook: Path = CLUSTER_NOTEBOOK,
) -> ReportJob:
    """The job of one cluster-year report; output names are built from the parameters."""
    parameters = {"cluster": cluster, "year": int(year), **common}
    return _job(out_dir, f"{region}/{cluster}/{year}", title, notebook, parameters)


def region_job(
    out_dir: Path, common: dict, region: str, year: int, title: str, notebook: Path = REGION_NOTEBOOK
) -> ReportJob:
    """The job of one region-year report, beside its clusters' folders."""
    parameters = {"region": str(region), "year": int(year), **common}
    return _job(out_dir, f"{region}/region-{year}", title, notebook, parameters)


def check_parameters(notebook: str, parameters: dict) -> None:
    """Refuse a parameter the notebook's ``parameters`` cell does not declare.

    Papermill only warns about those; a typo would silently run the report with its default.
    """
    declared = papermill.inspect_notebook(notebook)
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise ParameterError(
            f"{notebook} does not declare parameter(s) {unknown}; it declares {sorted(declared)}"
        )


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def export_html(notebook: nbformat.NotebookNode, title: str) -> str:
    """nbconvert HTML of an executed notebook: no code, no parameter cells, no network scripts."""
    remover = TagRemovePreprocessor(remove_cell_tags=HIDDEN_TAGS, enabled=True)
    exporter = HTMLExporter(
        extra_template_basedirs=[str(TEMPLATES)],
        template_name="report",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        language_code="ru",
    )
    exporter.register_preprocessor(remover, enabled=True)
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": title}})
    return body


def run_job(job: ReportJob, kernel_name: str) -> ReportResult:
    """Execute one report notebook and export its HTML; never raises for a failing report."""
    started = time.perf_counter()
    parameters = dict(job.parameters)
    try:
        check_parameters(job.notebook, parameters)
        executed = papermill.execute_notebook(
            job.notebook,
            None,
            parameters=parameters,
            kernel_name=kernel_name,
            progress_bar=False,
            cwd=str(PROJECT_ROOT),
        )
        _atomic_write(Path(job.executed_path), nbformat.writes(executed))
        _atomic_write(Path(job.html_path), export_html(executed, job.title))
    except Exception as exc:  # a report's failure is reported, the build goes on
        logger.debug("report %s failed:\n%s", job.key, traceback.format_exc())
        return ReportResult(job, False, time.perf_counter() - started, _failure_line(exc))
    return ReportResult(job, True, time.perf_counter() - started)


def _failure_line(exc: Exception) -> str:
    if isinstance(exc, papermill.PapermillExecutionError):
        return f"{exc.ename}: {exc.evalue} (cell {exc.exec_count})"
    return f"{type(exc).__name__}: {exc}"


def run_jobs(jobs: list[ReportJob], workers: int = 1, progress: bool | None = None) -> list[ReportResult]:
    """Run every job, ``workers`` at a time, with a progress bar on a terminal."""
    kernel_name = ensure_kernel()
    results: list[ReportResult] = []
    # tqdm's disable=None shows the bar on a terminal only, so cron logs stay clean.
    disable = None if progress is None else not progress
    bar = tqdm(total=len(jobs), unit="report", desc="reports", disable=disable)
    with bar:
        if workers <= 1:
            for job in jobs:
                bar.set_postfix_str(job.key)
                results.append(run_job(job, kernel_name))
                bar.update()
        else:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                futures = [pool.submit(run_job, job, kernel_name) for job in jobs]
                for future in as_completed(futures):
                    results.append(future.result())
                    bar.update()
    order = {job.key: i for i, job in enumerate(jobs)}
    return sorted(results, key=lambda r: order[r.job.key])
