"""Class probabilities without the library's per-call overhead, for models where it dwarfs the maths.

A random forest's ``predict_proba`` on one row spends most of its time outside the trees: joblib wraps
every tree's call (a config context and a ``warnings.catch_warnings`` each) and every tree validates the
input again. For the Titanic forest (300 trees) that is 11 of its 14 ms. The path here does what
scikit-learn does (validate once, sum the trees' probabilities in their order, divide by their number)
without the wrappers, so its answer is bit-for-bit the same; and a model is only served this way after
its first answer (up to 256 rows of it) was compared with the library's own and found identical.
Anything else, or any doubt, takes the library's ``predict_proba``.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any

from model_store.lazy import lazy_module

np = lazy_module("numpy")
pd = lazy_module("pandas")

FOREST_CLASSIFIERS = frozenset({"RandomForestClassifier", "ExtraTreesClassifier"})
PROOF_ROWS = 256

_verdicts: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def predict_proba(model: Any, frame: pd.DataFrame) -> np.ndarray:
    """``model.predict_proba(frame)``, through the fast path once it has proven identical for ``model``."""
    fast = _forest_path(model)
    if fast is None:
        return model.predict_proba(frame)
    verdict = _verdicts.get(model)
    if verdict is None:
        sample = frame.iloc[:PROOF_ROWS]  # a batch job's first chunk is 20,000 rows: the proof needs few
        try:
            same = np.array_equal(fast(sample), model.predict_proba(sample))
        except Exception:  # noqa: BLE001 - any failure of the fast path means: do not use it
            same = False
        with _lock:
            _verdicts[model] = same
        verdict = same
    return fast(frame) if verdict else model.predict_proba(frame)


def _forest_path(model: Any) -> Callable[[pd.DataFrame], np.ndarray] | None:
    """The fast path for a pipeline ending in a single-output forest classifier that predicts on one
    thread (several threads sum the trees in no fixed order); None for anything else."""
    steps = getattr(model, "steps", None)
    if not steps:
        return None
    forest = steps[-1][1]
    if type(forest).__name__ not in FOREST_CLASSIFIERS or getattr(forest, "n_outputs_", 2) != 1:
        return None
    if forest.n_jobs not in (None, 1) or not hasattr(forest, "estimators_"):
        return None
    transforms = [step for _, step in steps[:-1] if step not in (None, "passthrough")]

    def forest_proba(frame: pd.DataFrame) -> np.ndarray:
        X = frame
        for step in transforms:
            X = step.transform(X)
        X = forest._validate_X_predict(X)  # what ForestClassifier.predict_proba does first
        total = np.zeros((X.shape[0], forest.n_classes_), dtype=np.float64)
        for tree in forest.estimators_:
            total += tree.predict_proba(X, check_input=False)
        total /= len(forest.estimators_)
        return total

    return forest_proba
