"""Hyperparameter search over the same cross-validation as a single run: grid (value lists), random
(lists sampled uniformly, ``low..high`` ranges sampled on the parameter's scale) or TPE (Bayesian, with
pruning: see :mod:`dashboard.train.tpe`).

Every candidate x fold is one job; results stream as they finish. Candidate 0 is always the catalog's
untuned defaults, so "best vs defaults" is measured on identical folds. Each finished candidate is also
a complete :class:`~dashboard.train.cv.CVResult`, cached under the same key a single run would use, so
running or saving the best candidate afterwards fits nothing new.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dashboard.errors import Cancelled, FieldError
from dashboard.train.catalog import EstimatorSpec, ParamSpec
from dashboard.train.cv import CVResult, assemble, cv_split, fit_fold
from dashboard.train.spec import Prepared, TrainSpec, build_pipeline
from model_store.lazy import lazy_module

np = lazy_module("numpy")

# scikit-learn and scipy are imported inside the functions that use them: the app starts without them.

MAX_CANDIDATES = 200
LOWER_IS_BETTER = {"rmse", "mae", "mape", "log_loss"}
DEFAULT_METRIC = {"binary": "roc_auc", "multiclass": "accuracy", "regression": "rmse"}


class SearchSpec(BaseModel):
    """``grid`` holds value lists; ``ranges`` (random and TPE search) holds ``(low, high)`` per parameter;
    ``candidates`` is how many random candidates or TPE trials to run after the defaults."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    mode: Literal["grid", "random", "tpe"] = "grid"
    grid: dict[str, list[Any]] = Field(default_factory=dict)
    ranges: dict[str, tuple[float, float]] = Field(default_factory=dict)
    candidates: int = Field(20, ge=1, le=MAX_CANDIDATES)
    seed: int = Field(0, ge=0)
    metric: str | None = None

    def key(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def parse_values(param: ParamSpec, text: str, mode: str) -> list[Any] | tuple[float, float]:
    """'0.1, 1, 10' -> checked values; 'low..high' -> a range (random search only). Errors name the parameter."""
    text = (text or "").strip()
    field = f"search.{param.name}"
    if not text:
        hint = " or a range low..high" if mode != "grid" else ""
        raise FieldError(field, f"enter values separated by commas{hint}")
    if ".." in text and param.kind in ("int", "float"):
        if mode == "grid":
            raise FieldError(field, "a range low..high needs random or TPE search; list values for a grid")
        low_text, _, high_text = text.partition("..")
        low, high = (_checked(param, part.strip(), field) for part in (low_text, high_text))
        if low >= high:
            raise FieldError(field, f"the range {low:g}..{high:g} is empty")
        if param.log and low <= 0:
            raise FieldError(field, "a log-scale range must start above 0")
        return (float(low), float(high))
    values = [_checked(param, part.strip(), field) for part in text.split(",") if part.strip()]
    return list(dict.fromkeys(values))


def _checked(param: ParamSpec, raw: str, field: str) -> Any:
    value: Any = raw
    if param.kind in ("int", "float"):
        try:
            value = float(raw)
        except ValueError:
            raise FieldError(field, f"{raw[:32]!r} is not a number") from None
    if param.kind == "bool":
        value = raw.lower() in ("1", "true", "yes")
    try:
        return param.check(value)
    except ValueError as exc:
        raise FieldError(field, str(exc).partition(": ")[2] or str(exc)) from None


def check_space(estimator: EstimatorSpec, search: SearchSpec) -> None:
    """Every tuned name is a parameter of the model, and something is tuned."""
    names = {p.name for p in estimator.params}
    for name in [*search.grid, *search.ranges]:
        if name not in names:
            raise FieldError(f"search.{name}", f"not a parameter of {estimator.label}")
    if not search.grid and not search.ranges:
        raise FieldError("search", "tick at least one parameter to tune")


def candidates(estimator: EstimatorSpec, search: SearchSpec) -> list[dict[str, Any]]:
    """Parameter sets to try; the first is ``{}`` (the catalog's defaults)."""
    specs = {p.name: p for p in estimator.params}
    check_space(estimator, search)
    if search.mode == "grid":
        if search.ranges:
            raise FieldError("search", "ranges need random or TPE search")
        size = math.prod(len(v) for v in search.grid.values())
        if size > MAX_CANDIDATES:
            raise FieldError("search", f"the grid has {size:,} candidates; at most {MAX_CANDIDATES}")
        names = list(search.grid)
        chosen = [dict(zip(names, values, strict=True)) for values in itertools.product(*search.grid.values())]
    else:
        chosen = _random(specs, search)
    return [{}, *[c for c in chosen if c]]


def _random(specs: dict[str, ParamSpec], search: SearchSpec) -> list[dict[str, Any]]:
    rng = np.random.default_rng(search.seed)
    seen: dict[str, dict[str, Any]] = {}
    for _ in range(search.candidates * 20):  # small integer ranges repeat; stop at the requested count
        candidate = {name: values[rng.integers(len(values))] for name, values in search.grid.items()}
        for name, (low, high) in search.ranges.items():
            param = specs[name]
            value = math.exp(rng.uniform(math.log(low), math.log(high))) if param.log else rng.uniform(low, high)
            candidate[name] = param.check(round(value) if param.kind == "int" else float(f"{value:.4g}"))
        seen.setdefault(repr(sorted(candidate.items())), candidate)
        if len(seen) == search.candidates:
            break
    return list(seen.values())


@dataclass
class SearchResult:
    metric: str
    lower_is_better: bool
    names: list[str]  # tuned parameters
    rows: list[dict[str, Any]]  # candidate, params, mean, std, rank, fit_time, folds, defaults
    best: int
    wall_time: float
    tokens: list[str | None]  # each candidate's CV-result key (None: pruned, never finished)
    history: list[dict[str, Any]] = field(default_factory=list)  # TPE: trial, state, value, best so far
    importances: dict[str, float] = field(default_factory=dict)  # TPE: Optuna's parameter importances

    def best_row(self) -> dict[str, Any]:
        return self.rows[self.best]

    def defaults_row(self) -> dict[str, Any]:
        return self.rows[0]


def choose_metric(task: str, requested: str | None) -> str:
    metric = requested or DEFAULT_METRIC[task]
    allowed = {"regression": {"rmse", "mae", "r2", "mape"}}.get(
        task, {"accuracy", "balanced_accuracy", "precision", "recall", "f1", "roc_auc", "average_precision", "log_loss"}
    )
    if metric not in allowed:
        choices = ", ".join(sorted(allowed))
        raise FieldError("search.metric", f"{metric[:32]!r} does not apply to {task}; one of {choices}")
    return metric


def rows_from(
    task_metric: str,
    params: list[dict[str, Any]],
    folds: dict[int, list[dict[str, Any]]],
    n_folds: int,
    filled: list[dict[str, Any]],
    pruned: set[int] | frozenset[int] = frozenset(),
) -> list[dict[str, Any]]:
    """One row per candidate from the folds finished so far, ranked like scikit-learn's ``rank_test_score``.

    ``filled`` holds each candidate's value of every tuned parameter (the defaults row included); a
    ``pruned`` candidate keeps its partial mean but is never ranked."""
    from scipy.stats import rankdata

    rows = []
    for index, (candidate, tuned) in enumerate(zip(params, filled, strict=True)):
        done = folds.get(index, [])
        values = np.array([f["metrics"].get(task_metric, np.nan) for f in done], dtype=float)
        rows.append(
            {
                "candidate": index,
                "params": candidate,
                "values": tuned,
                "defaults": index == 0,
                "mean": float(np.nanmean(values)) if len(values) and not np.isnan(values).all() else None,
                "std": float(np.nanstd(values)) if len(values) and not np.isnan(values).all() else None,
                "fit_time": float(np.mean([f["fit_time"] for f in done])) if done else None,
                "folds": len(done),
                "of": n_folds,
                "pruned": index in pruned,
            }
        )
    scored = [r for r in rows if r["mean"] is not None and not r["pruned"]]
    sign = 1 if task_metric in LOWER_IS_BETTER else -1
    ranks = rankdata([sign * r["mean"] for r in scored], method="min") if scored else []
    for row, rank in zip(scored, ranks, strict=True):
        row["rank"] = int(rank)
    return rows


def run_search(
    prepared: Prepared,
    spec: TrainSpec,
    search: SearchSpec,
    *,
    on_result: Callable[[list[dict[str, Any]], int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    n_jobs: int = 1,
) -> tuple[SearchResult, list[tuple[TrainSpec, CVResult]]]:
    """Every candidate x fold in one parallel stream. Returns the ranked result and each candidate's CV result."""
    from joblib import Parallel, delayed

    start = time.perf_counter()
    metric = choose_metric(prepared.task, search.metric)
    params = candidates(prepared.estimator, search)
    # Untuned parameters keep the values chosen on the page; candidate 0 is the catalog's defaults.
    seed = {k: v for k, v in spec.params.items() if k == "random_state"}
    specs = [spec.model_copy(update={"params": {**(spec.params if p else seed), **p}}) for p in params]
    for candidate_spec in specs:
        try:
            prepared.estimator.checked_params(candidate_spec.params)
        except ValueError as exc:
            raise FieldError(f"search.{str(exc).partition(':')[0]}", str(exc).partition(": ")[2]) from None
    names = list(dict.fromkeys([*search.grid, *search.ranges]))
    defaults = {p.name: p.default for p in prepared.estimator.params}
    filled = [{n: p.get(n, defaults[n]) for n in names} for p in params]
    X, y, splits, holdout = cv_split(prepared, spec.cv)
    jobs = [
        delayed(_candidate_fold)(
            index,
            partial(build_pipeline, candidate_spec, prepared.estimator, prepared.columns),
            X,
            y,
            train,
            test,
            fold,
            prepared.task,
            prepared.classes,
        )
        for index, candidate_spec in enumerate(specs)
        for fold, (train, test) in enumerate(splits)
    ]
    folds: dict[int, list[dict[str, Any]]] = {}
    stream = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(jobs)
    for done, (index, fold) in enumerate(stream, start=1):
        folds.setdefault(index, []).append(fold)
        if on_result is not None:
            on_result(rows_from(metric, params, folds, len(splits), filled), done, len(jobs))
        if cancelled is not None and cancelled():
            raise Cancelled("cancelled")
    wall = time.perf_counter() - start
    rows = rows_from(metric, params, folds, len(splits), filled)
    best = min(rows, key=lambda r: r["rank"])["candidate"]
    per_candidate = [
        (candidate_spec, assemble(prepared, y, folds[index], holdout, wall / len(specs)))
        for index, candidate_spec in enumerate(specs)
    ]
    result = SearchResult(metric, metric in LOWER_IS_BETTER, names, rows, best, wall, [])
    return result, per_candidate


def _candidate_fold(index: int, build, X, y, train, test, fold: int, task: str, classes) -> tuple[int, dict]:
    return index, fit_fold(build, X, y, train, test, fold, task, classes)
