"""Recommendation service: interactions, fits and evaluations cached on disk by (dataset fingerprint,
mapping, spec); explore queries on a model fitted on all interactions; saving to the model store."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from dashboard.data.catalog import Catalog
from dashboard.errors import FieldError
from dashboard.jobs.layer import Memo
from dashboard.journal import NoJournal
from dashboard.recommend import queries
from dashboard.recommend.evaluation import EvalResult, EvaluatedModel, HoldoutSpec, evaluate, models_evaluated
from dashboard.recommend.interactions import Interactions, Mapping, build, stats
from dashboard.recommend.models import Recommender, RecSpec, fit
from model_store import ModelStore, ModelVersion

DATA, FIT, EVAL = "rec.data", "rec.fit", "rec.eval"
MODELS_IN_MEMORY = 4  # fitted models kept unpickled: reading one back from the disk cache takes 5-6 ms
K_FIELD = {"name": "k", "kind": "numeric", "integer": True, "min": 1.0, "max": float(queries.MAX_K)}


def query_schema(model: Recommender) -> dict[str, Any]:
    """The input schema of a stored recommender: a user (top-N) or an item (similar items), and k."""
    # "optional": a batch CSV may leave the column out altogether
    fields = [
        {"name": "user", "kind": "identifier", "nullable": True, "optional": True, "dtype": "object"},
        {"name": "item", "kind": "identifier", "nullable": True, "optional": True, "dtype": "object"},
        {**K_FIELD, "nullable": True, "optional": True, "dtype": "int64"},
    ]
    return {"fields": fields, "example": {"user": str(model.users_[0]), "item": None, "k": 10}}


class RecommendService:
    def __init__(self, catalog: Catalog, memo: Memo, store: ModelStore, journal: Any = None) -> None:
        self.catalog, self.memo, self.store = catalog, memo, store
        self.journal = journal or NoJournal()  # told of every model evaluated (dashboard.runs.journal)
        # Keys are content addresses (fingerprint, mapping, spec, code version): an entry is never stale.
        self._models: OrderedDict[str, Recommender] = OrderedDict()
        self._lock = threading.Lock()

    def _remembered(self, key: str) -> Recommender | None:
        with self._lock:
            model = self._models.get(key)
            if model is not None:
                self._models.move_to_end(key)
                return model
        model = self.memo.get(key)
        if model is not None:
            self._remember(key, model)
        return model

    def _remember(self, key: str, model: Recommender) -> None:
        with self._lock:
            self._models[key] = model
            while len(self._models) > MODELS_IN_MEMORY:
                self._models.popitem(last=False)

    def _key(self, namespace: str, mapping: Mapping, *parts: Any) -> str:
        if not self.catalog.exists(mapping.dataset):
            raise FieldError("dataset", f"no dataset named {str(mapping.dataset)[:64]!r}")
        return self.memo.key_for(namespace, (self.catalog.fingerprint(mapping.dataset), mapping.key(), *parts))

    def interactions(self, mapping: Mapping) -> Interactions:
        key = self._key(DATA, mapping)
        hit = self.memo.get(key)
        if hit is None:
            hit = build(self.catalog.load(mapping.dataset), mapping)
            self.memo.set(key, hit)
        return hit

    def cached_model(self, mapping: Mapping, spec: RecSpec) -> Recommender | None:
        try:
            return self._remembered(self._key(FIT, mapping, spec.key()))
        except FieldError:
            return None

    def stats(self, mapping: Mapping) -> dict[str, Any]:
        return stats(self.interactions(mapping))

    def model(self, mapping: Mapping, spec: RecSpec) -> tuple[Recommender, bool]:
        """The model fitted on every interaction (what Explore and Save use) and whether it was cached."""
        key = self._key(FIT, mapping, spec.key())
        hit = self._remembered(key)
        if hit is not None:
            return hit, True

        def compute() -> Recommender:
            inter = self.interactions(mapping)
            return fit(
                spec,
                inter.matrix,
                users=inter.users,
                items=inter.items,
                titles=inter.titles,
                genres=inter.genres,
                explicit=inter.explicit,
            )

        model, computed = self.memo.compute_once(key, compute)
        self._remember(key, model)
        return model, not computed

    def evaluate(
        self,
        mapping: Mapping,
        specs: list[RecSpec],
        holdout: HoldoutSpec,
        *,
        on_model: Callable[[EvalResult, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> tuple[EvalResult, bool]:
        key = self._key(EVAL, mapping, [s.key() for s in specs], holdout.key())
        fingerprint = self.catalog.fingerprint(mapping.dataset)
        models = models_evaluated(specs)
        runs = [(f"{key}:{m.kind}", EvaluatedModel(mapping, m, holdout, tuple(models))) for m in models]

        def record(result: EvalResult, done: int) -> None:
            token, evaluated = runs[done - 1]
            row = result.rows[done - 1] | {"users": result.users}
            self.journal.finished(token, evaluated, fingerprint, row, group=key)

        def compute() -> EvalResult:
            for token, evaluated in runs:
                self.journal.started(token, evaluated, fingerprint, group=key)

            def told(partial: EvalResult, done: int) -> None:
                record(partial, done)
                if on_model is not None:
                    on_model(partial, done)

            try:
                return evaluate(self.interactions(mapping), specs, holdout, on_model=told, cancelled=cancelled)
            except BaseException as exc:  # the models not evaluated yet stop with the evaluation
                for token, _ in runs:
                    self.journal.stopped(token, exc)
                raise

        result, computed = self.memo.compute_once(key, compute)
        if not computed:  # a cached repeat finds its runs (or records them, if computed before runs were kept)
            for done in range(1, len(result.rows) + 1):
                record(result, done)
        return result, not computed

    def cached_evaluation(self, mapping: Mapping, specs: list[RecSpec], holdout: HoldoutSpec) -> EvalResult | None:
        try:
            return self.memo.get(self._key(EVAL, mapping, [s.key() for s in specs], holdout.key()))
        except FieldError:
            return None

    def recommend(self, mapping: Mapping, spec: RecSpec, user: Any, k: int, history: int = 10) -> dict[str, Any]:
        return queries.recommend(self.model(mapping, spec)[0], user, k, history=history)

    def similar(self, mapping: Mapping, spec: RecSpec, item: Any, k: int) -> dict[str, Any]:
        return queries.similar(self.model(mapping, spec)[0], item, k)

    def compare(
        self, mapping: Mapping, first: RecSpec, second: RecSpec, user: Any, k: int, history: int = 10
    ) -> dict[str, Any]:
        first_model, second_model = self.model(mapping, first)[0], self.model(mapping, second)[0]
        return queries.compare(first_model, second_model, user, k, history=history)

    def save(
        self, mapping: Mapping, spec: RecSpec, name: str, description: str = "", metrics: dict | None = None
    ) -> ModelVersion:
        """Store the model fitted on all interactions; ``metrics`` are its held-out figures, when evaluated."""
        model, _ = self.model(mapping, spec)
        inter = self.interactions(mapping)
        return self.store.save(
            model,
            name,
            X_sample=None,
            schema=query_schema(model),
            task="recommendation",
            params=spec.key(),
            metrics=metrics,
            dataset={
                "id": mapping.dataset,
                "fingerprint": self.catalog.fingerprint(mapping.dataset),
                "rows": int(inter.matrix.nnz),
                "mapping": mapping.key(),
            },
            description=description or f"{spec.label} on {mapping.dataset}",
            extra={
                "estimator": spec.label,
                "recommender": {
                    "kind": spec.kind,
                    "users": inter.n_users,
                    "items": inter.n_items,
                    "interactions": int(inter.matrix.nnz),
                    "feedback": "explicit" if inter.explicit else "implicit",
                },
            },
        )
