"""Diagnostics of a Train run, computed from its cached result and the model Save would store: calibration
compared on the run's own folds, metrics per subgroup, SHAP over many rows and its interactions, and one tree.
Each is cached beside the run; nothing here changes a run or its result."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dashboard.errors import FieldError
from dashboard.serving import trees
from dashboard.serving.global_explain import (
    BACKGROUND_ROWS,
    global_explanation,
    interaction_summary,
    sample_rows,
)
from dashboard.train import evaluation, subgroups
from dashboard.train.cv import holdout_split
from dashboard.train.service import TrainingService
from dashboard.train.spec import TrainSpec

GROUPS_NAMESPACE = "train.groups"
SHAP_NAMESPACE = "train.shap"
SHAP_ROWS = 500
INTERACTION_ROWS = 50
CALIBRATIONS = ("none", "sigmoid", "isotonic")


class RunDiagnostics:
    def __init__(self, training: TrainingService) -> None:
        self.training = training
        self.memo = training.memo
        self.catalog = training.catalog

    def calibrations(self, spec: TrainSpec, *, on_fold=None, cancelled=None) -> list[dict[str, Any]]:
        """The spec uncalibrated, Platt-scaled and isotonic, each cross-validated on the same folds (each a
        Train run of its own, cached): their reliability curves, Brier score, expected calibration error,
        log loss and ROC AUC, to see what calibrating would change before saving a calibrated run."""
        rows = []
        for i, method in enumerate(CALIBRATIONS):
            variant = spec.model_copy(update={"calibration": method})

            def report(fold, done, i=i):
                if on_fold is not None:
                    on_fold(fold, i * spec.cv.folds + done)

            token, result, _ = self.training.run(variant, on_fold=report, cancelled=cancelled)
            if result.task != "binary" or result.score_kind != "probability":
                raise FieldError("calibration", "calibration is compared for binary classifiers with probabilities")
            view = evaluation.calibration(result.y, result.oof_scores, result.classes[1], folds=result.folds)
            metrics = {m: result.summary[m]["mean"] for m in ("log_loss", "roc_auc") if m in result.summary}
            rows.append({"method": method, "token": token, "spec": variant.key(), **view, **metrics})
        return rows

    def tree(self, spec: TrainSpec, index: int = 0, depth: int = 3) -> dict[str, Any]:
        """One tree of the model Save would store, its first ``depth`` levels in the input's terms."""
        self.training.result(self.training.token(spec))
        return trees.tree_nodes(self.training.refitted(spec), index, depth)

    def subgroups(self, spec: TrainSpec, by: list[str], threshold: float | None = None) -> subgroups.SubgroupReport:
        """Every metric per group of one or two dataset columns, from the run's out-of-fold predictions (binary:
        at ``threshold``). The rows' group labels are cached beside the result: a threshold move only recounts."""
        token = self.training.token(spec)
        result = self.training.result(token)
        by = list(dict.fromkeys(by or []))
        columns = self.training.explorer.kinds(spec.dataset)  # cached by fingerprint: no data read per threshold move
        if not 1 <= len(by) <= 2 or any(not isinstance(c, str) or c not in columns for c in by):
            raise FieldError("by", "choose one or two columns of this dataset to split the rows by")
        if spec.target in by:
            raise FieldError("by", f"{spec.target} is the target: split by another column")
        key = self.memo.key_for(GROUPS_NAMESPACE, (token, *by))
        labels, notices = self.memo.compute_once(key, lambda: self._group_labels(spec, by))[0]
        if result.task == "binary":
            if result.oof_scores is None:
                raise FieldError("model", "this model gives no scores to threshold")
            value = 0.5 if threshold is None else float(threshold)
            report = subgroups.binary_report(result.y, result.oof_scores, result.classes[1], value, labels)
        elif result.task == "multiclass":
            report = subgroups.multiclass_report(result.y, result.oof_pred, labels)
        else:
            report = subgroups.regression_report(result.y, result.oof_pred, labels)
        report.notices[:0] = notices
        return report

    def _group_labels(self, spec: TrainSpec, by: list[str]):
        """The group label of each CV row, in the order of the out-of-fold arrays."""
        prepared = self.training.prepare(spec)
        cv_rows, _ = holdout_split(prepared, spec.cv)
        index = prepared.X.index[cv_rows]
        return subgroups.group_labels(self.catalog.load(spec.dataset).loc[index, by])

    def shap_summary(
        self,
        spec: TrainSpec,
        rows: int = SHAP_ROWS,
        seed: int = 0,
        *,
        explained_class: Any = None,
        on_progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> dict[str, Any]:
        """SHAP values by input column of the model Save would store (refitted on every CV row), on a seeded
        sample of ``rows`` of those rows; cached beside the run (a cancelled one caches nothing)."""
        if not isinstance(rows, int) or not 10 <= rows <= 2000:
            raise FieldError("rows", "explain from 10 to 2,000 rows")
        token = self.training.token(spec)
        self.training.result(token)
        key = self._shap_key(token, rows, seed, explained_class)

        def compute() -> dict[str, Any]:
            prepared = self.training.prepare(spec)
            cv_rows, _ = holdout_split(prepared, spec.cv)
            X = prepared.X.iloc[cv_rows]
            summary = global_explanation(
                self.training.refitted(spec),
                prepared.task,
                sample_rows(X, rows, seed),
                sample_rows(X, BACKGROUND_ROWS, seed + 1),
                explained_class=explained_class,
                on_progress=on_progress,
                cancelled=cancelled,
            )
            return {**summary, "seed": seed, "of_rows": len(X)}

        return self.memo.compute_once(key, compute)[0]

    def shap_interactions(
        self,
        spec: TrainSpec,
        rows: int = INTERACTION_ROWS,
        seed: int = 0,
        *,
        on_progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> dict[str, Any]:
        """Mean |SHAP interaction| between input columns of a tree model, on a seeded sample of CV rows (cached)."""
        if not isinstance(rows, int) or not 10 <= rows <= 500:
            raise FieldError("rows", "take interaction values on 10 to 500 rows")
        token = self.training.token(spec)
        self.training.result(token)
        key = self.memo.key_for(SHAP_NAMESPACE, (token, "interactions", rows, seed))

        def compute() -> dict[str, Any]:
            prepared = self.training.prepare(spec)
            cv_rows, _ = holdout_split(prepared, spec.cv)
            frame = sample_rows(prepared.X.iloc[cv_rows], rows, seed)
            model = self.training.refitted(spec)
            found = interaction_summary(model, prepared.task, frame, on_progress=on_progress, cancelled=cancelled)
            return {**found, "seed": seed}

        return self.memo.compute_once(key, compute)[0]

    def shap_cached(self, spec: TrainSpec, rows: int, seed: int = 0) -> bool:
        """Whether this summary is in the cache (a permalink then opens on it)."""
        return self.memo.get(self._shap_key(self.training.token(spec), rows, seed, None)) is not None

    def _shap_key(self, token: str, rows: int, seed: int, explained_class: Any) -> str:
        chosen = None if explained_class is None else str(explained_class)
        return self.memo.key_for(SHAP_NAMESPACE, (token, rows, seed, chosen))
