"""Issue 33 figures so far (``python -m bench reports``): a cached Titanic CV result (fold table, ROC, PR,
threshold confusion and cost, calibration, a subgroup table) exported as one offline HTML file through
``GET /api/export``: its size, and its time against the same figures written by plotly's own ``write_html``
(each with plotly.js inlined), 5 repeats."""

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
    a, b = Stats.of(ours), Stats.of(plain)
    results = {"bytes": size, "ours": a, "plotly_write_html_each_figure": b}
    print(f"Titanic CV result as one HTML file: {size / 1e6:.2f} MB; export {a.ms()}")
    print(f"   plotly write_html of the same figures, one file each: {b.ms()}")
    print(f"written to {write_results('reports', results)}")
    return results
