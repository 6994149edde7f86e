"""A published page printed to PDF with headless Chromium, as a reader's browser would print it.

The page's own print stylesheet decides everything: A4 (landscape where a page asks for it),
margins and page numbers (``@page``), so Chromium's own header and footer are turned off.
Nothing is fetched: the pages are self-contained and the browser runs with its network
features off.

Chromium writes every link of a printed page as an absolute ``file://`` address of the folder it
printed in — for a build, a staging folder deleted at publication, naming this machine's paths.
``relative_links`` rewrites each such link as an address relative to the PDF (``samara-law/2025.html``
beside a region PDF), so the links work wherever the site is copied and show no path; links to
the web are left as they are.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from analysis.errors import AnalysisError

logger = logging.getLogger(__name__)

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
ENV_BROWSER = "ANALYSIS_CHROMIUM"  # a browser binary to use instead of the first one on PATH
TIMEOUT_SECONDS = 120
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
]


class BrowserMissingError(AnalysisError):
    """No Chromium to print with."""


class PrintError(AnalysisError):
    """Chromium ran but wrote no PDF."""


def find_chromium() -> str | None:
    """The Chromium binary: ``$ANALYSIS_CHROMIUM`` when set, else the first of ``CANDIDATES``
    on PATH; None when there is none (the build then skips PDFs and says so)."""
    chosen = os.environ.get(ENV_BROWSER, "").strip()
    if chosen:
        return shutil.which(chosen)
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


def print_pdf(html_path: str | Path, pdf_path: str | Path, browser: str | None = None) -> Path:
    """Print ``html_path`` to ``pdf_path`` (written atomically) and return ``pdf_path``.

    Raises ``BrowserMissingError`` when no Chromium is found and ``PrintError`` when it fails.
    """
    browser = browser or find_chromium()
    if browser is None:
        raise BrowserMissingError(
            "no Chromium to print PDFs with: install it (Debian: apt-get install chromium) or set "
            f"${ENV_BROWSER} to its binary; the HTML reports are built all the same"
        )
    html_path, pdf_path = Path(html_path).resolve(), Path(pdf_path)
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    temporary = pdf_path.with_name(f".{pdf_path.name}.{os.getpid()}.tmp")
    with tempfile.TemporaryDirectory(prefix="analysis-chromium-") as profile:
        command = [
            browser,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={temporary}",
            html_path.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            temporary.unlink(missing_ok=True)
            raise PrintError(f"{html_path.name}: Chromium did not print it in {TIMEOUT_SECONDS} s") from None
    if done.returncode != 0 or not temporary.exists() or temporary.stat().st_size == 0:
        temporary.unlink(missing_ok=True)
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise PrintError(f"{html_path.name}: Chromium exited with {done.returncode} and no PDF ({last})")
    relative_links(temporary, html_path, pdf_path)
    temporary.replace(pdf_path)
    logger.debug("printed %s to %s", html_path, pdf_path)
    return pdf_path


def relative_link(uri: str, printed: Path, pdf_path: Path) -> str:
    """A ``file://`` address as Chromium wrote it (``printed`` the page it printed), relative to
    the folder of ``pdf_path``; the printed page itself becomes the page beside the PDF (its
    ``.html``); any other address is returned as it is."""
    parts = urlsplit(uri)
    if parts.scheme != "file":
        return uri
    target = Path(unquote(parts.path))
    if target == printed:
        target = pdf_path.with_suffix(".html")
    relative = os.path.relpath(target, pdf_path.parent.resolve())
    return quote(Path(relative).as_posix()) + (f"#{parts.fragment}" if parts.fragment else "")


def relative_links(path: Path, printed: Path, pdf_path: Path) -> int:
    """Rewrite the ``file://`` link annotations of the PDF at ``path`` (in place) with
    ``relative_link``; return how many were rewritten."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(path))
    changed = 0
    for page in writer.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            action = action.get_object() if action is not None else None
            if action is None or action.get("/S") != "/URI":
                continue
            uri = str(action.get("/URI", ""))
            rewritten = relative_link(uri, printed.resolve(), pdf_path.resolve())
            if rewritten != uri:
                action[NameObject("/URI")] = TextStringObject(rewritten)
                changed += 1
    if changed:
        with path.open("wb") as handle:
            writer.write(handle)
    return changed
