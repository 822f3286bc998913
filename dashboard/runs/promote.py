"""Promote a kept run to the model store: its pipeline refitted on every row it was cross-validated on, saved
with a card that names the run, and the run told which version it became (linked both ways)."""

from __future__ import annotations

from typing import Any

from dashboard.errors import NotApplicable
from dashboard.runs.store import RunStore
from dashboard.train.service import TrainingService
from dashboard.train.spec import TrainSpec

PROMOTABLE = ("cv", "candidate")


def promote(runs: RunStore, training: TrainingService, run_id: int, name: str, description: str = "") -> dict[str, Any]:
    """The saved version's name, number and the run as it is now. Only a finished run whose dataset is
    unchanged since can be promoted: the refit must be of the data the run's metrics describe."""
    run = runs.get(run_id)
    if run["kind"] not in PROMOTABLE or run["status"] != "finished":
        raise NotApplicable("run", f"run {run['id']} is {run['status']}: only a finished Train run can be saved")
    catalog = training.catalog
    if not catalog.exists(run["dataset"]) or catalog.fingerprint(run["dataset"]) != run["fingerprint"]:
        raise NotApplicable(
            "run", f"the dataset {run['dataset']!r} was changed or deleted since run {run['id']}: train it again"
        )
    spec = TrainSpec(**run["spec"])
    token, _, _ = training.run(spec)  # cached: nothing is fitted; evicted: the same folds again, same numbers
    version = training.save(spec, token, name, description, run=run["id"])
    return {
        "model": version.name,
        "version": version.version,
        "run": runs.promoted(run["id"], version.name, version.version),
    }
