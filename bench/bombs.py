"""Decode bombs and oversized bodies against a real server process: the answer and the server's peak RSS.

Each case gets a fresh ``python app.py`` (200 MiB upload limit, the default), warmed with one page; the
figure is the growth of its peak RSS (``VmHWM``) over the warm RSS, as a multiple of the upload limit
(the issue's bound: about 2×). ``python -m bench bombs``.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import requests

from bench.harness import browser_session, serve_app, write_results

REPO = Path(__file__).resolve().parents[1]
MIB = 2**20
LIMIT_MB = 200


def _memory(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) * 1024
    return fields


def _parquet(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()


def parquet_rows() -> bytes:
    return _parquet(pa.table({name: pa.repeat(pa.scalar(1, pa.int64()), 5_000_000) for name in "abcdef"}))


def parquet_text() -> bytes:
    return _parquet(pa.table({"note": pa.repeat(pa.scalar("x" * 1000), 1_000_000)}))  # 1 GB of text


def xlsx_inflating(sheet_mib: int = 1024) -> bytes:
    """A workbook whose one sheet is ``sheet_mib`` of two-cell rows: a few hundred kB on the wire."""
    buffer = io.BytesIO()
    pd.DataFrame({"a": [1]}).to_excel(buffer, index=False)
    row = '<row><c t="n"><v>1</v></c><c t="n"><v>2</v></c></row>'
    sheet = '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    sheet += "<sheetData>" + row * (sheet_mib * MIB // len(row)) + "</sheetData></worksheet>"
    source, out = zipfile.ZipFile(io.BytesIO(buffer.getvalue())), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = sheet.encode() if member.filename == "xl/worksheets/sheet1.xml" else source.read(member)
            target.writestr(member.filename, data)
    return out.getvalue()


def chunked_over_limit() -> Iterator[bytes]:
    """A raw body of 400 MiB with no Content-Length (chunked), so only reading it shows its size."""
    block = b"1,2,3,4\n" * (MIB // 8)
    yield b"a,b,c,d\n"
    for _ in range(400):
        yield block


def _oversized_callback_body(megabytes: int) -> bytes:
    """A callback request padded to ``megabytes``: what a page upload through dcc.Upload used to look like."""
    padding = b"x" * (megabytes * MIB)
    return (
        b'{"output":"explorer-upload-alert.children","inputs":[{"id":"x","property":"y","value":"' + padding + b'"}]}'
    )


def _add_dataset_callback(token: str, filename: str) -> dict:
    """What dash-renderer sends once file_drop.js has put the upload's token in the received Store."""
    outputs = [
        {"id": "explorer-dataset-dropdown", "property": "options"},
        {"id": "explorer-dataset-dropdown", "property": "value"},
        {"id": "explorer-upload-alert", "property": "children"},
    ]
    return {
        "output": "...".join(f"{o['id']}.{o['property']}" for o in outputs).join(["..", ".."]),
        "outputs": outputs,
        "inputs": [
            {"id": "explorer-upload-received", "property": "data", "value": {"token": token, "filename": filename}},
            {"id": "explorer-delete-confirm", "property": "submit_n_clicks", "value": None},
        ],
        "state": [
            {"id": "explorer-upload-name-input", "property": "value", "value": None},
            {"id": "explorer-dataset-dropdown", "property": "value", "value": "titanic"},
        ],
        "changedPropIds": ["explorer-upload-received.data"],
    }


def _send_page_upload(base: str, content: bytes) -> requests.Response:
    """The page's two steps: the raw file to /_dash-upload, then the callback that turns its token into a dataset."""
    browser = browser_session(base)
    sent = browser.post(f"{base}/_dash-upload", params={"filename": "ok.csv"}, data=content, timeout=600)
    if sent.status_code != 201:
        return sent
    return browser.post(
        f"{base}/_dash-update-component", json=_add_dataset_callback(sent.json()["token"], "ok.csv"), timeout=600
    )


def legit_csv(megabytes: int) -> bytes:
    line = b"1234.5678,abcdefgh,42,2024-01-02\n"
    return b"x,label,n,day\n" + line * (megabytes * MIB // len(line))


def legit_json_lines(megabytes: int) -> bytes:
    line = b'{"x": 1234.5678, "label": "abcdefgh", "n": 42, "day": "2024-01-02"}\n'
    return line * (megabytes * MIB // len(line))


def _send_upload(base: str, filename: str, content) -> requests.Response:
    return requests.post(f"{base}/api/datasets", params={"filename": filename}, data=content, timeout=600)


def _send_callback(base: str, body: bytes) -> requests.Response:
    return browser_session(base).post(
        f"{base}/_dash-update-component", data=body, headers={"Content-Type": "application/json"}, timeout=600
    )


CASES: list[tuple[str, Callable[[], object], Callable[[str, object], requests.Response]]] = [
    ("parquet, 30,000,000 cells", parquet_rows, lambda base, c: _send_upload(base, "rows.parquet", c)),
    ("parquet, 1 GB of repeated text", parquet_text, lambda base, c: _send_upload(base, "text.parquet", c)),
    (".xlsx inflating to 1 GiB", xlsx_inflating, lambda base, c: _send_upload(base, "bomb.xlsx", c)),
    (
        ".xlsx inflating to 60 MiB (accepted)",
        lambda: xlsx_inflating(60),
        lambda base, c: _send_upload(base, "cells.xlsx", c),
    ),
    ("chunked raw body of 400 MiB", chunked_over_limit, lambda base, c: _send_upload(base, "big.csv", c)),
    ("callback body of 300 MiB", lambda: _oversized_callback_body(300), _send_callback),
    ("page upload, 150 MiB CSV (accepted)", lambda: legit_csv(150), _send_page_upload),
    ("REST upload, 150 MiB CSV (accepted)", lambda: legit_csv(150), lambda base, c: _send_upload(base, "ok.csv", c)),
    (
        "REST upload, 150 MiB JSON lines (accepted)",
        lambda: legit_json_lines(150),
        lambda base, c: _send_upload(base, "ok.jsonl", c),
    ),
]


def run() -> dict:
    rows = []
    print(f"\nupload bombs against python app.py (upload limit {LIMIT_MB} MiB; peak RSS growth over the warm server)")
    for label, make, send in CASES:
        content = make()
        size = len(content) if isinstance(content, bytes) else 400 * MIB
        root = Path(tempfile.mkdtemp(prefix="bench-bombs-"))
        process, base = serve_app(root, max_upload_mb=str(LIMIT_MB))
        try:
            # One callback as a page makes (nothing received yet): the callback guard draws the pages'
            # controls once per process, so this is the server's steady state, not the first request's.
            browser_session(base).post(
                f"{base}/_dash-update-component", json=_add_dataset_callback(None, ""), timeout=60
            )
            warm = _memory(process.pid)["VmRSS"]
            response = send(base, content)
            try:
                answer = response.json()
                code = answer["error"]["code"] if "error" in answer else "accepted"
            except ValueError:
                code = "accepted" if response.ok else "?"
            if response.status_code == 200 and "sideUpdate" in response.text:
                code = "callback error"
            elif response.status_code == 200 and "upload-alert" in response.text and "Added" not in response.text:
                code = "refused in page"
            peak = _memory(process.pid)["VmHWM"]
            served = requests.get(f"{base}/api/health", timeout=10).status_code == 200
        finally:
            process.kill()
            process.wait()
            shutil.rmtree(root, ignore_errors=True)
        growth = peak - warm
        rows.append(
            {
                "case": label,
                "sent_mib": size / MIB,
                "status": response.status_code,
                "code": code,
                "warm_rss_mib": warm / MIB,
                "peak_growth_mib": growth / MIB,
                "growth_per_limit": growth / (LIMIT_MB * MIB),
                "still_serving": served,
            }
        )
        print(
            f"  {label:44s} sent {size / MIB:8.2f} MiB -> {response.status_code} {code:24s} "
            f"peak RSS +{growth / MIB:6.0f} MiB ({growth / (LIMIT_MB * MIB):.2f}x limit), serving: {served}"
        )
        del content
    job = batch_job_memory()
    write_results("bombs", {"limit_mib": LIMIT_MB, "cases": rows, "batch_job": job})
    return {"cases": rows, "batch_job": job}


def batch_job_memory(megabytes: int = 19) -> dict:
    """An async batch job of a ``megabytes`` CSV for a Titanic model on a real ``python app.py``: the
    server's peak RSS growth while it scores, as a multiple of the file (the issue's bound: 4x + a base,
    the base being the first job's imports and model load), and its time beside raw pandas + scikit-learn
    (``read_csv`` + ``predict_proba`` + ``to_csv`` in one process)."""
    import time

    from dashboard.data.catalog import Catalog
    from dashboard.train.demo import standalone_training
    from dashboard.train.spec import TrainSpec
    from model_store import ModelStore

    root = Path(tempfile.mkdtemp(prefix="bench-job-"))
    training = standalone_training(
        Catalog(root / "data", max_upload_bytes=10**8, max_columns=100), ModelStore(root / "models"), root / "cache"
    )
    features = ("Pclass", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked")
    spec = TrainSpec(dataset="titanic", target="Survived", features=features, estimator="logistic_regression")
    token, _, _ = training.run(spec)
    training.save(spec, token, "titanic-job")
    model = training.store.load("titanic-job").model
    rows = training.catalog.load("titanic")[list(features)]
    one = rows.to_csv(index=False).encode()
    body = one + b"".join(rows.to_csv(index=False, header=False).encode() for _ in range(megabytes * MIB // len(one)))

    def finished(base: str, content: bytes) -> dict:
        answer = requests.post(
            f"{base}/api/models/titanic-job/jobs", data=content, headers={"Content-Type": "text/csv"}
        )
        for _ in range(3000):
            record = requests.get(f"{base}/api/jobs/{answer.json()['job_id']}", timeout=10).json()
            if record["status"] in ("succeeded", "failed", "cancelled"):
                return record
            time.sleep(0.05)
        raise RuntimeError("the job did not finish")

    process, base = serve_app(root, max_upload_mb=str(LIMIT_MB))
    try:
        finished(base, one)  # warm: the first job imports pandas, scikit-learn and loads the model (the base)
        warm = _memory(process.pid)["VmHWM"]
        start = time.perf_counter()
        record = finished(base, body)
        seconds = time.perf_counter() - start
        growth = _memory(process.pid)["VmHWM"] - warm
    finally:
        process.kill()
        process.wait()
    start = time.perf_counter()
    table = pd.read_csv(io.BytesIO(body))
    table.assign(probability=model.predict_proba(table)[:, 1]).to_csv(index=False)
    raw = time.perf_counter() - start
    shutil.rmtree(root, ignore_errors=True)
    result = {
        "file_mib": len(body) / MIB,
        "rows": record.get("result", {}).get("rows"),
        "status": record["status"],
        "peak_growth_mib": growth / MIB,
        "growth_per_file": growth / len(body),
        "seconds": seconds,
        "raw_pandas_seconds": raw,
    }
    print(
        f"  batch job of a {result['file_mib']:.1f} MiB CSV ({result['rows']:,} rows): {result['status']} in "
        f"{seconds:.1f} s (raw pandas + predict_proba + to_csv {raw:.1f} s: {seconds / raw:.2f}x), "
        f"peak RSS +{result['peak_growth_mib']:.0f} MiB ({result['growth_per_file']:.1f}x the file)"
    )
    return result
