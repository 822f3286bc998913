"""How a saved recommender answers through the serving service: per record, the top-N for a user
(popularity for an unknown one) or the items similar to an item; in a batch, each row's list as
space-separated item ids."""

from __future__ import annotations

from typing import Any

from dashboard.errors import FieldError
from dashboard.recommend import queries
from dashboard.serving.adapters import TaskAdapter
from dashboard.serving.tables import BatchInput
from model_store import LoadedModel, SchemaError
from model_store.lazy import lazy_module

np = lazy_module("numpy")
pd = lazy_module("pandas")


class RecommendAdapter(TaskAdapter):
    def answer(self, loaded: LoadedModel, frame: pd.DataFrame) -> dict[str, Any]:
        answers, errors = [], {}
        for index, record in enumerate(frame.to_dict("records")):
            try:
                answers.append(queries.answer(loaded.model, record))
            except FieldError as exc:
                errors[(f"[{index}]." if len(frame) > 1 else "") + exc.field] = exc.message
        if errors:
            raise SchemaError(errors)
        return {"predictions": [[entry["item"] for entry in a["items"]] for a in answers], "results": answers}

    def batch_model(self, loaded: LoadedModel, batch: BatchInput) -> tuple[BatchInput, Any, None]:
        """Answer each valid row up front; a row the model cannot answer (unknown item, bad k) becomes a bad
        row with the reason, like a schema error."""
        labels = pd.Series("", index=batch.frame.index, dtype=object)
        valid, row_errors = batch.valid.copy(), dict(batch.row_errors)
        for position in np.flatnonzero(valid):
            record = batch.frame.iloc[position].to_dict()
            try:
                labels.iloc[position] = " ".join(e["item"] for e in queries.answer(loaded.model, record)["items"])
            except FieldError as exc:
                valid[position] = False
                row_errors[int(position) + 1] = f"{exc.field}: {exc.message}"
        answered = BatchInput(batch.frame, valid, dict(sorted(row_errors.items())), batch.notices, batch.inputs)
        return answered, _Answered(labels), None


class _Answered:
    """Stands in for a model whose labels were computed up front."""

    def __init__(self, labels: pd.Series) -> None:
        self.labels = labels

    def predict(self, part: pd.DataFrame) -> np.ndarray:
        return self.labels.loc[part.index].to_numpy()
