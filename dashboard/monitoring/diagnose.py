"""Diagnostics of a stored version on data it is given: SHAP over many rows, calibration and metrics per
subgroup, answered the way the Train page shows them for a CV result (the same functions), for the REST API.

Labelled rows go through the same checks and scoring as a re-verification (:func:`score_labelled`), so the
numbers here and there agree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dashboard.errors import NotApplicable
from dashboard.monitoring.verify import score_labelled
from dashboard.serving.global_explain import BACKGROUND_ROWS, global_explanation, sample_rows
from dashboard.serving.tables import check_batch
from dashboard.train import evaluation, subgroups
from model_store import LoadedModel
from model_store.lazy import lazy_module

np = lazy_module("numpy")
pd = lazy_module("pandas")


def calibration_report(loaded: LoadedModel, inputs: pd.DataFrame, labels: pd.Series, bins: int = 10) -> dict:
    """Reliability bins, Brier score and expected calibration error of a binary classifier's probabilities."""
    card = loaded.card
    if card["task"] != "binary":
        raise NotApplicable("model", "calibration is measured for binary classifiers")
    scored = score_labelled(loaded, inputs, labels)
    if scored.scores is None or scored.scores.min() < 0 or scored.scores.max() > 1:
        raise NotApplicable("model", "this model gives decision scores, not probabilities: nothing to calibrate")
    if len(np.unique(scored.y)) < 2:
        raise NotApplicable("data", "the labelled rows hold one class only: calibration needs both")
    view = evaluation.calibration(scored.y, scored.scores, card["classes"][1], bins)
    return {
        "rows": len(scored.y),
        "positive_class": card["classes"][1],
        "bins": [
            {"mean_predicted": float(p), "observed": float(o)}
            for p, o in zip(view["predicted"], view["observed"], strict=True)
        ],
        "brier": view["brier"],
        "ece": view["ece"],
        "notices": scored.notices,
    }


def subgroup_report(
    loaded: LoadedModel, inputs: pd.DataFrame, labels: pd.Series, by: list[str], threshold: float | None
) -> dict:
    """Every metric per group of one or two columns of ``inputs`` (binary: at ``threshold``)."""
    missing = [c for c in by if c not in inputs.columns]
    if missing:
        raise NotApplicable("by", f"{str(missing[0])[:64]!r} is not a column of this data")
    scored = score_labelled(loaded, inputs, labels)
    groups, notices = subgroups.group_labels(inputs.reset_index(drop=True).iloc[scored.positions][by])
    task = loaded.card["task"]
    if task == "binary":
        if scored.scores is None:
            raise NotApplicable("model", "this model gives no scores to threshold")
        value = 0.5 if threshold is None else threshold
        report = subgroups.binary_report(scored.y, scored.scores, loaded.card["classes"][1], value, groups)
    elif task == "multiclass":
        report = subgroups.multiclass_report(scored.y, scored.y_pred, groups)
    else:
        report = subgroups.regression_report(scored.y, scored.y_pred, groups)
    return {
        "rows": len(scored.y),
        "by": by,
        "threshold": value if task == "binary" else None,
        "metrics": list(report.metrics),
        "groups": [
            {**g, "intervals": {m: list(i) if i else None for m, i in g["intervals"].items()}} for g in report.groups
        ],
        "gaps": report.gaps,
        "notices": [*scored.notices, *notices, *report.notices],
    }


def shap_summary(
    loaded: LoadedModel,
    frame: pd.DataFrame,
    background: pd.DataFrame | None,
    rows: int,
    seed: int,
    on_progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """SHAP by input column on a seeded sample of ``frame``'s rows that fit the model's schema (the arrays,
    for figures); ``row_index`` gives the rows' positions in ``frame``."""
    batch = check_batch(frame.reset_index(drop=True), loaded.card["schema"])
    usable = batch.frame.loc[batch.valid]
    if usable.empty:
        raise NotApplicable("data", "no row of this data fits the model's schema")
    sample = sample_rows(usable, rows, seed)
    # The training sample saved with the version, as for one prediction's explanation (else this data's rows).
    saved = background is not None and len(background) > 0
    reference = background if saved else sample_rows(usable, BACKGROUND_ROWS, seed + 1)
    summary = global_explanation(loaded.model, loaded.card["task"], sample, reference, on_progress=on_progress)
    return {**summary, "of_rows": len(usable), "seed": seed, "row_index": [int(i) for i in sample.index]}


def shap_report(
    loaded: LoadedModel, frame: pd.DataFrame, background: pd.DataFrame | None, rows: int, seed: int
) -> dict[str, Any]:
    """The JSON form of :func:`shap_summary`: mean |SHAP| and every explained row's values by input column."""
    summary = shap_summary(loaded, frame, background, rows, seed)
    keys = ("rows", "of_rows", "seed", "explainer", "output_kind", "explained_class", "base", "mean_abs", "columns")
    return {**{k: summary[k] for k in keys}, "row_index": summary["row_index"], "values": summary["values"].tolist()}
