"""Bayesian search: Optuna's TPE sampler proposes each next candidate from the candidates scored so far.

The same cross-validation as a single run, one candidate at a time (its folds in parallel). After each
fold the candidate's running mean is reported to Optuna's median pruner, which stops a candidate whose
running mean is worse than the median of earlier candidates at the same fold (after the first
``PRUNER_STARTUP`` candidates and the first fold): hopeless candidates cost one or two folds, not all.
Candidate 0 is the catalog's defaults, run first and outside the study (so the study is exactly what a
direct ``optuna`` study with the same seed, sampler and pruner does). Every finished candidate is a full
CV result, cached like a single run; a pruned one is shown with the folds it ran and is never ranked.

The study runs in memory (a stored study's pruner reads every trial back from the database after every
fold: 30 trials took 27% longer than raw optuna) and, once finished, is copied whole into ``storage`` when
one is given (SQLite under the cache dir on one machine, a Redis journal with the Celery backend), where
optuna-dashboard can open it.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from dashboard.errors import Cancelled, FieldError
from dashboard.train.catalog import EstimatorSpec
from dashboard.train.cv import CVResult, assemble, cv_split, fit_fold
from dashboard.train.search import LOWER_IS_BETTER, SearchResult, SearchSpec, check_space, choose_metric, rows_from
from dashboard.train.spec import Prepared, TrainSpec, build_pipeline
from model_store.lazy import lazy_module

np = lazy_module("numpy")

PRUNER_STARTUP = 5  # candidates scored before any is pruned
PRUNER_WARMUP = 1  # folds every candidate runs before it can be pruned


def make_study(metric: str, seed: int, *, prune: bool = True):
    """The study a search runs, in memory: TPE with ``seed``, the median pruner, minimise when lower is better."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    pruner = (
        optuna.pruners.MedianPruner(n_startup_trials=PRUNER_STARTUP, n_warmup_steps=PRUNER_WARMUP)
        if prune
        else optuna.pruners.NopPruner()
    )
    return optuna.create_study(
        direction="minimize" if metric in LOWER_IS_BETTER else "maximize",
        sampler=optuna.samplers.TPESampler(seed=seed),
        pruner=pruner,
    )


def keep(study, storage: Any, name: str) -> None:
    """The finished study, copied whole under ``name`` (replacing an earlier run's)."""
    import optuna

    with contextlib.suppress(KeyError):
        optuna.delete_study(study_name=name, storage=storage)
    kept = optuna.create_study(storage=storage, study_name=name, direction=study.direction)
    kept.add_trials(study.trials)


def suggest(trial, estimator: EstimatorSpec, search: SearchSpec) -> dict[str, Any]:
    """One candidate: ranges on the parameter's scale (log where the catalog says so), lists as choices."""
    params = {}
    for param in estimator.params:
        if param.name in search.ranges:
            low, high = search.ranges[param.name]
            if param.kind == "int":
                params[param.name] = trial.suggest_int(param.name, int(low), int(high), log=param.log)
            else:
                params[param.name] = trial.suggest_float(param.name, low, high, log=param.log)
        elif param.name in search.grid:
            params[param.name] = trial.suggest_categorical(param.name, search.grid[param.name])
    return params


def run_tpe(
    prepared: Prepared,
    spec: TrainSpec,
    search: SearchSpec,
    *,
    storage: Any = None,
    study_name: str | None = None,
    on_result: Callable[[list[dict[str, Any]], int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    n_jobs: int = 1,
) -> tuple[SearchResult, list[tuple[TrainSpec, CVResult | None]]]:
    """``search.candidates`` TPE trials after the defaults. Returns the ranked result and each candidate's CV
    result (None for a pruned one)."""
    import optuna
    from joblib import Parallel, delayed

    start = time.perf_counter()
    metric = choose_metric(prepared.task, search.metric)
    check_space(prepared.estimator, search)
    names = [p.name for p in prepared.estimator.params if p.name in search.grid or p.name in search.ranges]
    defaults = {p.name: p.default for p in prepared.estimator.params}
    seed = {k: v for k, v in spec.params.items() if k == "random_state"}
    X, y, splits, holdout = cv_split(prepared, spec.cv)
    study = make_study(metric, search.seed)
    params: list[dict[str, Any]] = []
    specs: list[TrainSpec] = []
    folds: dict[int, list[dict[str, Any]]] = {}
    pruned: set[int] = set()
    total = (search.candidates + 1) * len(splits)

    def report() -> None:
        if on_result is not None:
            filled = [{n: p.get(n, defaults[n]) for n in names} for p in params]
            done = sum(len(f) for f in folds.values())
            on_result(rows_from(metric, params, folds, len(splits), filled, pruned), done, total)

    def evaluate(candidate: dict[str, Any], trial=None) -> bool:
        """Run one candidate's folds; False when the pruner stopped it."""
        index = len(params)
        candidate_spec = spec.model_copy(update={"params": {**(spec.params if candidate else seed), **candidate}})
        try:
            prepared.estimator.checked_params(candidate_spec.params)
        except ValueError as exc:
            raise FieldError(f"search.{str(exc).partition(':')[0]}", str(exc).partition(": ")[2]) from None
        params.append(candidate)
        specs.append(candidate_spec)
        build = partial(build_pipeline, candidate_spec, prepared.estimator, prepared.columns)
        scores = []
        # As many folds at a time as there are workers, then the pruner's verdict: stopping a candidate
        # never abandons running folds (joblib would restart its worker pool, a second each time).
        for first in range(0, len(splits), n_jobs):
            batch = list(enumerate(splits))[first : first + n_jobs]
            done = Parallel(n_jobs=min(n_jobs, len(batch)))(
                delayed(fit_fold)(build, X, y, train, test, fold, prepared.task, prepared.classes)
                for fold, (train, test) in batch
            )
            for fold in done:  # in fold order: the pruner's steps
                folds.setdefault(index, []).append(fold)
                scores.append(fold["metrics"].get(metric, np.nan))
                report()
                if cancelled is not None and cancelled():
                    raise Cancelled("cancelled")
                if trial is not None:
                    trial.report(float(np.mean(scores)), step=fold["fold"])
                    if trial.should_prune():
                        pruned.add(index)
                        return False
        return True

    evaluate({})  # candidate 0: the catalog's defaults
    # Values given as lists are categorical choices: a finite space. TPE may suggest a combination it has
    # already tried; that trial is told the known outcome and nothing runs again, and the search stops
    # once every combination is done.
    combinations = None if search.ranges else math.prod(len(search.grid[n]) for n in names)
    outcomes: dict[tuple, float | None] = {}  # a tried combination -> its mean (None: pruned)
    for _ in range(search.candidates):
        if combinations is not None and len(outcomes) >= combinations:
            break
        trial = study.ask()
        candidate = suggest(trial, prepared.estimator, search)
        key = tuple(sorted((k, repr(v)) for k, v in candidate.items()))
        if key in outcomes:
            known = outcomes[key]
            if known is None:
                study.tell(trial, state=optuna.trial.TrialState.PRUNED)
            else:
                study.tell(trial, known)
            continue
        if evaluate(candidate, trial):
            outcomes[key] = float(np.mean([f["metrics"][metric] for f in folds[len(params) - 1]]))
            study.tell(trial, outcomes[key])
        else:
            outcomes[key] = None
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
    if storage is not None and study_name is not None:
        keep(study, storage, study_name)
    wall = time.perf_counter() - start
    filled = [{n: p.get(n, defaults[n]) for n in names} for p in params]
    rows = rows_from(metric, params, folds, len(splits), filled, pruned)
    best = min((r for r in rows if "rank" in r), key=lambda r: r["rank"])["candidate"]
    per_candidate = [
        (candidate_spec, None if index in pruned else assemble(prepared, y, folds[index], holdout, wall / len(specs)))
        for index, candidate_spec in enumerate(specs)
    ]
    result = SearchResult(metric, metric in LOWER_IS_BETTER, names, rows, best, wall, [])
    result.history = history(study)
    result.importances = importances(study)
    return result, per_candidate


def history(study) -> list[dict[str, Any]]:
    """Each trial's number, state, value (finished ones) and the best value so far."""
    import optuna

    out, best = [], None
    maximize = study.direction == optuna.study.StudyDirection.MAXIMIZE
    for trial in study.trials:
        value = trial.value if trial.state == optuna.trial.TrialState.COMPLETE else None
        if value is not None and (best is None or (value > best if maximize else value < best)):
            best = value
        out.append({"trial": trial.number, "state": trial.state.name.lower(), "value": value, "best": best})
    return out


def importances(study) -> dict[str, float]:
    """Optuna's fANOVA parameter importances over the finished trials (empty when too few to tell)."""
    import optuna

    finished = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if len(finished) < 2 or not finished[0].params:
        return {}
    try:
        return {k: float(v) for k, v in optuna.importance.get_param_importances(study, params=None).items()}
    except (RuntimeError, ValueError):  # every trial has the same value: nothing to attribute
        return {}


def local_storage(path) -> Callable[[], Any]:
    """Studies in one SQLite file (one machine: every worker process sees them)."""
    return lambda: _rdb(f"sqlite:///{path}")


def redis_storage(url: str) -> Callable[[], Any]:
    """Studies in a Redis journal (several machines, the Celery backend's Redis)."""

    def make():
        from optuna.storages import JournalStorage
        from optuna.storages.journal import JournalRedisBackend

        return JournalStorage(JournalRedisBackend(url))

    return make


def _rdb(url: str):
    from optuna.storages import RDBStorage

    return RDBStorage(url)
