"""Why a model answered what it did for one row: SHAP contributions, summed back to the input columns.

The explainer follows the model: TreeExplainer for tree ensembles (exact, no reference data needed),
LinearExplainer for linear models, and a bounded KernelExplainer for anything else; the last two measure
contributions against the training-input sample saved with the model (``ModelStore.background``). They
work on the pipeline's preprocessed features, whose contributions are then added up per input column
(a one-hot column's levels, a text column's n-grams), so ``base + sum(contributions)`` is the model's
output for the row: a probability, log-odds, a decision score or the predicted value, as stated.
An explainer is built once per loaded model and kept beside it.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dashboard.errors import FieldError
from model_store import LoadedModel
from model_store.columns import input_columns
from model_store.lazy import lazy_module

np = lazy_module("numpy")
pd = lazy_module("pandas")

TREE_FAMILIES = ("RandomForest", "ExtraTrees", "DecisionTree", "GradientBoosting", "HistGradientBoosting")
PROBABILITY_TREES = ("RandomForest", "ExtraTrees", "DecisionTree")  # their trees hold class probabilities
MAX_ROWS = {"tree": 100, "linear": 100, "kernel": 5}  # explained rows per request
KERNEL_SAMPLES = 200  # coalitions evaluated per row: bounded time, approximate values, exact sum
KERNEL_BACKGROUND = 20


@dataclass
class Explainer:
    kind: str  # tree, linear or kernel
    shap: Any
    output: str  # what base + contributions add up to
    owners: np.ndarray | None  # input column of every preprocessed feature

    def rows(self, X) -> tuple[np.ndarray, np.ndarray]:
        """(contributions (rows, features, outputs), base (outputs,))."""
        if self.kind == "kernel":
            values = self.shap.shap_values(X, nsamples=KERNEL_SAMPLES, silent=True)
        else:
            values = self.shap.shap_values(X)
        values = np.asarray(values, dtype=float)
        if values.ndim == 2:
            values = values[:, :, None]
        base = np.atleast_1d(np.asarray(self.shap.expected_value, dtype=float))
        return values, base


_explainers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def explainer_for(loaded: LoadedModel, background: Callable[[], pd.DataFrame | None]) -> Explainer:
    model = loaded.model
    with _lock:
        found = _explainers.get(model)
    if found is None:
        found = _build(loaded, background)
        with _lock:
            _explainers[model] = found
    return found


def _dense(X):
    return X.toarray() if hasattr(X, "toarray") else np.asarray(X, dtype=float)


def _build(loaded: LoadedModel, background: Callable[[], pd.DataFrame | None]) -> Explainer:
    return build_explainer(loaded.model, loaded.card["task"], background)


def build_explainer(model: Any, task: str, background: Callable[[], pd.DataFrame | None]) -> Explainer:
    """The explainer that follows ``model`` (a fitted pipeline) for a ``task``; see the module's docstring."""
    import shap

    if not hasattr(model, "steps") or len(model.steps) < 2:
        raise FieldError("explain", "only pipelines (preprocessing + model) can be explained")
    prep, final = model[:-1], model[-1]
    family = type(final).__name__
    owners = input_columns(model)
    classifier = task in ("binary", "multiclass")
    if family.startswith(TREE_FAMILIES):
        output = "probability" if classifier and family.startswith(PROBABILITY_TREES) else "prediction"
        if classifier and output != "probability":
            output = "log-odds"
        return Explainer("tree", shap.TreeExplainer(final), output, owners)
    sample = background()
    if sample is None or not len(sample):
        raise FieldError("explain", "this model was saved without a training sample; save it again to explain it")
    reference = _dense(prep.transform(sample))
    if hasattr(final, "coef_"):
        output = "log-odds" if hasattr(final, "predict_proba") else ("decision" if classifier else "prediction")
        return Explainer("linear", shap.LinearExplainer(final, shap.maskers.Independent(reference)), output, owners)
    if classifier and hasattr(final, "predict_proba"):
        function, output = final.predict_proba, "probability"
    elif classifier and hasattr(final, "decision_function"):
        function, output = final.decision_function, "decision"
    else:
        function, output = final.predict, "prediction"
    return Explainer("kernel", shap.KernelExplainer(function, reference[:KERNEL_BACKGROUND]), output, owners)


def explain(
    loaded: LoadedModel, frame: pd.DataFrame, background: Callable[[], pd.DataFrame | None]
) -> list[dict[str, Any]]:
    """One explanation per row of ``frame`` (already checked against the card's schema); ``background``
    gives the model's saved training sample, asked for only by the explainers that need one."""
    explainer = explainer_for(loaded, background)
    limit = MAX_ROWS[explainer.kind]
    if len(frame) > limit:
        raise FieldError("explain", f"at most {limit} rows can be explained in one request with this model")
    model = loaded.model
    X = _dense(model[:-1].transform(frame))
    values, base = explainer.rows(X)
    classes = list(getattr(model, "classes_", []))
    if classes and len(classes) > 2:
        chosen = [classes.index(label) for label in model.predict(frame)]  # why the predicted class
    elif classes:
        chosen = [1] * len(frame)  # binary: toward the positive class
    else:
        chosen = [0] * len(frame)
    names = model[:-1].get_feature_names_out() if explainer.owners is None else None
    out = []
    for row, index in enumerate(chosen):
        output_index = min(index, values.shape[2] - 1)  # one output (a margin) also explains a binary classifier
        contributions = values[row, :, output_index]
        by_column = _by_column(contributions, explainer.owners, names)
        row_base = float(base[min(index, len(base) - 1)])
        out.append(
            {
                "class": None if not classes else _plain(classes[index]),
                "output": row_base + float(contributions.sum()),
                "output_kind": explainer.output,
                "base": row_base,
                "explainer": explainer.kind,
                "contributions": by_column,
            }
        )
    return out


def _by_column(contributions: np.ndarray, owners: np.ndarray | None, names) -> dict[str, float]:
    totals: dict[str, float] = {}
    labels = owners if owners is not None else [str(n).partition("__")[2] or str(n) for n in names]
    for owner, value in zip(labels, contributions, strict=True):
        totals[str(owner)] = totals.get(str(owner), 0.0) + float(value)
    return dict(sorted(totals.items(), key=lambda item: -abs(item[1])))


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value
