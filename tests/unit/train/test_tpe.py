"""Bayesian search: the same trials, pruning decisions and best as a direct Optuna study with the same seed,
sampler, pruner and objective (scikit-learn's folds and roc_auc_score); every finished trial is cached."""

from __future__ import annotations

import numpy as np
import optuna
import pytest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from dashboard.errors import FieldError
from dashboard.train.search import SearchSpec
from dashboard.train.tpe import PRUNER_STARTUP, PRUNER_WARMUP
from tests.unit.helpers import titanic_spec

TRIALS = 14


def direct_study(training, spec, search) -> optuna.Study:
    prepared = training.prepare(spec)
    folds = list(StratifiedKFold(spec.cv.folds, shuffle=True, random_state=spec.cv.seed).split(prepared.X, prepared.y))

    def objective(trial):
        C = trial.suggest_float("C", *search.ranges["C"], log=True)
        pipeline = training.prepare(spec.model_copy(update={"params": {**spec.params, "C": C}})).build()
        scores = []
        for step, (train, test) in enumerate(folds):
            fitted = pipeline.fit(prepared.X.iloc[train], prepared.y.iloc[train])
            proba = fitted.predict_proba(prepared.X.iloc[test])[:, 1]
            scores.append(roc_auc_score(prepared.y.iloc[test] == fitted.classes_[1], proba))
            trial.report(float(np.mean(scores)), step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return float(np.mean(scores))

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=search.seed),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=PRUNER_STARTUP, n_warmup_steps=PRUNER_WARMUP),
    )
    study.optimize(objective, n_trials=search.candidates)
    return study


def test_tpe_search_equals_a_direct_optuna_study(training):
    spec = titanic_spec()
    search = SearchSpec(mode="tpe", ranges={"C": (0.0001, 100.0)}, candidates=TRIALS, seed=7)
    progress = []
    token, result, cached = training.search(spec, search, on_result=lambda rows, done, total: progress.append(done))
    direct = direct_study(training, spec, search)
    trials = result.rows[1:]  # row 0: the catalog's defaults, outside the study
    assert [r["values"]["C"] for r in trials] == [t.params["C"] for t in direct.trials]
    assert [r["pruned"] for r in trials] == [t.state == optuna.trial.TrialState.PRUNED for t in direct.trials]
    assert any(r["pruned"] for r in trials)  # the pruner did stop hopeless candidates
    best = result.best_row()
    assert not best["defaults"]  # a tuned C beats the default on these folds
    assert best["values"]["C"] == direct.best_params["C"]
    assert best["mean"] == pytest.approx(direct.best_value, abs=1e-12)
    complete = optuna.trial.TrialState.COMPLETE
    assert [h["value"] for h in result.history] == [t.value if t.state == complete else None for t in direct.trials]
    assert set(result.importances) <= {"C"}
    # every finished candidate is cached like a single run; a pruned one has no result
    for row, cached_token in zip(result.rows, result.tokens, strict=True):
        assert (cached_token is None) == row["pruned"]
        if cached_token is not None:
            assert training.result(cached_token).summary["roc_auc"]["mean"] == pytest.approx(row["mean"], abs=1e-12)
    assert progress == sorted(progress) and not cached
    _, again, cached = training.search(spec, search)
    assert cached and again.rows == result.rows


def test_tpe_study_is_kept_in_the_storage_given(training, tmp_path):
    from dashboard.train.tpe import local_storage

    training.optuna_storage = local_storage(tmp_path / "optuna.sqlite3")
    search = SearchSpec(mode="tpe", ranges={"C": (0.01, 10.0)}, candidates=3, seed=1)
    token, result, _ = training.search(titanic_spec(), search)
    stored = optuna.load_study(study_name=token, storage=f"sqlite:///{tmp_path / 'optuna.sqlite3'}")
    assert [t.params["C"] for t in stored.trials] == [r["values"]["C"] for r in result.rows[1:]]


def test_tpe_bad_spaces_are_named(training):
    with pytest.raises(FieldError, match="tick at least one"):
        training.search(titanic_spec(), SearchSpec(mode="tpe", candidates=3))
    with pytest.raises(FieldError, match="not a parameter"):
        training.search(titanic_spec(), SearchSpec(mode="tpe", ranges={"nope": (1.0, 2.0)}, candidates=3))


def test_tpe_on_value_lists_fits_each_combination_once_and_stops_when_all_are_done(training):
    """Lists are categorical choices: 13 trials over 3 values used to fit the same candidates again."""
    search = SearchSpec(mode="tpe", grid={"C": [0.1, 1.0, 10.0]}, candidates=13, seed=3)
    _, result, _ = training.search(titanic_spec(), search)
    tried = [r["values"]["C"] for r in result.rows[1:]]  # row 0: the defaults
    assert len(tried) == len(set(tried)) and set(tried) <= {0.1, 1.0, 10.0}
    assert len(result.rows) <= 4 and len(result.history) <= 13
    ranked = [r for r in result.rows if "rank" in r]
    assert all(not r["pruned"] for r in ranked)  # a pruned partial mean is never ranked above a complete one
