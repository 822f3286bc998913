"""What the training service tells the runs store: a Train run (or a search candidate) started, progressed,
finished or stopped. The service holds a journal without knowing what keeps it (features never import runs)."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from dashboard.errors import Cancelled, is_named
from dashboard.recommend.evaluation import METRICS as RANKING_METRICS
from dashboard.runs.store import RunStore
from dashboard.train.compare import PRIMARY

if TYPE_CHECKING:
    from dashboard.train.cv import CVResult
    from dashboard.train.spec import TrainSpec

log = logging.getLogger(__name__)
TIMES = ("fit_time", "score_time")


class TrainJournal:
    """Keeping a run record must never fail the run it records: a database error is logged, not raised."""

    BEAT_SECONDS = 5.0  # a run's progress is written at most this often (its staleness is judged in minutes)

    def __init__(self, store: RunStore, clock=time.monotonic) -> None:
        self.store, self.clock = store, clock
        self._last_beat: dict[str, float] = {}

    def started(self, token: str, spec: TrainSpec, fingerprint: str, *, kind: str = "cv", group: str | None = None):
        self._last_beat[token] = self.clock()  # its start is its first beat
        self._quietly(self.store.started, token, spec_facts(spec, fingerprint, kind, group))

    def progressed(self, token: str, done: int) -> None:
        now = self.clock()
        if now - self._last_beat.get(token, -self.BEAT_SECONDS) < self.BEAT_SECONDS:
            return
        if len(self._last_beat) > 1000:  # forget runs long finished
            self._last_beat.clear()
        self._last_beat[token] = now
        self._quietly(self.store.beat, token, done)

    def finished(
        self,
        token: str,
        spec: TrainSpec,
        fingerprint: str,
        result: CVResult,
        *,
        kind: str = "cv",
        group: str | None = None,
    ) -> None:
        facts = spec_facts(spec, fingerprint, kind, group) | result_facts(result)
        self._quietly(self.store.finished, token, facts)

    def pruned(self, token: str, spec: TrainSpec, fingerprint: str, group: str) -> None:
        """A search candidate stopped early by the pruner: kept, marked, never ranked."""
        facts = spec_facts(spec, fingerprint, "candidate", group) | {
            "status": "pruned",
            "reason": "stopped early: its first folds scored well below the best candidates'",
            "link": None,
        }
        self._quietly(self.store.finished, token, facts)

    def stopped(self, token: str, exc: BaseException) -> None:
        if isinstance(exc, Cancelled):
            self._quietly(self.store.ended, token, "cancelled", "cancelled by its user")
        else:  # a named error is the reason a user reads; anything else only says it failed
            reason = str(exc) if is_named(exc) else "failed with an unexpected error (logged)"
            self._quietly(self.store.ended, token, "failed", reason)

    def _quietly(self, write, *args) -> None:
        try:
            write(*args)
        except Exception:
            log.exception("the run record could not be written; the run itself goes on")


class ClusterJournal(TrainJournal):
    """A clustering fitted on /clusters (kind ``clustering``) or a choose-k sweep (kind ``cluster_sweep``),
    scored by the silhouette (higher is better): a sweep's at the k it suggests."""

    def started(self, token: str, spec, fingerprint: str, *, kind: str = "clustering", **_ignored) -> None:
        self._quietly(self.store.started, token, cluster_facts(spec, fingerprint) | {"kind": kind})

    def finished(self, token: str, spec, fingerprint: str, result, *, kind: str = "clustering", **_ignored) -> None:
        if kind == "cluster_sweep":
            self._quietly(self.store.finished, token, sweep_facts(spec, fingerprint, result))
            return
        scores = {k: _number(v) for k, v in result.scores.items()}
        facts = cluster_facts(spec, fingerprint) | {
            "task": "clustering",
            "metrics": {k: {"mean": v, "std": None} for k, v in scores.items() if v is not None},
            "folds": [],
            "metric": "silhouette",
            "score": scores.get("silhouette"),
            "higher_is_better": True,
            "fit_seconds": _number(result.fit_seconds),
            "rows": int(len(result.labels)),
        }
        self._quietly(self.store.finished, token, facts)


def sweep_facts(spec, fingerprint: str, result) -> dict[str, Any]:
    """A sweep's record: the scores at the suggested k (its link opens the clustering at that k); every k's
    scores are its "folds", so a comparison of sweeps shows the curves' points side by side."""
    at = result.ks.index(result.suggested)
    curves = ("silhouette", "inertia", "davies_bouldin", "calinski_harabasz")
    chosen = spec.model_copy(update={"k": result.suggested})
    facts = cluster_facts(chosen, fingerprint)
    return facts | {
        "kind": "cluster_sweep",
        "task": "clustering",
        "params": facts["params"] | {"k": None, "k_from": result.ks[0], "k_to": result.ks[-1]},
        "metrics": {
            name: {"mean": _number(getattr(result, name)[at]), "std": None}
            for name in curves
            if _number(getattr(result, name)[at]) is not None
        }
        | {"suggested_k": {"mean": float(result.suggested), "std": None}},
        "folds": [
            {"k": float(k), **{name: _number(getattr(result, name)[i]) for name in curves}}
            for i, k in enumerate(result.ks)
        ],
        "metric": "silhouette",
        "score": _number(result.silhouette[at]),
        "higher_is_better": True,
        "fit_seconds": _number(result.seconds),
    }


class RecommendJournal(TrainJournal):
    """A recommender evaluation on /recommend: one run per model evaluated (the popularity baseline first),
    grouped by the evaluation, scored by NDCG@k on the held-out interactions (higher is better). ``spec`` is
    the (mapping, model spec, holdout) the model was evaluated with."""

    def started(self, token: str, spec, fingerprint: str, *, group: str | None = None, **_ignored) -> None:
        self._quietly(self.store.started, token, recommend_facts(spec, fingerprint, group))

    def finished(self, token: str, spec, fingerprint: str, result, *, group: str | None = None, **_) -> None:
        """``result``: the model's row of the evaluation (its metrics, fit and evaluation seconds, users)."""
        scores = {k: _number(result.get(k)) for k in RANKING_METRICS}
        users = int(result.get("users") or 0)
        facts = recommend_facts(spec, fingerprint, group) | {
            "metrics": {k: {"mean": v, "std": None} for k, v in scores.items() if v is not None},
            "folds": [],
            "metric": "ndcg",
            "score": scores["ndcg"],
            "higher_is_better": True,
            "fit_seconds": _number(result.get("fit_seconds")),
            "predict_ms_per_row": 1000 * result["eval_seconds"] / users if users and "eval_seconds" in result else None,
            "rows": users,
        }
        self._quietly(self.store.finished, token, facts)


def recommend_facts(spec, fingerprint: str, group: str | None) -> dict[str, Any]:
    """``spec``: a :class:`dashboard.recommend.evaluation.EvaluatedModel`. Its link is the /recommend
    permalink of the whole evaluation (every model and parameter of the form), which reopens it cached."""
    mapping, model, holdout, evaluated = spec
    model_key, holdout_key = model.key(), holdout.key()
    others = [m for m in evaluated if m.kind != "popularity"]
    query: dict[str, Any] = {"dataset": mapping.dataset, "feedback": mapping.feedback}
    query |= {role: getattr(mapping, role) or "-" for role in ("user", "item", "value", "timestamp", "title", "genres")}
    query |= {"model": model.kind if model.kind != "popularity" else (others[0].kind if others else None)}
    query |= {"models": ",".join(m.kind for m in others)}
    for other in others:
        query |= {k: v for k, v in other.key().items() if k != "kind"}
    query |= {"holdout": holdout_key.get("method"), "n": holdout_key.get("n"), "k": holdout_key.get("k")}
    query |= {"relevant": holdout_key.get("relevant_from"), "seed": holdout_key.get("seed"), "view": "evaluate"}
    params = {k: v for k, v in model_key.items() if k != "kind"}
    return {
        "kind": "recommender",
        "group_token": group,
        "dataset": mapping.dataset,
        "fingerprint": fingerprint,
        "target": None,
        "task": "recommendation",
        "model": model.kind,
        "spec": {"mapping": mapping.key(), "model": model_key, "holdout": holdout_key},
        "params": params | {f"holdout_{k}": v for k, v in holdout_key.items()},
        "link": "/recommend?" + urlencode({k: v for k, v in query.items() if v is not None}),
    }


def cluster_facts(spec, fingerprint: str) -> dict[str, Any]:
    key = spec.key()
    params = {k: v for k, v in key.items() if k not in ("dataset", "features", "log", "labels")}
    query = {k: ",".join(v) if isinstance(v, list) else v for k, v in key.items() if v not in (None, [], "")}
    return {
        "kind": "clustering",
        "group_token": None,
        "dataset": spec.dataset,
        "fingerprint": fingerprint,
        "target": None,
        "model": spec.algorithm,
        "spec": key,
        "params": params,
        "link": "/clusters?" + urlencode(query),
    }


def spec_facts(spec: TrainSpec, fingerprint: str, kind: str, group: str | None) -> dict[str, Any]:
    key = spec.key()
    return {
        "kind": kind,
        "group_token": group,
        "dataset": spec.dataset,
        "fingerprint": fingerprint,
        "target": spec.target,
        "model": spec.estimator,
        "spec": key,
        "params": key.get("params") or {},
        "link": train_link(key),
    }


def result_facts(result: CVResult) -> dict[str, Any]:
    metric, higher_is_better = PRIMARY[result.task]
    folds = [{k: _number(v) for k, v in fold["metrics"].items() if k not in TIMES} for fold in result.folds]
    scored_rows = sum(len(fold["test_index"]) for fold in result.folds)
    score_seconds = sum(fold["score_time"] for fold in result.folds)
    return {
        "task": result.task,
        "metrics": {k: {s: _number(v) for s, v in stats.items()} for k, stats in result.summary.items()},
        "folds": folds,
        "metric": metric,
        "score": _number(result.summary.get(metric, {}).get("mean")),
        "higher_is_better": higher_is_better,
        "fit_seconds": _number(result.summary.get("fit_time", {}).get("mean")),
        "predict_ms_per_row": 1000 * score_seconds / scored_rows if scored_rows else None,
        "rows": int(len(result.y)),
    }


def train_link(key: dict[str, Any]) -> str:
    """The /train permalink that opens this run's cached result (the page's own query grammar)."""
    cv, text = key.get("cv") or {}, key.get("text") or {}
    options = [name for name in ("stratified", "shuffle") if cv.get(name)]
    options += ["importance"] * bool(key.get("importance")) + ["stopwords"] * bool(text.get("stop_words"))
    query = {
        "dataset": key.get("dataset"),
        "target": key.get("target"),
        "task": key.get("task", "auto"),
        "features": ",".join(key.get("features") or ()),
        "model": key.get("estimator"),
        "text": text.get("analyzer", "word"),
        "ngram": f"{text.get('ngram_min', 1)}-{text.get('ngram_max', 2)}",
        "folds": cv.get("folds", 5),
        "seed": cv.get("seed", 0),
        "test": cv.get("test_fraction", 0),
        "opts": ",".join(options) or "-",
        "calib": key.get("calibration", "none"),
    }
    for name, value in (key.get("params") or {}).items():
        if value is not None:
            query[f"p_{name}"] = value
    return "/train?" + urlencode(query)


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None  # JSON has no NaN
