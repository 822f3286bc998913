"""A report file printed to PDF by headless Chromium: the same self-contained HTML, drawn by the same plotly.js,
so the PDF shows what the HTML shows, with text and figures as vectors (heatmaps are images inside the SVG, as
in the browser).

Why Chromium: plotly figures are drawn by JavaScript, and a browser is what runs it. WeasyPrint runs no
JavaScript (every figure would have to be re-rendered as a static image first, by kaleido, which itself drives
a Chromium), and the test suite already installs Chromium. Without it the export answers a named "PDF needs
Chromium" error; the HTML export does not need it.

Paper: A4 or Letter, 12 mm margins. The page is laid out at the printable width before printing, so each
figure is drawn to fit the page instead of being cut or shrunk; each pinned view starts a new page."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from dashboard.errors import FieldError

PAPERS = {"a4": ("A4", 210), "letter": ("Letter", 216)}  # CSS name, width in mm
MARGIN_MM = 12
PRINT_SECONDS = 120
PRINTERS = threading.BoundedSemaphore(2)  # Chromiums at once per process: a burst of PDF requests waits, then 503
WAIT_FOR_PRINTER = 30
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class PdfUnavailable(RuntimeError):
    """No headless browser to print with, or it failed: the message says which and what to do."""


def browser() -> str | None:
    configured = os.environ.get("DASHBOARD_CHROMIUM")
    if configured:
        return configured if shutil.which(configured) else None
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def paper_of(value: str | None) -> str:
    paper = (value or "a4").lower()
    if paper not in PAPERS:
        raise FieldError("paper", f"choose a4 or letter, not {str(value)[:20]!r}")
    return paper


def print_css(paper: str) -> str:
    name, width_mm = PAPERS[paper]
    printable_px = round((width_mm - 2 * MARGIN_MM) / 25.4 * 96)
    return (
        f"@page {{ size: {name}; margin: {MARGIN_MM}mm; }} "
        f"body {{ max-width: {printable_px}px; margin: 0; padding: 0; }} .figure {{ break-inside: avoid; }}"
    )


def to_pdf(document: str, paper: str, work_dir: Path) -> bytes:
    """``document`` (an exported HTML file) printed to PDF; PdfUnavailable when it cannot be."""
    executable = browser()
    if executable is None:
        raise PdfUnavailable(
            "PDF needs Chromium on the server (apt-get install chromium, or set DASHBOARD_CHROMIUM to its "
            "path); the HTML export works without it"
        )
    if not PRINTERS.acquire(timeout=WAIT_FOR_PRINTER):
        raise PdfUnavailable("the server is printing other PDFs; try again in a minute, or export HTML")
    try:
        return _print(executable, document, paper, work_dir)
    finally:
        PRINTERS.release()


def _print(executable: str, document: str, paper: str, work_dir: Path) -> bytes:
    _, width_mm = PAPERS[paper]
    width_px = round((width_mm - 2 * MARGIN_MM) / 25.4 * 96)
    styled = document.replace("</head>", f"<style>{print_css(paper)}</style></head>", 1)
    work_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.TemporaryDirectory(dir=work_dir, prefix="pdf-") as tmp:
        source, target = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        source.write_text(styled, encoding="utf-8")
        command = [
            executable,
            "--headless=new",
            "--no-sandbox",  # root in a container has no user namespace for Chromium's sandbox
            "--disable-gpu",
            "--disable-extensions",
            "--disable-background-networking",
            "--no-first-run",
            "--no-pdf-header-footer",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--window-size={width_px},1200",
            "--run-all-compositor-stages-before-draw",
            "--virtual-time-budget=30000",  # scripts (plotly drawing every figure) run before printing
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=PRINT_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            raise PdfUnavailable(f"printing the PDF took over {PRINT_SECONDS} s; export HTML instead") from None
        if not target.exists() or target.stat().st_size == 0:
            raise PdfUnavailable("Chromium did not print the PDF; export HTML instead (the server log has more)")
        return target.read_bytes()
