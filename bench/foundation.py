"""Foundation figures (issue 3).

- Cold start: ``python app.py`` to the first HTTP 200 on ``/``; baseline: a minimal Dash app.
- Upload/parse of a generated 1,000,000 x 20 Parquet file vs raw ``pandas.read_parquet``.
- Every explorer callback on that dataset through the real Dash endpoint: server time (cold = first
  computation for its parameters, warm = repeat) and response size.
- Wide data (issue 18): a 200-row CSV of 100 to 2,000 columns, from the uploaded file on disk to the first
  complete explorer view (upload, overview and profile, correlations, distribution, scatter, the first
  profile page), server time and the largest response; then 100,000 x 1,000 from Parquet. Baseline:
  ``pandas.read_csv`` + ``DataFrame.describe()`` on the same file.
  ``python -m bench wide`` runs this part alone.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd

from bench.harness import CallbackClient, Stats, free_port, make_app, write_results

REPO = Path(__file__).resolve().parents[1]
ROWS, COLUMNS = 1_000_000, 20
MINIMAL_APP = "from dash import Dash, html\napp = Dash()\napp.layout = html.Div('hi')\napp.run(port={port})\n"


def _time_to_first_200(command: list[str], env: dict[str, str], port: int) -> float:
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - start < 30:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as response:  # noqa: S310
                    if response.status == 200:
                        return time.perf_counter() - start
            except OSError:
                time.sleep(0.01)
        raise RuntimeError(f"no HTTP 200 within 30 s from {command}")
    finally:
        process.terminate()
        process.wait(10)


def cold_start(repeats: int = 5) -> dict:
    ours, minimal = [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            port = free_port()
            env = {
                **os.environ,
                "DASHBOARD_PORT": str(port),
                "DASHBOARD_DATA_DIR": f"{tmp}/data",
                "DASHBOARD_CACHE_DIR": f"{tmp}/cache",
                "DASHBOARD_LOG_LEVEL": "WARNING",
            }
            ours.append(_time_to_first_200([sys.executable, "app.py"], env, port))
            port = free_port()
            minimal.append(_time_to_first_200([sys.executable, "-c", MINIMAL_APP.format(port=port)], env, port))
    a, b = Stats.of(ours), Stats.of(minimal)
    return {"ours": a, "minimal_dash": b, "ratio": a.median / b.median}


def generate_frame(rows: int = ROWS, seed: int = 0) -> pd.DataFrame:
    """1M x 20: 12 float, 4 int, 3 categorical (10 / 50 / 1,000 levels), 1 datetime; some missing."""
    rng = np.random.default_rng(seed)
    data: dict[str, object] = {}
    for i in range(12):
        column = rng.normal(loc=i, scale=1 + i, size=rows)
        column[rng.random(rows) < 0.02] = np.nan
        data[f"x{i}"] = column
    for i in range(4):
        data[f"n{i}"] = rng.integers(0, 10 ** (i + 1), size=rows)
    for levels, name in ((10, "segment"), (50, "region"), (1000, "store")):
        data[name] = pd.Categorical.from_codes(rng.integers(0, levels, rows), [f"{name}-{j}" for j in range(levels)])
    data["when"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365 * 24 * 3600, rows), unit="s")
    frame = pd.DataFrame(data)
    for name in ("segment", "region", "store"):
        frame[name] = frame[name].astype(str)
    return frame


def upload_parse(content: bytes, repeats: int = 5) -> dict:
    from dashboard.data.catalog import Catalog

    ours, raw = [], []
    with tempfile.TemporaryDirectory() as tmp:
        catalog = Catalog(Path(tmp), max_upload_bytes=len(content) * 2, max_columns=2000)
        for i in range(repeats + 1):  # interleaved; the first round warms the file cache
            start = time.perf_counter()
            pd.read_parquet(io.BytesIO(content))
            t_raw = time.perf_counter() - start
            start = time.perf_counter()
            info, _ = catalog.add_upload("big.parquet", content, name=f"big-{i}")
            t_ours = time.perf_counter() - start
            catalog.delete(info.id)  # steady state: reuse disk blocks rather than grow the folder
            if i:
                raw.append(t_raw)
                ours.append(t_ours)
    a, b = Stats.of(ours), Stats.of(raw)
    return {"ours": a, "raw_read_parquet": b, "ratio": a.median / b.median, "bytes": len(content)}


def explorer_callbacks(content: bytes) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp))
        catalog = app.server.extensions["dashboard"].catalog
        dataset = catalog.add_upload("million.parquet", content)[0].id
        client = CallbackClient(app)
        view = {"explorer-dataset-dropdown.value": dataset}
        show_key = next(k for k in app.callback_map if "explorer-overview.children" in k)
        dist_key = "explorer-distribution-graph.figure"
        scatter_key = next(k for k in app.callback_map if "explorer-scatter-graph.figure" in k)
        grid_key = "explorer-grid.getRowsResponse"
        correlation_key = next(k for k in app.callback_map if "explorer-correlation-graph.figure" in k)
        samples: dict[str, list[tuple[float, int]]] = {}

        def record(name, key, values, changed):
            seconds, size, _ = client.call(key, {**view, **values}, changed)
            samples.setdefault(name, []).append((seconds, size))

        for rep in range(5):
            kind = "cold" if rep == 0 else "warm"
            record(f"show_dataset ({kind})", show_key, {}, "explorer-dataset-dropdown.value")
            record(f"correlations ({kind})", correlation_key, {}, "explorer-dataset-dropdown.value")
            for column, split in (
                ("x3", None),
                ("x3", "segment"),
                ("region", None),
                ("store", "segment"),
                ("when", None),
                ("n1", None),
            ):
                record(
                    f"distribution ({kind})",
                    dist_key,
                    {"explorer-column-dropdown.value": column, "explorer-split-dropdown.value": split},
                    "explorer-column-dropdown.value",
                )
            for x, y, color in (("x0", "x1", "segment"), ("x2", "x5", "x7"), ("n0", "x4", None)):
                record(
                    f"scatter ({kind})",
                    scatter_key,
                    {
                        "explorer-x-dropdown.value": x,
                        "explorer-y-dropdown.value": y,
                        "explorer-color-dropdown.value": color,
                    },
                    "explorer-x-dropdown.value",
                )
            for request in (
                {"startRow": 0, "endRow": 100},
                {"startRow": 5000, "endRow": 5100, "sortModel": [{"colId": "x4", "sort": "desc"}]},
                {
                    "startRow": 0,
                    "endRow": 100,
                    "filterModel": {"region": {"filterType": "text", "type": "equals", "filter": "region-7"}},
                    "sortModel": [{"colId": "when", "sort": "asc"}],
                },
            ):
                record("grid rows", grid_key, {"explorer-grid.getRowsRequest": request}, "explorer-grid.getRowsRequest")
        table = {}
        for name, values in samples.items():
            table[name] = {"time": Stats.of([s for s, _ in values]), "max_bytes": max(b for _, b in values)}
        everything = [s for values in samples.values() for s, _ in values]
        return {
            "callbacks": table,
            "all_p95": Stats.of(everything).p95,
            "max_response_bytes": max(b for values in samples.values() for _, b in values),
        }


def first_explorer_view(path: Path) -> dict:
    """From the file on disk to every view of the explorer answered once: seconds and the largest answer."""
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp), max_upload_mb=4096, max_cells=200_000_000)
        catalog = app.server.extensions["dashboard"].catalog
        client = CallbackClient(app)
        start = time.perf_counter()
        dataset = catalog.add_upload(path.name, path)[0].id
        upload_seconds = time.perf_counter() - start
        keys = {name: next(k for k in app.callback_map if name in k) for name in _VIEW_OUTPUTS}
        view = {"explorer-dataset-dropdown.value": dataset}
        sizes, seconds = {}, {}
        _, size, answer = client.call(keys["explorer-overview.children"], view, "explorer-dataset-dropdown.value")
        sizes["show_dataset"] = size
        chosen = {
            f"{item}.value": answer["response"][item]["value"]
            for item in ("explorer-column-dropdown", "explorer-x-dropdown", "explorer-y-dropdown")
        }
        for name, key in keys.items():
            if name == "explorer-overview.children":
                continue
            values = {**view, **chosen, "explorer-profile-grid.getRowsRequest": {"startRow": 0, "endRow": 100}}
            changed = "explorer-profile-grid.getRowsRequest" if "profile" in name else "explorer-dataset-dropdown.value"
            seconds[name], sizes[name], _ = client.call(key, values, changed)
        total = time.perf_counter() - start
    return {
        "seconds": total,
        "upload_seconds": upload_seconds,
        "max_response_bytes": max(sizes.values()),
        "sizes": sizes,
    }


_VIEW_OUTPUTS = (
    "explorer-overview.children",
    "explorer-correlation-graph.figure",
    "explorer-distribution-graph.figure",
    "explorer-scatter-graph.figure",
    "explorer-profile-grid.getRowsResponse",
)


def _pandas_baseline(path: Path) -> float:
    start = time.perf_counter()
    frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    frame.describe()
    return time.perf_counter() - start


def wide() -> dict:
    print("== wide datasets: file on disk -> first complete explorer view (server time) ==")
    rows = []
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        for columns in (100, 500, 1000, 2000):
            path = Path(tmp) / f"wide-{columns}.csv"
            pd.DataFrame(rng.normal(size=(200, columns)), columns=[f"sensor_{i}" for i in range(columns)]).to_csv(
                path, index=False
            )
            rows.append({"shape": f"200 x {columns:,}", **first_explorer_view(path), "pandas": _pandas_baseline(path)})
        path = Path(tmp) / "tall-wide.parquet"
        frame = pd.DataFrame(rng.normal(size=(100_000, 1000)), columns=[f"f{i}" for i in range(1000)])
        frame.to_parquet(path, index=False)
        del frame
        rows.append({"shape": "100,000 x 1,000", **first_explorer_view(path), "pandas": _pandas_baseline(path)})
    for row in rows:
        print(
            f"  {row['shape']:>16}: {row['seconds']:6.2f} s (upload {row['upload_seconds']:5.2f} s); largest answer "
            f"{row['max_response_bytes'] / 1e6:5.2f} MB; pandas read + describe {row['pandas']:5.2f} s"
        )
    print(f"written to {write_results('wide', {'rows': rows})}")
    return {"rows": rows}


def run() -> dict:
    print("== foundation ==")
    start = cold_start()
    print(f"cold start  ours: {start['ours'].ms()}")
    print(f"            minimal Dash app: {start['minimal_dash'].ms()}   ratio {start['ratio']:.2f}x")
    frame = generate_frame()
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    content = buffer.getvalue()
    upload = upload_parse(content)
    print(f"upload/parse {ROWS:,} x {COLUMNS} Parquet ({len(content) / 1e6:.0f} MB)")
    print(f"            ours: {upload['ours'].ms()}")
    print(f"            pandas.read_parquet: {upload['raw_read_parquet'].ms()}   ratio {upload['ratio']:.2f}x")
    explorer = explorer_callbacks(content)
    print("explorer callbacks on the same dataset (server time through /_dash-update-component):")
    for name, row in explorer["callbacks"].items():
        print(f"  {name:26s} {row['time'].ms()}   max response {row['max_bytes'] / 1e3:7.1f} kB")
    print(
        f"  all callbacks p95 {explorer['all_p95'] * 1e3:.0f} ms; largest response "
        f"{explorer['max_response_bytes'] / 1e6:.2f} MB"
    )
    results = {"cold_start": start, "upload_parse": upload, "explorer": explorer}
    print(f"written to {write_results('foundation', results)}")
    return results
