"""A leaderboard per dataset and target: the best run of each model family on the data as it is now, with what
it costs to fit and to answer; and "try every model", which fills it: each family of the catalog with its
defaults on identical folds, one after the other, within a time budget, each an ordinary recorded run."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

from dashboard.actors import acting_as
from dashboard.errors import Cancelled, FieldError, NotApplicable, NotFound, is_named
from dashboard.runs.store import RunStore
from dashboard.train.catalog import for_task
from dashboard.train.service import TrainingService
from dashboard.train.spec import CVSpec, TrainSpec

MAX_BUDGET_SECONDS = 3600


def leaderboard(runs: RunStore, catalog, dataset: str, target: str) -> dict[str, Any]:
    if not catalog.exists(dataset):
        raise NotFound(f"dataset: no dataset named {str(dataset)[:64]!r}")
    rows, older = runs.best_per_model(dataset, target, catalog.fingerprint(dataset))
    return {
        "dataset": dataset,
        "target": target,
        "metric": rows[0]["metric"] if rows else None,
        "higher_is_better": rows[0]["higher_is_better"] if rows else None,
        "models": rows,
        "older_runs": older,  # finished runs on an earlier version of the data: not ranked here
    }


def starting_spec(training: TrainingService, dataset: str, target: str) -> TrainSpec:
    """What Train would start from for this dataset and target: its default features, 5 stratified folds."""
    kinds = training.explorer.kinds(dataset) if training.catalog.exists(dataset) else {}
    if target not in kinds:
        raise NotApplicable("target", f"{str(target)[:64]!r} is not a column of {str(dataset)[:64]!r}")
    features = training.explorer.feature_defaults(dataset, target).features
    if not features:
        raise NotApplicable("features", "this dataset has no column to learn from besides the target")
    return TrainSpec(dataset=dataset, target=target, features=tuple(features), estimator="", cv=CVSpec())


def try_every_model(
    training: TrainingService,
    spec: TrainSpec,
    budget_seconds: float,
    *,
    on_model: Callable[[int, int, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> dict[str, Any]:
    """Each family for the task with its defaults on ``spec``'s folds; a family is started only while the
    budget lasts (one started finishes). A family that fails is recorded with its reason and the next runs."""
    if not 1 <= budget_seconds <= MAX_BUDGET_SECONDS:
        raise FieldError("budget", f"a budget is 1 to {MAX_BUDGET_SECONDS} seconds")
    task = training.prepare(spec.model_copy(update={"estimator": "logistic_regression"})).task
    families = [family.key for family in for_task(task)]
    shared = {k: v for k, v in spec.key().items() if k not in ("estimator", "params")}
    group = "try:" + hashlib.sha256(json.dumps(shared, sort_keys=True).encode()).hexdigest()[:16]
    start, tried, skipped = clock(), [], []
    for i, family in enumerate(families):
        if cancelled is not None and cancelled():
            raise Cancelled("cancelled")
        if clock() - start >= budget_seconds:
            skipped = families[i:]
            break
        if on_model is not None:
            on_model(i, len(families), family)
        candidate = spec.model_copy(update={"estimator": family, "params": {}})
        try:
            training.run(candidate, group=group, cancelled=cancelled)
            tried.append({"model": family, "status": "finished"})
        except Cancelled:
            raise
        except Exception as exc:  # recorded as failed with its reason by the journal; the next family runs
            tried.append({"model": family, "status": "failed", "reason": str(exc) if is_named(exc) else "failed"})
    return {"group": group, "tried": tried, "skipped": skipped, "seconds": clock() - start}


def make_try_all_runner(runs: RunStore, training: TrainingService):
    """``POST /api/runs/try-every-model`` as an API job: progress counted in model families, cancellable
    between folds, run as the user who asked (the job's thread does not inherit their request)."""

    def run(context) -> dict[str, Any]:
        params = context.params
        with acting_as(params.get("actor") or "local"):
            spec = starting_spec(training, params["dataset"], params["target"])
            done = try_every_model(
                training,
                spec,
                float(params["budget_seconds"]),
                on_model=lambda i, total, _family: context.progress(i, total),
                cancelled=context.cancel_requested,
            )
        board = leaderboard(runs, training.catalog, params["dataset"], params["target"])
        return done | {"leaderboard": board}

    return run
