"""Issue 33 figures (``python -m bench reports``), each exported as one offline HTML file through
``GET /api/export``, 5 repeats:

- a cached Titanic CV result (fold table, ROC, PR, threshold confusion and cost, calibration, a subgroup table):
  size, and time against the same figures written by plotly's own ``write_html`` (plotly.js inlined in each);
- a 1,000,000-row dataset's explorer view (overview, profiles, a split distribution, a density, correlations):
  size, the first export (the summaries computed) and the cached one;
- a saved report of 10 views (explorer views, CV results, a clustering, model cards): HTML size and time, and its
  PDF (A4) printed by headless Chromium;
- peers on the same data, in a venv of their own (``var/bench-report-peers-venv``, or the Python named by
  ``BENCH_REPORT_PEERS_PYTHON``): ydata-profiling's ``to_file`` and explainerdashboard's ``save_html``."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.harness import Stats, make_app, write_results
from dashboard.reports.train import train_sections
from dashboard.train.spec import CVSpec, TrainSpec

SPEC = TrainSpec(
    dataset="titanic",
    target="Survived",
    features=("Pclass", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked"),
    estimator="random_forest",
    cv=CVSpec(folds=5),
)
URL = (
    "/train?dataset=titanic&target=Survived&features=Pclass,Sex,Age,SibSp,Parch,Fare,Embarked&model=random_forest"
    "&folds=5&by=Sex"
)


def run(repeats: int = 5) -> dict:
    print("== reports ==")
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp), train_n_jobs=2)
        services = app.server.extensions["dashboard"]
        services.training.run(SPEC)
        client = app.server.test_client()
        client.get("/api/export", query_string={"url": URL})  # plotly.js read once per process
        ours, plain, size = [], [], 0
        for _ in range(repeats):
            start = time.perf_counter()
            answer = client.get("/api/export", query_string={"url": URL})
            ours.append(time.perf_counter() - start)
            size = len(answer.data)
            _, _, sections = train_sections(services.training, services.diagnostics, SPEC, by=["Sex"])
            start = time.perf_counter()
            for i, figure in enumerate(f for s in sections for f in s.figures):
                figure.write_html(str(Path(tmp) / f"{i}.html"), include_plotlyjs=True)
            plain.append(time.perf_counter() - start)
        explorer = explorer_million(app, Path(tmp), repeats)
        report = ten_view_report(app, explorer["dataset"])
        peers = report_peers(services, Path(tmp))
    a, b = Stats.of(ours), Stats.of(plain)
    results = {
        "bytes": size,
        "ours": a,
        "plotly_write_html_each_figure": b,
        "explorer_1m": explorer,
        "report_10_views": report,
        "peers": peers,
    }
    print(f"Titanic CV result as one HTML file: {size / 1e6:.2f} MB; export {a.ms()}")
    print(f"   plotly write_html of the same figures, one file each: {b.ms()}")
    print(
        f"1,000,000-row explorer view as one HTML file: {explorer['bytes'] / 1e6:.2f} MB; first export "
        f"{explorer['first_s']:.2f} s (summaries computed), cached {explorer['cached'].ms()}"
    )
    print(
        f"10-view report: HTML {report['html_bytes'] / 1e6:.2f} MB in {report['html_s']:.2f} s; "
        f"PDF (A4) {report['pdf_pages']} pages, {report['pdf_bytes'] / 1e6:.2f} MB in {report['pdf_s']:.1f} s"
    )
    for name, peer in peers.items():
        print(f"   peer {name}: {peer['bytes'] / 1e6:.2f} MB in {peer['seconds']:.1f} s")
    print(f"written to {write_results('reports', results)}")
    return results


def million_rows(path: Path, rows: int = 1_000_000) -> Path:
    """A seeded mixed table: numbers, a skewed amount, categories, a flag, a date, an id."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "customer_id": np.arange(rows),
            "age": rng.normal(40, 12, rows).round(),
            "income": rng.lognormal(10, 0.6, rows).round(2),
            "spend": rng.gamma(2.0, 150.0, rows).round(2),
            "visits": rng.poisson(6, rows),
            "region": rng.choice(["north", "south", "east", "west"], rows),
            "segment": rng.choice(list("ABCDEFG"), rows),
            "churned": rng.random(rows) < 0.2,
            "joined": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1500, rows), unit="D"),
        }
    )
    frame.loc[rng.random(rows) < 0.05, "income"] = np.nan
    frame.to_parquet(path)
    return path


def explorer_million(app, tmp: Path, repeats: int) -> dict:
    services = app.server.extensions["dashboard"]
    info, _ = services.catalog.add_upload("million.parquet", million_rows(tmp / "million.parquet"), name="million")
    url = f"/data?dataset={info.id}&column=spend&split=region&x=income&y=spend"
    client = app.server.test_client()
    start = time.perf_counter()
    answer = client.get("/api/export", query_string={"url": url})
    first = time.perf_counter() - start
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    cached = []
    for _ in range(repeats):
        start = time.perf_counter()
        answer = client.get("/api/export", query_string={"url": url})
        cached.append(time.perf_counter() - start)
    return {
        "rows": 1_000_000,
        "bytes": len(answer.data),
        "first_s": first,
        "cached": Stats.of(cached),
        "dataset": info.id,
        "parquet": str(tmp / "million.parquet"),
    }


def ten_view_report(app, million: str) -> dict:
    """A report of 10 pinned views, each computed first (as a user would have), exported as HTML and PDF."""
    import io

    from pypdf import PdfReader

    from dashboard.clusters.clustering import ClusterSpec

    services = app.server.extensions["dashboard"]
    penguins = ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g")
    services.clusters.run(ClusterSpec(dataset="penguins", features=penguins, algorithm="kmeans", k=3))
    ridge = TrainSpec(
        dataset="ames-housing", target="Sale_Price", features=("Gr_Liv_Area", "Year_Built"), estimator="ridge"
    )
    logistic = TrainSpec(dataset="titanic", target="Survived", features=SPEC.features, estimator="logistic_regression")
    for spec in (ridge, logistic):
        services.training.run(spec)
    token, _, _ = services.training.run(SPEC)
    services.training.save(SPEC, token, "titanic-forest")
    services.training.save(logistic, services.training.token(logistic), "titanic-logistic")
    features = ",".join(SPEC.features)
    views = [
        "/data?dataset=titanic&column=Age&split=Survived&x=Age&y=Fare",
        "/data?dataset=penguins&column=body_mass_g&split=species",
        f"/data?dataset={million}&column=spend&split=region&x=income&y=spend",
        URL,
        f"/train?dataset=titanic&target=Survived&features={features}&model=logistic_regression",
        "/train?dataset=ames-housing&target=Sale_Price&features=Gr_Liv_Area,Year_Built&model=ridge",
        f"/clusters?dataset=penguins&features={','.join(penguins)}&algorithm=kmeans&k=3",
        "/models?model=titanic-forest&version=1",
        "/models?model=titanic-logistic&version=1",
        "/data?dataset=ames-housing&column=Sale_Price",
    ]
    client = app.server.test_client()
    made = client.post("/api/reports", json={"title": "Ten views", "views": [{"url": v} for v in views]})
    assert made.status_code == 201, made.get_data(as_text=True)
    export = f"/api/reports/{made.json['id']}/export"
    start = time.perf_counter()
    page = client.get(export)
    html_s = time.perf_counter() - start
    assert page.status_code == 200 and "was not exported" not in page.get_data(as_text=True)
    start = time.perf_counter()
    printed = client.get(export, query_string={"format": "pdf"})
    pdf_s = time.perf_counter() - start
    assert printed.status_code == 200, printed.get_data(as_text=True)[:300]
    return {
        "views": len(views),
        "html_bytes": len(page.data),
        "html_s": html_s,
        "pdf_bytes": len(printed.data),
        "pdf_pages": len(PdfReader(io.BytesIO(printed.data)).pages),
        "pdf_s": pdf_s,
    }


def report_peers(services, tmp: Path) -> dict:
    """ydata-profiling and explainerdashboard on the same Titanic table and million rows, in their own venv."""
    import json
    import os
    import subprocess
    import sys

    python = os.environ.get("BENCH_REPORT_PEERS_PYTHON")
    if not python:
        venv = Path(__file__).resolve().parents[1] / "var" / "bench-report-peers-venv"
        python = str(venv / "bin" / "python")
        if not Path(python).exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run(
                [python, "-m", "pip", "install", "-q", "ydata-profiling", "explainerdashboard", "pyarrow"], check=True
            )
    titanic = tmp / "titanic.csv"
    services.catalog.load("titanic").to_csv(titanic, index=False)
    script = Path(__file__).parent / "peers" / "report_peers.py"
    done = subprocess.run(
        [python, str(script), str(titanic), str(tmp / "million.parquet"), str(tmp)],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if done.returncode != 0:
        print(f"   peers did not run: {done.stderr.strip().splitlines()[-1:]}")
        return {}
    return json.loads(done.stdout.strip().splitlines()[-1])
