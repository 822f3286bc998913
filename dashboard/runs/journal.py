"""What the training service tells the runs store: a Train run (or a search candidate) started, progressed,
finished or stopped. The service holds a journal without knowing what keeps it (features never import runs)."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from dashboard.errors import Cancelled, is_named
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
    """A clustering fitted on /clusters: kind ``clustering``, scored by its silhouette (higher is better)."""

    def started(self, token: str, spec, fingerprint: str, **_ignored) -> None:
        self._quietly(self.store.started, token, cluster_facts(spec, fingerprint))

    def finished(self, token: str, spec, fingerprint: str, result, **_ignored) -> None:
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
