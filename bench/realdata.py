"""Real data, end to end: what reading real files the way users export them costs, against the raw libraries.

``python -m bench realdata`` measures, in one run:

- the explorer on Titanic and on the 1,000,000 × 20 frame of ``bench.foundation``: summary, correlations,
  distribution, scatter and the Train page's default features, each cold (a fresh memo), against pandas'
  ``describe`` + ``corr`` on the same frame;
- a 5-fold CV of logistic regression on Titanic through the training service against ``cross_validate`` on the
  same folds with the same preprocessing built by hand, and ``prepare`` alone;
- a one-row REST predict of that model against the in-process ``predict_proba``;
- the real-data gauntlet's tables (``tests/realdata/tables.json``): upload → explorer → train on the defaults →
  save → REST predict, per table.

It uses only calls that exist before and after the real-data work, so ``BENCH_TREE=<another checkout>`` runs the
same measurements against that code (the "before" of a change) on the same machine.
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.harness import Stats, write_results

if os.environ.get("BENCH_TREE"):  # measure another checkout's code with these same steps
    sys.path.insert(0, os.environ["BENCH_TREE"])

REPEATS = 5
TITANIC_FEATURES = ("Pclass", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked")


def _app(root: Path):
    from dashboard import create_app
    from dashboard.settings import Settings

    settings = Settings(data_dir=root / "data", cache_dir=root / "cache", model_dir=root / "models", demo_models=False)
    return create_app(settings)


def _timed(function) -> tuple[float, object]:
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def explorer_views(frame_name: str, content: bytes | None, target: str) -> dict:
    """Every explorer view, cold, vs pandas ``describe`` + ``corr``; then the Train page's defaults."""
    runs = [_views_once(frame_name, content, target) for _ in range(REPEATS)]
    views, defaults, raw = (Stats.of([r[i] for r in runs]) for i in range(3))
    return {"views": views, "train_defaults": defaults, "pandas_describe_corr": raw, "ratio": views.median / raw.median}


def _views_once(frame_name: str, content: bytes | None, target: str) -> tuple[float, float, float]:
    import pandas as pd

    with tempfile.TemporaryDirectory() as tmp:
        services = _app(Path(tmp)).server.extensions["dashboard"]
        dataset = frame_name
        if content is not None:
            dataset = services.catalog.add_upload(f"{frame_name}.parquet", content, name=frame_name)[0].id
        frame = services.catalog.load(dataset)
        explorer = services.explorer
        numbers = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]

        def views():
            explorer.summary(dataset)
            explorer.correlations(dataset)
            explorer.distribution(dataset, numbers[0], None)
            explorer.scatter(dataset, numbers[0], numbers[-1], None)

        seconds, _ = _timed(views)
        defaults, _ = _timed(lambda: explorer.default_features(dataset, target))
        baseline, _ = _timed(lambda: (frame.describe(include="all"), frame[numbers].corr()))
    return seconds, defaults, baseline


def titanic_cv_and_predict() -> dict:
    """CV through the service vs ``cross_validate`` with the same folds and preprocessing; REST vs in-process."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_validate
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from dashboard.train.spec import CVSpec, TrainSpec

    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        app = _app(Path(tmp))
        services = app.server.extensions["dashboard"]
        frame = services.catalog.load("titanic")
        ours, raw, prepares = [], [], []
        for seed in range(REPEATS):
            spec = TrainSpec(
                dataset="titanic",
                target="Survived",
                features=TITANIC_FEATURES,
                estimator="logistic_regression",
                cv=CVSpec(folds=5, seed=seed),
            )
            prepares.append(_timed(lambda spec=spec: services.training.prepare(spec))[0])
            seconds, (token, _, _) = _timed(lambda spec=spec: services.training.run(spec))
            ours.append(seconds)
            numeric = ["Pclass", "Age", "SibSp", "Parch", "Fare"]
            categorical = ["Sex", "Embarked"]
            prep = ColumnTransformer(
                [
                    ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
                    (
                        "categorical",
                        make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")),
                        categorical,
                    ),
                ]
            )
            pipeline = Pipeline([("prep", prep), ("model", LogisticRegression(max_iter=1000))])
            folds = StratifiedKFold(5, shuffle=True, random_state=seed)
            labelled = frame.dropna(subset=["Survived"])
            X, y = labelled[list(TITANIC_FEATURES)], labelled["Survived"]
            raw.append(_timed(lambda p=pipeline, f=folds, X=X, y=y: cross_validate(p, X, y, cv=f))[0])
        a, b = Stats.of(ours), Stats.of(raw)
        out["cv"] = {"ours": a, "raw_cross_validate": b, "ratio": a.median / b.median, "prepare": Stats.of(prepares)}
        services.training.save(spec, token, "titanic-logreg")
        client = app.server.test_client()
        row = {"Pclass": 3, "Sex": "male", "Age": None, "SibSp": 1, "Parch": 0, "Fare": 7.25, "Embarked": None}
        model = services.models.load("titanic-logreg").model
        import pandas as pd

        one = pd.DataFrame([row]).astype({"Age": float, "Embarked": object})
        served, local = [], []
        for _ in range(300):
            served.append(_timed(lambda: client.post("/api/models/titanic-logreg/predict", json=row))[0])
            local.append(_timed(lambda: model.predict_proba(one))[0])
        a, b = Stats.of(served[20:]), Stats.of(local[20:])
        out["predict"] = {"rest": a, "in_process_predict_proba": b, "added_ms": (a.median - b.median) * 1e3}
    return out


def gauntlet() -> dict:
    """Upload → explorer → train on the defaults → save → REST predict, per real table."""
    import pandas as pd

    from dashboard.errors import FieldError
    from dashboard.train.spec import CVSpec, TrainSpec, infer_task
    from layouts.train_form import model_options

    sample = _sample_module()

    listing = json.loads(sample.LISTING.read_text())
    times, outcomes = [], {"end to end": 0, "named refusal": 0, "failed": 0}
    with tempfile.TemporaryDirectory() as tmp:
        app = _app(Path(tmp))
        services = app.server.extensions["dashboard"]
        client = app.server.test_client()
        for number, table in enumerate(listing["tables"]):
            frame = sample.load(*table.split("/"))
            start = time.perf_counter()
            try:
                answer = client.post(
                    "/api/datasets",
                    data={"file": (io.BytesIO(frame.to_csv(index=False).encode()), "t.csv")},
                    content_type="multipart/form-data",
                )
                dataset = answer.json["dataset"]["id"]
                summary = services.explorer.summary(dataset)
                services.explorer.correlations(dataset)
                target = sample.target_for(table, frame)
                kinds = {p["column"]: p["kind"] for p in summary["profiles"]}
                task = infer_task(services.catalog.load(dataset)[target].dropna(), kinds[target])
                spec = TrainSpec(
                    dataset=dataset,
                    target=target,
                    features=tuple(services.explorer.default_features(dataset, target)),
                    estimator=model_options(task)[0]["value"],
                    cv=CVSpec(),
                )
                token, _, _ = services.training.run(spec)
                services.training.save(spec, token, f"m{number}")
                X = services.training.prepare(spec).X.head(5)
                rows = X.astype(object).to_dict("records")
                records = [{k: None if pd.isna(v) else v for k, v in r.items()} for r in rows]
                answer = client.post(f"/api/models/m{number}/predict", json={"instances": records})
                outcomes["end to end" if answer.status_code == 200 else "failed"] += 1
            except FieldError:
                outcomes["named refusal"] += 1
            except Exception:  # noqa: BLE001 - counted: this is what the real-data work is about
                outcomes["failed"] += 1
            times.append(time.perf_counter() - start)
    return {"tables": len(listing["tables"]), "outcomes": outcomes, "per_table": Stats.of(times), "total_s": sum(times)}


def _sample_module():
    """This checkout's table sample, whichever tree is measured."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "tests" / "realdata" / "sample.py"
    spec = importlib.util.spec_from_file_location("realdata_sample", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run() -> dict:
    import dashboard
    from bench.foundation import generate_frame

    results: dict = {"tree": str(Path(dashboard.__file__).resolve().parents[1])}
    print(f"real data ({results['tree']})")
    buffer = io.BytesIO()
    generate_frame().to_parquet(buffer, index=False)
    for key, args in (("titanic", ("titanic", None, "Survived")), ("million", ("million", buffer.getvalue(), "x0"))):
        results[f"{key}_explorer"] = found = explorer_views(*args)
        print(f"  {key} explorer views (cold): {found['views'].ms()}  {found['ratio']:.2f}x pandas describe + corr")
        print(f"  {key} Train defaults (cold):  {found['train_defaults'].ms()}")
    results.update(titanic_cv_and_predict())
    print(f"  Titanic 5-fold CV: {results['cv']['ours'].ms()}  ratio {results['cv']['ratio']:.2f}x cross_validate")
    print(f"  REST predict one row: {results['predict']['rest'].ms()}  +{results['predict']['added_ms']:.1f} ms")
    results["gauntlet"] = gauntlet()
    print(f"  gauntlet: {results['gauntlet']['outcomes']} in {results['gauntlet']['total_s']:.1f} s")
    write_results("realdata" + ("-tree" if os.environ.get("BENCH_TREE") else ""), results)
    return results


if __name__ == "__main__":
    np.seterr(all="ignore")
    run()
