"""A published page printed to PDF with headless Chromium, as a reader's browser would print it.

The page's own print stylesheet decides everything: A4 (landscape where a page asks for it),
margins and page numbers (``@page``), so Chromium's own header and footer are turned off.
Nothing is fetched: the pages are self-contained and the browser runs with its network
features off.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

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
    temporary.replace(pdf_path)
    logger.debug("printed %s to %s", html_path, pdf_path)
    return pdf_path
