"""The serving service: records (forms, REST) and batches (CSV, async jobs) answered by stored models.

Inputs are checked against the model card's schema first (one validator for every door), so a bad field
gets a message naming it instead of a stack trace from inside scikit-learn. What a task's models answer
comes from its :class:`~dashboard.serving.adapters.TaskAdapter`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dashboard.errors import Cancelled, FieldError
from dashboard.metrics import PREDICTIONS
from dashboard.serving.adapters import TaskAdapter, labels_and_probabilities
from dashboard.serving.tables import BatchInput
from model_store import LoadedModel, check_records
from model_store.lazy import lazy_module

np = lazy_module("numpy")
pd = lazy_module("pandas")

BATCH_CHUNK = 20_000
DEFAULT_ADAPTER = TaskAdapter()


@dataclass(frozen=True)
class Serving:
    """Answers for stored models; ``adapters`` maps a card's task to the adapter its feature registered."""

    adapters: Mapping[str, TaskAdapter] = field(default_factory=dict)

    def adapter(self, task: str) -> TaskAdapter:
        return self.adapters.get(task, DEFAULT_ADAPTER)

    def predict(
        self,
        loaded: LoadedModel,
        records: list[dict[str, Any]],
        *,
        explain_with: Callable[[], pd.DataFrame | None] | None = None,
    ) -> dict[str, Any]:
        """Predictions for ``records`` as the API returns them; with ``explain_with`` (the model's saved
        training sample, on demand) also each row's explanation. Raises :class:`model_store.SchemaError`,
        and FieldError("explain") for a model or a request that cannot be explained."""
        frame, warnings = check_records(loaded.card["schema"], records)
        answer = self.adapter(loaded.card["task"]).answer(loaded, frame)
        PREDICTIONS.labels(loaded.name, str(loaded.version)).inc(len(frame))
        head = {
            "model": loaded.name,
            "version": loaded.version,
            "alias": loaded.alias,
            "chosen_by": loaded.chosen_by,
            "task": loaded.card["task"],
        }
        if explain_with is not None:
            answer["explanations"] = self._explain(loaded, frame, explain_with)
        return {**head, **answer, "warnings": loaded.warnings + warnings}

    def explain(
        self, loaded: LoadedModel, records: list[dict[str, Any]], background: Callable[[], pd.DataFrame | None]
    ) -> list[dict[str, Any]]:
        """Each record's explanation alone (no prediction is made, counted or logged for it)."""
        frame, _ = check_records(loaded.card["schema"], records)
        return self._explain(loaded, frame, background)

    def tree_path(self, loaded: LoadedModel, record: dict[str, Any], tree: int = 0) -> dict[str, Any]:
        """The questions one tree of a tree model asks of ``record`` (checked like any input), and its leaf."""
        from dashboard.serving import trees

        frame, _ = check_records(loaded.card["schema"], [record])
        count = len(trees.trees_of(loaded.model[-1]))
        return {"tree": tree, "trees": count, "steps": trees.row_path(loaded.model, frame, tree)}

    @staticmethod
    def _explain(loaded: LoadedModel, frame: pd.DataFrame, background) -> list[dict[str, Any]]:
        if loaded.card["task"] not in ("binary", "multiclass", "regression"):
            raise FieldError("explain", f"{loaded.card['task']} models are not explained")
        from dashboard.serving.explain import explain

        return explain(loaded, frame, background)

    def score(
        self,
        loaded: LoadedModel,
        batch: BatchInput,
        *,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        chunk: int = BATCH_CHUNK,
    ) -> pd.DataFrame:
        """Predictions (and class probabilities) for the valid rows, chunk by chunk; bad rows get an error."""
        batch, model, classes = self.adapter(loaded.card["task"]).batch_model(loaded, batch)
        rows = batch.frame.loc[batch.valid]
        prediction = np.empty(len(batch.frame), dtype=object)
        has_proba = bool(classes) and hasattr(model, "predict_proba")
        probability_columns = [f"probability_{c}" for c in classes] if has_proba else []
        probabilities = np.full((len(batch.frame), len(probability_columns)), np.nan)
        positions = np.flatnonzero(batch.valid)
        for start in range(0, len(rows), chunk):
            if cancelled is not None and cancelled():
                raise Cancelled("cancelled")
            part = rows.iloc[start : start + chunk]
            where = positions[start : start + chunk]
            labels, proba = labels_and_probabilities(model, part)
            prediction[where] = labels
            if probability_columns:
                probabilities[where] = proba
            if progress is not None:
                progress(min(start + chunk, len(rows)), len(rows))
        out = pd.DataFrame({"prediction": prediction}, index=batch.frame.index)
        for i, column in enumerate(probability_columns):
            out[column] = probabilities[:, i]
        PREDICTIONS.labels(loaded.name, str(loaded.version)).inc(int(batch.valid.sum()))
        out["error"] = ""
        for row_number, message in batch.row_errors.items():
            out.iloc[row_number - 1, out.columns.get_loc("error")] = message
        return out
