"""Retraining as an API job (``POST /api/models/<name>/retrain``): the same service call as the Models
page's Retrain button, its progress counted in folds, cancellable between folds."""

from __future__ import annotations

from typing import Any

from dashboard.jobs.queue import JobContext, Runner
from dashboard.monitoring.service import MonitoringService
from model_store.compare import compare_cards


def make_retrain_runner(monitoring: MonitoringService) -> Runner:
    def run(context: JobContext) -> dict[str, Any]:
        name, parent, params = context.params["model"], context.params["version"], context.params
        store = monitoring.store
        folds = int(store.card(name, parent).get("cv", {}).get("spec", {}).get("folds", 1))
        context.progress(0, folds)
        saved = monitoring.retrain(
            name,
            parent,
            params["data"],
            union=params["union"],
            on_fold=lambda _fold, done: context.progress(done, folds),
            cancelled=context.cancel_requested,
        )
        alias, current = monitoring.in_use(name, parent)
        diff = compare_cards(store.card(name, current), store.card(name, saved.version))
        return {
            "model": name,
            "version": saved.version,
            "parent": parent,
            "card_url": f"/api/models/{name}?version={saved.version}",
            "compared_with": {"alias": alias, "version": current},
            "metrics": diff["metrics"],  # per metric: a (the version in use), b (the new one), delta
        }

    return run
