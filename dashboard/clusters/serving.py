"""How a saved clusterer answers through the serving service: the cluster, its segment name and the
distance to its centroid."""

from __future__ import annotations

from typing import Any

from dashboard.serving.adapters import TaskAdapter, labels_and_probabilities, plain
from model_store import LoadedModel
from model_store.lazy import lazy_module

np = lazy_module("numpy")
pd = lazy_module("pandas")


class ClusterAdapter(TaskAdapter):
    def answer(self, loaded: LoadedModel, frame: pd.DataFrame) -> dict[str, Any]:
        model = loaded.model
        predictions = [plain(v) for v in labels_and_probabilities(model, frame)[0]]
        segments = loaded.card.get("segments") or {}
        result: dict[str, Any] = {
            "predictions": predictions,
            "segments": [segments.get(str(v), "") for v in predictions],
        }
        if hasattr(model, "transform"):
            result["distances"] = [float(d) for d in np.min(model.transform(frame), axis=1)]
        return result
