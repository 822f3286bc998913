"""How models of each task answer. ``TaskAdapter`` serves classifiers and regressors; a feature whose
models answer differently (clusters, recommendations) subclasses it in its own package, and the services'
composition root registers it with :class:`dashboard.serving.service.Serving` under the card's task."""

from __future__ import annotations

from typing import Any

from dashboard.serving import fast_paths
from model_store import LoadedModel
from model_store.lazy import lazy_module

np = lazy_module("numpy")
pd = lazy_module("pandas")

# Estimators whose predict() is defined as classes_[argmax(predict_proba())]: for these one pass gives
# both labels and probabilities. Others (e.g. SVC with probability=True) predict on their own.
ARGMAX_ESTIMATORS = frozenset(
    {
        "RandomForestClassifier",
        "ExtraTreesClassifier",
        "DecisionTreeClassifier",
        "HistGradientBoostingClassifier",
        "GradientBoostingClassifier",
        "LogisticRegression",
        "KNeighborsClassifier",
        "GaussianNB",
        "MultinomialNB",
        "BernoulliNB",
        "ComplementNB",
    }
)


def labels_and_probabilities(model: Any, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray | None]:
    """Predicted labels and, when the model has them, class probabilities, in as few passes as possible."""
    if not hasattr(model, "predict_proba"):
        return np.asarray(model.predict(frame)), None
    probabilities = fast_paths.predict_proba(model, frame)
    final = model.steps[-1][1] if hasattr(model, "steps") else model
    if type(final).__name__ in ARGMAX_ESTIMATORS:
        return np.asarray(model.classes_)[probabilities.argmax(axis=1)], probabilities
    return np.asarray(model.predict(frame)), probabilities


def plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


class TaskAdapter:
    """The default: labels, and class probabilities (or decision scores) when the model has them."""

    def answer(self, loaded: LoadedModel, frame: pd.DataFrame) -> dict[str, Any]:
        """The task's part of a synchronous answer for the checked ``frame`` (at least ``predictions``).
        Raises :class:`model_store.SchemaError` for a record the model cannot answer."""
        model, classes = loaded.model, loaded.card.get("classes")
        labels, probabilities = labels_and_probabilities(model, frame)
        result: dict[str, Any] = {"predictions": [plain(v) for v in labels]}
        if classes is not None and probabilities is not None:
            result["probabilities"] = [
                dict(zip(map(str, classes), map(float, row), strict=True)) for row in probabilities
            ]
        elif classes is not None and hasattr(model, "decision_function"):
            scores = np.atleast_2d(model.decision_function(frame))
            if len(classes) == 2:
                result["scores"] = [{str(classes[1]): float(row[0])} for row in scores.reshape(-1, 1)]
            else:
                result["scores"] = [dict(zip(map(str, classes), map(float, row), strict=True)) for row in scores]
        return result

    def batch_model(self, loaded: LoadedModel, batch: Any) -> tuple[Any, Any, list[Any] | None]:
        """What scores a batch: ``(batch, model, classes)``. An adapter may answer rows up front and mark
        the ones it cannot answer as bad (recommendations)."""
        return batch, loaded.model, loaded.card.get("classes")
