"""Issue 33 figures (``python -m bench reports``), each exported as one offline HTML file through
``GET /api/export``, 5 repeats:

- a cached Titanic CV result (fold table, ROC, PR, threshold confusion and cost, calibration, a subgroup table):
  size, and time against the same figures written by plotly's own ``write_html`` (plotly.js inlined in each);
- a 1,000,000-row dataset's explorer view (overview, profiles, a split distribution, a density, correlations):
  size, the first export (the summaries computed) and the cached one."""

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
    a, b = Stats.of(ours), Stats.of(plain)
    results = {"bytes": size, "ours": a, "plotly_write_html_each_figure": b, "explorer_1m": explorer}
    print(f"Titanic CV result as one HTML file: {size / 1e6:.2f} MB; export {a.ms()}")
    print(f"   plotly write_html of the same figures, one file each: {b.ms()}")
    print(
        f"1,000,000-row explorer view as one HTML file: {explorer['bytes'] / 1e6:.2f} MB; first export "
        f"{explorer['first_s']:.2f} s (summaries computed), cached {explorer['cached'].ms()}"
    )
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
    return {"rows": 1_000_000, "bytes": len(answer.data), "first_s": first, "cached": Stats.of(cached)}
