"""Issue 16 figures, each against its baseline in the same run (``python -m bench insights``).

- Three models compared on Caravan's folds through the training service vs three sequential
  ``cross_validate`` calls with the same pipelines, splitter, scoring and n_jobs.
- SHAP for one row of the Titanic RF(300) demo model: server time of ``POST .../predict?explain=true``
  through Flask's test client, next to the same request without it.
- A 30-trial TPE search through the service (SQLite study under the cache dir, the defaults candidate,
  every fold's full metrics, caching) vs a raw ``optuna`` study with the same sampler, pruner and
  objective (scikit-learn folds and ``roc_auc_score``, pruning after each fold).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from bench.harness import Stats, make_app, write_results
from bench.train import CARAVAN_FEATURES
from dashboard.train.cv import splitter
from dashboard.train.search import SearchSpec
from dashboard.train.spec import CVSpec, TrainSpec
from dashboard.train.tpe import PRUNER_STARTUP, PRUNER_WARMUP

COMPARED = ["logistic_regression", "random_forest", "hist_gradient_boosting"]
ROW = {"Pclass": 3, "Sex": "male", "Age": 22, "SibSp": 1, "Parch": 0, "Fare": 7.25, "Embarked": "S"}


def _caravan(seed: int, **changes) -> TrainSpec:
    values = {
        "dataset": "caravan",
        "target": "Purchase",
        "features": CARAVAN_FEATURES,
        "estimator": "random_forest",
        "params": {"n_estimators": 100},
        "cv": CVSpec(folds=5, seed=seed),
    }
    return TrainSpec(**{**values, **changes})


def comparison(training, repeats: int = 3) -> dict:
    from sklearn.model_selection import cross_validate

    ours, raw = [], []
    for seed in range(repeats):  # a new seed each time: new folds, nothing cached on either side
        spec = _caravan(seed)
        start = time.perf_counter()
        training.compare(spec, COMPARED)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        for model in COMPARED:
            params = spec.params if model == spec.estimator else {}
            model_spec = spec.model_copy(update={"estimator": model, "params": params})
            prepared = training.prepare(model_spec)
            positive = (prepared.y == prepared.classes[1]).astype(int)
            cross_validate(
                prepared.build(), prepared.X, positive, cv=splitter(spec.cv, prepared.task), n_jobs=training.n_jobs,
                scoring=["accuracy", "roc_auc", "average_precision"], error_score="raise",
            )  # fmt: skip
        raw.append(time.perf_counter() - start)
    a, b = Stats.of(ours), Stats.of(raw)
    return {"ours": a, "raw_cross_validate_x3": b, "ratio": a.median / b.median, "models": COMPARED}


def shap_row(app, repeats: int = 200) -> dict:
    client = app.server.test_client()
    plain, explained = [], []
    for _ in range(20):  # warm: the model, shap's import and the explainer are built once
        client.post("/api/models/titanic-survival/predict?explain=true", json=ROW)
    for _ in range(repeats):
        start = time.perf_counter()
        answer = client.post("/api/models/titanic-survival/predict", json=ROW)
        plain.append(time.perf_counter() - start)
        start = time.perf_counter()
        answer = client.post("/api/models/titanic-survival/predict?explain=true", json=ROW)
        explained.append(time.perf_counter() - start)
    assert answer.status_code == 200 and answer.json["explanations"], answer.json
    a, b = Stats.of(explained), Stats.of(plain)
    return {"explained": a, "plain": b, "explain_ms": (a.median - b.median) * 1e3}


def tpe(training, trials: int = 30) -> dict:
    import optuna
    from sklearn.metrics import roc_auc_score

    spec = _caravan(0, cv=CVSpec(folds=3, seed=0))
    search = SearchSpec(
        mode="tpe", ranges={"min_samples_leaf": (1.0, 60.0), "max_features": (0.1, 1.0)}, candidates=trials, seed=0
    )
    start = time.perf_counter()
    _, result, _ = training.search(spec, search)
    ours = time.perf_counter() - start
    cores, training.n_jobs = training.n_jobs, 1  # the same search on one core, like the raw study's objective
    training.memo.backend.cache.clear()  # nothing cached: the one-core run computes every candidate again
    start = time.perf_counter()
    training.search(spec, search)
    one_core = time.perf_counter() - start
    training.n_jobs = cores
    prepared = training.prepare(spec)
    folds = list(splitter(spec.cv, prepared.task).split(prepared.X, prepared.y))
    positive = prepared.classes[1]  # the same labels as ours ("No"/"Yes") and the same roc_auc_score

    log = {p.name: p.log for p in prepared.estimator.params}  # each parameter on the catalog's scale

    def objective(trial):
        params = {
            "min_samples_leaf": trial.suggest_int("min_samples_leaf", 1, 60, log=log["min_samples_leaf"]),
            "max_features": trial.suggest_float("max_features", 0.1, 1.0, log=log["max_features"]),
        }
        pipeline = prepared.build().set_params(**{f"model__{k}": v for k, v in params.items()})
        scores = []
        for step, (train, test) in enumerate(folds):
            fitted = pipeline.fit(prepared.X.iloc[train], prepared.y.iloc[train])
            proba = fitted.predict_proba(prepared.X.iloc[test])[:, 1]
            scores.append(roc_auc_score(prepared.y.iloc[test] == positive, proba))
            trial.report(float(np.mean(scores)), step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return float(np.mean(scores))

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    start = time.perf_counter()
    study = optuna.create_study(
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=0),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=PRUNER_STARTUP, n_warmup_steps=PRUNER_WARMUP),
    )
    study.optimize(objective, n_trials=trials)
    raw = time.perf_counter() - start
    pruned = sum(1 for r in result.rows if r["pruned"])
    return {
        "ours_s": ours,
        "ours_one_core_s": one_core,
        "raw_optuna_s": raw,
        "ratio": ours / raw,
        "one_core_ratio": one_core / raw,
        "trials": trials,
        "pruned": pruned,
        "best": result.best_row()["mean"],
        "raw_best": study.best_value,
    }


def run() -> dict:
    print("== insights ==")
    with tempfile.TemporaryDirectory() as tmp:
        from dashboard.train.demo import DEMO_MODELS, train_demo

        app = make_app(Path(tmp), train_n_jobs=2)
        services = app.server.extensions["dashboard"]
        train_demo(DEMO_MODELS[0], services.training, folds=2)
        shap = shap_row(app)
        print(
            f"SHAP, one Titanic RF(300) row, predict?explain=true server time: {shap['explained'].ms()}"
            f"  (without: {shap['plain'].ms()}; the explanation {shap['explain_ms']:.1f} ms)"
        )
        compared = comparison(services.training)
        print(f"3 models on Caravan, 5 folds  ours: {compared['ours'].ms()}")
        print(f"   3 x cross_validate: {compared['raw_cross_validate_x3'].ms()}   ratio {compared['ratio']:.2f}x")
        searched = tpe(services.training)
        print(
            f"TPE {searched['trials']} trials RF(100) on Caravan, 3 folds: ours {searched['ours_s']:.1f} s "
            f"({searched['pruned']} pruned, best {searched['best']:.4f}) "
            f"vs raw optuna {searched['raw_optuna_s']:.1f} s "
            f"(best {searched['raw_best']:.4f})  ratio {searched['ratio']:.2f}x; "
            f"ours on one core {searched['ours_one_core_s']:.1f} s: {searched['one_core_ratio']:.2f}x"
        )
    results = {"shap": shap, "compare": compared, "tpe": searched}
    print(f"written to {write_results('insights', results)}")
    return results
