"""Issue 34 figures, each against its baseline in the same run (``python -m bench diagnostics``).

- SHAP summary of the Titanic RF(300) on 1,000 rows through the training service (chunks, progress, summed per
  input column, the dependence inputs) vs ``shap.TreeExplainer`` on the same 1,000 preprocessed rows; the
  refitted model is built before either is timed, and each repeat takes a new seed (nothing cached).
- A threshold move on the Train page with a two-column subgroup split shown: server time of the subgroup
  callback and of the confusion/cost callback through the real Dash endpoint, 50 thresholds each.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from bench.harness import CallbackClient, Stats, make_app, write_results
from dashboard.serving.global_explain import sample_rows
from dashboard.train.cv import holdout_split
from dashboard.train.spec import CVSpec, TrainSpec
from layouts.train_ids import TrainIds

FOREST = {"n_estimators": 300, "min_samples_leaf": 7, "min_samples_split": 5, "max_features": 0.5, "random_state": 42}
TITANIC = ("Pclass", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked")


def _spec() -> TrainSpec:
    return TrainSpec(
        dataset="titanic",
        target="Survived",
        features=TITANIC,
        estimator="random_forest",
        params=FOREST,
        cv=CVSpec(folds=5, seed=0),
    )


def shap_summary(training, diagnostics, repeats: int = 3, rows: int = 1000) -> dict:
    import shap

    spec = _spec()
    training.run(spec)
    model = training.refitted(spec)
    prepared = training.prepare(spec)
    cv_rows, _ = holdout_split(prepared, spec.cv)
    ours, raw = [], []
    for seed in range(repeats):
        start = time.perf_counter()
        diagnostics.shap_summary(spec, rows, seed=100 + seed)
        ours.append(time.perf_counter() - start)
        frame = sample_rows(prepared.X.iloc[cv_rows], rows, 100 + seed)
        start = time.perf_counter()
        shap.TreeExplainer(model[-1]).shap_values(model[:-1].transform(frame))
        raw.append(time.perf_counter() - start)
    a, b = Stats.of(ours), Stats.of(raw)
    return {"rows": rows, "ours": a, "raw_tree_explainer": b, "ratio": a.median / b.median}


def threshold_moves(app, moves: int = 50) -> dict:
    training = app.server.extensions["dashboard"].training
    spec = _spec()
    token = training.token(spec)
    stored = {"token": token, "task": "binary", "spec": spec.key()}
    client = CallbackClient(app)
    subgroup_key = next(k for k in app.callback_map if f"{TrainIds.SUBGROUP_GRAPH}.figure" in k)
    confusion_key = next(k for k in app.callback_map if f"{TrainIds.CONFUSION_GRAPH}.figure" in k)
    values = {
        f"{TrainIds.SUBGROUP_BY}.value": ["Sex", "Pclass"],
        f"{TrainIds.SUBGROUP_METRIC}.value": "selection_rate",
        f"{TrainIds.RESULT_STORE}.data": stored,
        f"{TrainIds.COST_FP_INPUT}.value": 1,
        f"{TrainIds.COST_FN_INPUT}.value": 5,
        f"{TrainIds.BENEFIT_TP_INPUT}.value": 0,
    }
    changed = f"{TrainIds.THRESHOLD_SLIDER}.value"
    client.call(subgroup_key, {**values, changed: 0.5}, changed)  # the split's labels, once, as on the page
    subgroup, confusion = [], []
    for threshold in np.linspace(0.05, 0.95, moves):
        moved = {**values, changed: float(threshold)}
        subgroup.append(client.call(subgroup_key, moved, changed)[0])
        confusion.append(client.call(confusion_key, moved, changed)[0])
    return {"moves": moves, "subgroups": Stats.of(subgroup), "confusion_and_cost": Stats.of(confusion)}


def run() -> dict:
    print("== diagnostics ==")
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp), train_n_jobs=2)
        training = app.server.extensions["dashboard"].training
        summary = shap_summary(training, app.server.extensions["dashboard"].diagnostics)
        print(f"SHAP summary, Titanic RF(300), {summary['rows']} rows  ours: {summary['ours'].ms()}")
        raw = summary["raw_tree_explainer"].ms()
        print(f"   shap.TreeExplainer on the same rows: {raw}   ratio {summary['ratio']:.2f}x")
        moves = threshold_moves(app)
        print(f"threshold move, subgroups by Sex x Pclass: {moves['subgroups'].ms()}")
        print(f"threshold move, confusion and cost:        {moves['confusion_and_cost'].ms()}")
    results = {"shap_summary": summary, "threshold_moves": moves}
    print(f"written to {write_results('diagnostics', results)}")
    return results
