"""One report, start to finish: papermill runs the notebook, nbconvert exports it, files land.

``run_report`` is what a report's own process does — a child forked by the local executor, or
``python -m analysis.site.runner`` started by a dask worker. It never raises for a failing
report: it returns a result whose ``error`` is one line (the exception and the cell), and
keeps the executed notebook of a failed report under ``failed/`` for debugging. With the
``kernel`` engine, a kernel that fails to start (the port race of concurrent starts, papermill
#511) is retried with a fresh kernel a few times before the report counts as failed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from analysis.site.leftovers import REPORT_PREFIX

logger = logging.getLogger(__name__)

# How a report starts as a fresh interpreter (a dask task's, or where the system cannot fork):
# the module imported by name, not run as ``__main__``, so there is one copy of it.
COMMAND = [sys.executable, "-c", "import sys; from analysis.site.runner import main; sys.exit(main())"]
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
        from nbconvert.preprocessors import TagRemovePreprocessor

        _EXPORTER = _page_exporter_class()(
            extra_template_basedirs=[str(TEMPLATES)],
            template_name="report",
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            language_code="ru",
        )
        from analysis.site.outputs import MachineOutputRemover

        remover = TagRemovePreprocessor(remove_cell_tags=HIDDEN_TAGS, enabled=True)
        _EXPORTER.register_preprocessor(remover, enabled=True)
        # stderr (warnings with this machine's paths) goes to the build log, never to a page
        _EXPORTER.register_preprocessor(MachineOutputRemover(), enabled=True)
    return _EXPORTER


def _page_exporter_class():
    """nbconvert's HTML exporter without its last pass: after rendering the page it parses it
    whole with BeautifulSoup's pure-Python parser, to give an image without alternative text an
    English one and each output ``tabindex="0"`` (and, as it writes the page out again, letters
    for character references) — a sixth of a report's time. All three are done on the rendered
    text instead: every ``<`` that comes from an input file is escaped by then, so only markup
    the templates wrote can match."""
    import re

    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    output = re.compile(r'(<div class="[^"<>]*\bjp-OutputArea-output\b[^"<>]*"[^<>]*?)(/?>)')
    image = re.compile(r"<img(?![^<>]*\salt=)")
    # nbconvert writes a heading's text as ASCII with character references (&#1057;…): the
    # letters themselves, as the parser's pass left them; never one that could be markup.
    reference = re.compile(r"&#(?:(\d{3,7})|[xX]([0-9a-fA-F]{2,6}));")

    def _character(match) -> str:
        code = int(match[1]) if match[1] else int(match[2], 16)
        return chr(code) if 0x80 <= code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match[0]

    class PageExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            info = nb.metadata.get("language_info", {})
            lexer = info.get("pygments_lexer", info.get("name", None))
            highlight = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
            resources = self._init_resources(resources)
            data_types = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight)
            self.register_filter("filter_data_type", data_types)
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            html = output.sub(lambda m: m[1] + ("" if "tabindex=" in m[1] else ' tabindex="0"') + m[2], html)
            html = reference.sub(_character, html)
            return image.sub('<img alt="Изображение без описания"', html), resources

    return PageExporter


def export_html(notebook, title: str) -> str:
    """nbconvert HTML of an executed notebook: no code, no parameter cells, no network scripts."""
    body, _ = exporter().from_notebook_node(notebook, resources={"metadata": {"name": title}})
    return body


class SiteGone(Exception):
    """The site folder this report writes into is gone: its build ended; nothing is written."""


def _write(site_root: Path, relative: str, text: str) -> Path:
    """Write a file of the site (a new file renamed into place), never re-creating a removed
    site folder: a report outliving its build must not write into a deleted staging copy."""
    from analysis.site.publish import write_file

    return write_file(_folder(site_root, relative) / Path(relative).name, text)


def _folder(site_root: Path, relative: str) -> Path:
    if not site_root.is_dir():
        raise SiteGone(str(site_root))
    folder = (site_root / relative).parent
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _execute(job: ReportJob, engine: str, kernel_name: str, saved: Path, on_cell_start: Callable):
    """Papermill runs the notebook, saving it to ``saved`` as each cell starts and ends (so a
    report that hangs or is killed keeps what it executed); ``on_cell_start`` is nbclient's hook."""
    import papermill

    from analysis.site import engine as engines

    def run(name: str, hook: Callable, **more):
        return papermill.execute_notebook(
            job.notebook,
            str(saved),
            parameters=job.parameters,
            engine_name=name,
            kernel_name=kernel_name,
            progress_bar=False,
            cwd=str(Path(job.notebook).parent),
            on_cell_start=hook,
            **more,
        )

    if engine == "inprocess":
        return run(engines.ENGINE_NAME, on_cell_start)
    started: list[int] = []

    def counting(cell, cell_index, **more) -> None:  # a cell started: a failure is not the kernel's start
        started.append(cell_index)
        on_cell_start(cell=cell, cell_index=cell_index)

    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        try:
            return run(engines.KERNEL_ENGINE_NAME, counting, start_timeout=30)
        except papermill.PapermillExecutionError:
            raise
        except Exception as exc:
            if started or attempt == KERNEL_START_ATTEMPTS:
                raise
            logger.warning("%s: the kernel did not start (%s); retrying with a fresh kernel", job.key, exc)
            time.sleep(0.2 * attempt)
    raise AssertionError("unreachable")


def cell_line(number: int | None, source: str) -> str:
    """How every failure names its cell: «ячейка N» — N counts code cells from 1, as the
    execution counts of the kept notebook do — and the cell's first line."""
    if number is None:
        return ""
    return f"ячейка {number}: {source}" if source else f"ячейка {number}"


def _failure_line(exc: Exception, number: int | None, source: str, where: Path) -> str:
    import papermill

    if isinstance(exc, papermill.PapermillExecutionError):
        return f"{exc.ename}: {exc.evalue} ({cell_line(number, source)})"
    if isinstance(exc, OSError):
        return os_error_line(exc, where)
    text = str(exc).strip().splitlines()
    line = f"{type(exc).__name__}: {text[0] if text else ''}".strip()
    return f"{line} ({cell_line(number, source)})" if number is not None else line


def os_error_line(exc: OSError, where: str | Path = "?") -> str:
    """One Russian line for an OS error: the path (``where`` if it names none) and what to do."""
    import errno

    where = exc.filename or where
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"нет места на диске при записи {where}: освободите место на этом диске и повторите сборку"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"нет прав на запись {where}: дайте пользователю сборки права на эту папку и повторите сборку"
    if exc.errno == errno.EMFILE:
        return f"слишком много открытых файлов ({where}): увеличьте ulimit -n или уменьшите --jobs"
    return f"ошибка файловой системы ({exc.strerror or exc}) на {where}: проверьте диск и повторите сборку"


def first_line(source: str) -> str:
    source = source.strip()
    return source.splitlines()[0][:80] if source else ""


def run_report(
    job: ReportJob,
    site_root: Path,
    engine: str = "inprocess",
    kernel_name: str = "professionalitet",
    on_cell: Callable[[int, str], None] = lambda number, source: None,
) -> ReportResult:
    """Execute, export and write one report into ``site_root``; never raises for a failing report.

    ``on_cell(number, first_line)`` is told each code cell as it starts (numbered from 1). The
    executed notebook is saved under ``failed/`` as it runs and removed when the page is written:
    a report that raised, hung or was killed keeps what it executed."""
    started = time.perf_counter()
    current: list = [None, ""]
    numbers: dict[int, int] = {}

    def seen(cell, cell_index, **more) -> None:
        if cell_index not in numbers:
            numbers[cell_index] = len(numbers) + 1
        current[:] = [numbers[cell_index], first_line(cell.source)]
        on_cell(*current)

    saved = None
    try:
        from analysis.reads import recording

        saved = _folder(site_root, job.failed_notebook) / Path(job.failed_notebook).name
        with _scratch(), recording(site_root / job.reads):
            notebook = _execute(job, engine, kernel_name, saved, seen)
        html = site_root / job.html
        if job.pdf:  # printed from a copy first: the page lands only when its PDF did
            from analysis.site.pdf import print_pdf

            draft = _write(
                site_root,
                f"{Path(job.html).parent}/.{html.stem}.draft.html",
                export_html(notebook, job.title),
            )
            print_pdf(draft, html.with_suffix(".pdf"))
            draft.replace(html)
        else:
            _write(site_root, job.html, export_html(notebook, job.title))
    except SiteGone:
        raise
    except Exception as exc:  # a report's failure is reported, the build goes on
        logger.debug("report %s failed", job.key, exc_info=True)
        return ReportResult(
            job.key,
            False,
            time.perf_counter() - started,
            _failure_line(exc, *current, site_root / job.html),
            current[0],
        )
    if saved is not None:
        saved.unlink(missing_ok=True)
    return ReportResult(job.key, True, time.perf_counter() - started)


SCRATCH_PREFIX = REPORT_PREFIX


@contextlib.contextmanager
def _scratch():
    """A temporary folder of this report's process for every temporary file made while it runs
    (a kernel's connection file among them), removed after; one left by a killed report carries
    its pid, and the next build removes it (:mod:`analysis.site.leftovers`)."""
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-")
    before = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir, os.environ["TMPDIR"] = folder, folder
    try:
        yield folder
    finally:
        tempfile.tempdir = before[0]
        if before[1] is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = before[1]
        shutil.rmtree(folder, ignore_errors=True)


def _watch(site_root: Path, lease: str, expiry: float, parent: int) -> None:
    """End this report's process group when the worker that started it dies (``parent``), the
    build's lease stops being renewed for ``expiry`` seconds, or the site folder is gone."""
    import threading

    def end() -> None:
        with contextlib.suppress(OSError):
            os.killpg(0, 9)
        os._exit(1)

    def watch() -> None:
        seen, renewed = None, time.monotonic()
        while True:
            if os.getppid() != parent or not site_root.is_dir():
                end()
            if lease:
                try:
                    text = Path(lease).read_text(encoding="utf-8")
                except OSError:
                    end()
                if text != seen:
                    seen, renewed = text, time.monotonic()
                elif time.monotonic() - renewed > expiry:
                    end()
            time.sleep(0.25)

    threading.Thread(target=watch, name="report-watch", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    """``COMMAND JOB_JSON SITE_ROOT ENGINE KERNEL [PARENT LEASE EXPIRY]`` (or ``COMMAND - PARENT
    LEASE EXPIRY``, the same arguments then read from stdin) —
    one report in a fresh process (a dask task's, or the local executor's where it cannot fork).
    Prints one JSON line per cell started and, last, the result (or the traceback of a crash).
    Given ``PARENT``, it ends itself (and whatever it started) when that process, the build's
    lease file ``LEASE`` (renewed by the build) or the site folder is gone."""
    import traceback

    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["-"]:  # a spare: warm up, then take the job from stdin (see remote.py)
        argv = _spare(argv[1:])
        if not argv:
            return 0
    payload, site_root, engine, kernel = json.loads(argv[0]), Path(argv[1]), argv[2], argv[3]
    if len(argv) > 4:
        _watch(site_root, argv[5], float(argv[6]), int(argv[4]))
    payload["clusters"] = tuple(payload.get("clusters", ()))
    job = ReportJob(**payload)

    def on_cell(number: int, source: str) -> None:
        print(json.dumps({"cell": number, "source": source}, ensure_ascii=False), flush=True)

    try:
        result = run_report(job, site_root, engine, kernel, on_cell)
    except SiteGone:
        return 1
    except BaseException:
        print(json.dumps({"crash": traceback.format_exc()}), flush=True)
        return 70
    print(json.dumps({"result": asdict(result)}, ensure_ascii=False), flush=True)
    return 0


def _spare(argv: list[str]) -> list[str]:
    """``- PARENT LEASE EXPIRY``: import and warm up everything a report needs while the build's
    previous report runs, watched as a report is (its worker, its build's lease), then read the
    job's arguments as one JSON line from stdin; none (EOF) when it is not needed."""
    from analysis.site.executor import warm_up

    parent, lease, expiry = int(argv[0]), argv[1], float(argv[2])
    _watch(Path(lease).parent, lease, expiry, parent)
    warm_up(None, [])
    line = sys.stdin.readline()
    return json.loads(line) if line.strip() else []


if __name__ == "__main__":
    sys.exit(main())
