"""Wide upload in a real headless Chromium (issue 18): from choosing a 200 x 2,000 CSV on /data to every
explorer view shown and no callback pending, against a real ``python app.py``. ``python -m bench browser``.
Baseline in the same run: the same steps for a 200 x 20 file."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bench.harness import serve_app, write_results
from layouts.explorer_ids import ExplorerIds

REPO = Path(__file__).resolve().parents[1]
PENDING = """
var state = Object.assign({}, window.store && window.store.getState().callbacks);
delete state.stored; delete state.completed;
return window.store ? [].concat.apply([], Object.values(state)).length : -1;
"""


def _chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options

    options = Options()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"):
        options.add_argument(flag)
    options.add_argument("--window-size=1280,1000")
    if Path("/usr/bin/chromium").exists():
        options.binary_location = "/usr/bin/chromium"
    return webdriver.Chrome(options=options)


def _wait(driver, condition, timeout: float = 120) -> None:
    from selenium.common.exceptions import WebDriverException

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if condition():
                return
        except WebDriverException:  # not rendered yet, or re-rendered under us
            pass
        time.sleep(0.05)
    raise TimeoutError("the page did not settle")


def upload_to_settled(driver, base: str, path: Path, columns: int) -> float:
    """Seconds from handing the file to the page until the overview, correlations and profile show it and
    no callback is pending."""
    driver.get(f"{base}/data?dataset=iris")
    _wait(driver, lambda: "150" in driver.find_element("id", ExplorerIds.OVERVIEW).text)
    _wait(driver, lambda: driver.execute_script(PENDING) == 0)
    start = time.perf_counter()
    driver.find_element("css selector", f"#{ExplorerIds.UPLOAD} input[type=file]").send_keys(str(path))
    _wait(driver, lambda: f"{columns:,}" in driver.find_element("id", ExplorerIds.OVERVIEW).text)
    _wait(driver, lambda: driver.find_elements("css selector", f"#{ExplorerIds.CORRELATION_GRAPH} .heatmaplayer"))
    _wait(driver, lambda: driver.find_elements("css selector", f"#{ExplorerIds.PROFILE_GRID} .ag-row"))
    _wait(driver, lambda: driver.execute_script(PENDING) == 0)
    return time.perf_counter() - start


def run() -> dict:
    print("== wide upload in headless Chromium: choose the file -> every explorer view shown ==")
    root = Path(tempfile.mkdtemp(prefix="bench-browser-"))
    rng = np.random.default_rng(0)
    rows = []
    process, base = serve_app(root)
    driver = _chromium()
    try:
        for columns in (20, 2000, 20, 2000):
            path = root / f"wide-{columns}.csv"
            names = [f"sensor_{i}" for i in range(columns)]
            pd.DataFrame(rng.normal(size=(200, columns)), columns=names).to_csv(path, index=False)
            seconds = upload_to_settled(driver, base, path, columns)
            rows.append({"shape": f"200 x {columns:,}", "seconds": seconds})
            print(f"  200 x {columns:>5,}: {seconds:6.2f} s")
        console = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    finally:
        driver.quit()
        process.kill()
        process.wait()
        shutil.rmtree(root, ignore_errors=True)
    print(f"  console errors: {len(console)}")
    print(f"written to {write_results('browser', {'rows': rows, 'console_errors': console})}")
    return {"rows": rows}
