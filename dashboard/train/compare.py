"""Several model families cross-validated on identical folds, and whether their difference is real.

Every model is one ordinary Train run (the same spec but its estimator, with that family's defaults unless
it is the spec's own), so each is cached as if run alone and the folds are the same splitter's. The
difference on the primary metric is tested per fold with Nadeau and Bengio's corrected resampled t-test:
fold scores share training rows, so the plain paired t-test's variance is too small and it finds
differences that are not there; the correction inflates the variance by the test/train size ratio.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from dashboard.errors import FieldError
from dashboard.train.catalog import estimator_spec
from dashboard.train.cv import CVResult
from dashboard.train.spec import TrainSpec
from model_store.lazy import lazy_module

np = lazy_module("numpy")

MIN_MODELS, MAX_MODELS = 2, 6
# The metric models are ranked and tested on, and whether larger is better.
PRIMARY = {"binary": ("roc_auc", True), "multiclass": ("accuracy", True), "regression": ("rmse", False)}


def comparison_specs(spec: TrainSpec, estimators: list[str]) -> list[TrainSpec]:
    """One spec per chosen family on the same data, features, preprocessing and folds."""
    chosen = list(dict.fromkeys(e for e in estimators if e))
    if not MIN_MODELS <= len(chosen) <= MAX_MODELS:
        raise FieldError("compare", f"choose {MIN_MODELS} to {MAX_MODELS} different models (got {len(chosen)})")
    specs = []
    for key in chosen:
        try:
            estimator_spec(key)
        except ValueError:
            raise FieldError("compare", f"no model named {key[:64]!r}") from None
        params = spec.params if key == spec.estimator else {}
        specs.append(spec.model_copy(update={"estimator": key, "params": params}))
    return specs


def corrected_ttest(a: np.ndarray, b: np.ndarray, n_train: float, n_test: float) -> dict[str, float]:
    """Nadeau & Bengio (2003) corrected resampled t-test on paired fold scores ``a - b``: t, two-sided p."""
    from scipy import stats

    diff = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    k = len(diff)
    mean = float(diff.mean())
    variance = float(diff.var(ddof=1)) if k > 1 else 0.0
    scale = math.sqrt((1 / k + n_test / n_train) * variance)
    if scale == 0.0:
        return {"diff": mean, "t": 0.0 if mean == 0 else math.copysign(math.inf, mean), "p": 1.0 if mean == 0 else 0.0}
    t = mean / scale
    return {"diff": mean, "t": t, "p": float(2 * stats.t.sf(abs(t), df=k - 1))}


@dataclass(frozen=True)
class Comparison:
    task: str
    metric: str
    higher_is_better: bool
    labels: list[str]  # one per model, in the order chosen
    tokens: list[str]  # each model's cached Train result
    results: list[CVResult]

    def fold_scores(self, metric: str | None = None) -> np.ndarray:
        """(models, folds) of one metric, folds in the splitter's order."""
        name = metric or self.metric
        return np.array([[f["metrics"][name] for f in r.folds] for r in self.results], dtype=float)

    def best(self) -> int:
        means = self.fold_scores().mean(axis=1)
        return int(np.argmax(means) if self.higher_is_better else np.argmin(means))

    def table(self) -> list[dict[str, Any]]:
        """Per model: every metric's mean and std over the folds, and the test against the best model."""
        best = self.best()
        sizes = [len(f["test_index"]) for f in self.results[0].folds]
        n_test = float(np.mean(sizes))
        n_train = float(sum(sizes) - n_test)
        scores = self.fold_scores()
        rows = []
        for i, (label, result) in enumerate(zip(self.labels, self.results, strict=True)):
            test = None if i == best else corrected_ttest(scores[i], scores[best], n_train, n_test)
            rows.append({"model": label, "summary": result.summary, "best": i == best, "versus_best": test})
        return rows


def compare(labels: list[str], tokens: list[str], results: list[CVResult]) -> Comparison:
    task = results[0].task
    metric, higher = PRIMARY[task]
    if any(metric not in f["metrics"] for r in results for f in r.folds):
        metric, higher = "accuracy", True  # a classifier without scores has no ROC AUC
    first = results[0].folds
    for result in results[1:]:
        same = len(result.folds) == len(first) and all(
            np.array_equal(a["test_index"], b["test_index"]) for a, b in zip(result.folds, first, strict=True)
        )
        if not same:
            raise FieldError(
                "compare", "the models were not cross-validated on the same folds; run the comparison again"
            )
    return Comparison(task, metric, higher, labels, tokens, results)
