"""Peers' offline reports on the same data, run in a venv of their own (``python report_peers.py <titanic.csv>
<million.parquet> <out dir>``): ydata-profiling's ``to_file`` (the dataset profile; minimal mode on the
million rows, as its docs advise for large data) and explainerdashboard's ``save_html`` (a random forest on
Titanic, its classifier dashboard). Prints one JSON object: each report's bytes and seconds."""

from __future__ import annotations

import json
import sys
import time
import warnings
from pathlib import Path

import pandas as pd

warnings.filterwarnings("ignore")


def _timed(write, path: Path) -> dict:
    start = time.perf_counter()
    write(path)
    return {"seconds": time.perf_counter() - start, "bytes": path.stat().st_size}


def main(titanic_csv: str, million_parquet: str, out: str) -> None:
    from ydata_profiling import ProfileReport

    folder = Path(out)
    titanic = pd.read_csv(titanic_csv)
    million = pd.read_parquet(million_parquet)
    results = {
        "ydata_profiling_titanic": _timed(
            lambda p: ProfileReport(titanic, title="Titanic", progress_bar=False).to_file(p),
            folder / "ydata-titanic.html",
        ),
        "ydata_profiling_million_minimal": _timed(
            lambda p: ProfileReport(million, title="Million", minimal=True, progress_bar=False).to_file(p),
            folder / "ydata-million.html",
        ),
    }
    from explainerdashboard import ClassifierExplainer, ExplainerDashboard
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import train_test_split

    features = titanic[["Pclass", "Age", "SibSp", "Parch", "Fare"]].assign(
        Sex_male=(titanic["Sex"] == "male").astype(int)
    )
    features = features.fillna(features.median())
    X_train, X_test, y_train, y_test = train_test_split(features, titanic["Survived"], test_size=0.25, random_state=0)
    model = RandomForestClassifier(n_estimators=100, random_state=0).fit(X_train, y_train)

    def dashboard(path: Path) -> None:
        explainer = ClassifierExplainer(model, X_test, y_test)
        ExplainerDashboard(explainer, title="Titanic").save_html(str(path))

    results["explainerdashboard_titanic_rf"] = _timed(dashboard, folder / "explainerdashboard.html")
    print(json.dumps(results))


if __name__ == "__main__":
    main(*sys.argv[1:4])
