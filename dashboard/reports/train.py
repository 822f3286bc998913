"""A Train run as a report: the numbers and figures the page shows for it, built by the same functions from
its cached result. Row-level views (the regression scatters, the SHAP beeswarm) are left out: the file holds
aggregates only (metrics, curves, counts, per-group rates, mean |SHAP|), never the dataset's rows."""

from __future__ import annotations

from typing import Any

from dashboard.errors import ResultExpired
from dashboard.figures.train import (
    calibration_figure,
    compare_pr_figure,
    compare_roc_figure,
    confusion_figure,
    cost_figure,
    importance_figure,
    pr_figure,
    residual_histogram,
    roc_figure,
)
from dashboard.reports.html import Section
from dashboard.train import evaluation
from dashboard.train.catalog import estimator_spec
from dashboard.train.compare import comparison_specs
from dashboard.train.diagnostics import RunDiagnostics
from dashboard.train.service import TrainingService
from dashboard.train.spec import TrainSpec
from dashboard.train.subgroups import LABELS

NOT_COMPUTED = "this view has not been computed yet: open it in the dashboard and run it"


def train_sections(
    training: TrainingService,
    diagnostics: RunDiagnostics,
    spec: TrainSpec,
    *,
    threshold: float = 0.5,
    by: list[str] | None = None,
    shap_rows: int | None = None,
    compare: list[str] | None = None,
) -> tuple[str, dict[str, str], list[Section]]:
    """(title, source facts, sections) of the run ``spec`` names; ResultExpired when it is not cached."""
    result = training.cached(spec)
    if result is None:
        raise ResultExpired(NOT_COMPUTED)
    token = training.token(spec)
    label = estimator_spec(spec.estimator).label
    title = f"{label} on {spec.dataset}: predicting {spec.target}"
    names = [n for n in result.summary if n not in ("fit_time", "score_time")]
    sections = [
        Section(
            f"Cross-validation: {len(result.folds)} folds",
            table=(
                ["metric", "mean", "std"],
                [[n, f"{result.summary[n]['mean']:.4f}", f"{result.summary[n]['std']:.4f}"] for n in names],
            ),
        ),
        Section(
            "Each fold",
            table=(
                ["fold", *names, "fit s"],
                [
                    [f["fold"] + 1, *[_number(f["metrics"].get(n)) for n in names], f"{f['fit_time']:.2f}"]
                    for f in sorted(result.folds, key=lambda f: f["fold"])
                ],
            ),
        ),
    ]
    if result.task == "binary" and result.oof_scores is not None:
        sections += _binary(training, token, result, threshold)
    elif result.task == "multiclass":
        matrix = evaluation.confusion_matrix(result.y, result.oof_pred, result.classes)
        sections.append(Section("Confusion", [confusion_figure(matrix, [str(c) for c in result.classes], "argmax")]))
    else:
        residuals = result.y.astype(float) - result.oof_pred.astype(float)
        sections.append(Section("Residuals (actual − predicted, out of fold)", [residual_histogram(residuals)]))
    if by:
        sections.append(_subgroups(diagnostics, spec, by, threshold))
    if shap_rows and diagnostics.shap_cached(spec, shap_rows):
        summary = diagnostics.shap_summary(spec, shap_rows)
        note = (
            f"{summary['rows']:,} of {summary['of_rows']:,} rows (seed {summary['seed']}), {summary['explainer']} "
            f"explainer, values in the model's {summary['output_kind']}."
        )
        sections.append(
            Section("SHAP", [importance_figure(summary["mean_abs"], "Mean |SHAP| by input column")], note=note)
        )
    if compare:
        sections += _comparison(training, spec, compare)
    return title, _source(training, spec, label), sections


def _comparison(training: TrainingService, spec: TrainSpec, estimators: list[str]) -> list[Section]:
    """The comparison the permalink names, when every model of it is cached: every metric's mean ± std on the
    same folds, the primary metric's difference from the best with the corrected resampled t-test, and for a
    binary target the mean ROC and PR curves overlaid."""
    try:
        specs = comparison_specs(spec, estimators)
    except ValueError:
        return []
    tokens = [training.token(s) for s in specs]
    if any(training.cached(s) is None for s in specs):
        return [Section("Comparison", note="Not computed yet for these models: run the comparison on the page.")]
    labels = [estimator_spec(s.estimator).label for s in specs]
    comparison = training.comparison(labels, tokens)
    rows = comparison.table()
    metric = comparison.metric
    metrics = [metric] + sorted({m for r in rows for m in r["summary"]} - {metric})
    table_rows = []
    for row in rows:
        test = row["versus_best"]
        cells = [f"{s['mean']:.4f} ± {s['std']:.4f}" if (s := row["summary"].get(m)) else "–" for m in metrics]
        tested = ["–"] * 3 if test is None else [f"{test['diff']:+.4f}", f"{test['t']:.2f}", f"{test['p']:.3g}"]
        table_rows.append([row["model"] + (" (best)" if row["best"] else ""), *cells, *tested])
    folds = len(comparison.results[0].folds)
    note = (
        f"Mean ± std over the same {folds} folds. Each model's per-fold difference from the best is tested with "
        f"Nadeau and Bengio's corrected resampled t-test ({folds - 1} degrees of freedom)."
    )
    header = ["model", *metrics, f"Δ {metric} vs best", "t", "p"]
    figures = []
    if comparison.task == "binary":
        named = [
            (label, evaluation.roc_pr_curves(result.folds, result.classes[1]))
            for label, result in zip(comparison.labels, comparison.results, strict=True)
        ]
        figures = [compare_roc_figure(named), compare_pr_figure(named)]
    return [Section(f"Comparison of {len(rows)} models", figures, table=(header, table_rows), note=note)]


def _source(training: TrainingService, spec: TrainSpec, label: str) -> dict[str, str]:
    return {
        "dataset": f"{spec.dataset} (sha256 {training.catalog.fingerprint(spec.dataset)[:16]}…)",
        "model": f"{label} {_params(spec)}",
        "features": ", ".join(spec.features),
        "validation": f"{spec.cv.folds} folds, seed {spec.cv.seed}, calibration {spec.calibration}",
    }


def _binary(training: TrainingService, token: str, result: Any, threshold: float) -> list[Section]:
    curves = evaluation.roc_pr_curves(result.folds, result.classes[1])
    view = training.threshold(token, threshold, 1.0, 1.0, 0.0)
    c = view["confusion"]
    labels = [str(result.classes[0]), str(result.classes[1])]
    matrix = [[c["tn"], c["fp"]], [c["fn"], c["tp"]]]
    sections = [
        Section("ROC and precision-recall", [roc_figure(curves), pr_figure(curves)]),
        Section(
            f"Threshold {threshold:.2f}",
            [
                confusion_figure(matrix, labels, f"Confusion at threshold {threshold:.2f}"),
                cost_figure(view["curve"], threshold),
            ],
            note="Expected cost with a false positive and a false negative costing 1 each.",
        ),
    ]
    if result.score_kind == "probability":
        calibration = evaluation.calibration(result.y, result.oof_scores, result.classes[1], folds=result.folds)
        sections.append(Section("Calibration", [calibration_figure(calibration)]))
    return sections


def _subgroups(diagnostics: RunDiagnostics, spec: TrainSpec, by: list[str], threshold: float) -> Section:
    report = diagnostics.subgroups(spec, by, threshold)
    header = ["group", "rows", *[LABELS[m] for m in report.metrics]]
    rows = [[g["group"], g["rows"], *[_number(g["values"][m]) for m in report.metrics]] for g in report.groups]
    gaps = ["largest gap", "", *[_number((report.gaps.get(m) or {}).get("gap")) for m in report.metrics]]
    return Section(
        f"Subgroups by {' × '.join(by)}", table=(header, [*rows, gaps]), note=" ".join(report.notices) or None
    )


def _params(spec: TrainSpec) -> str:
    checked = estimator_spec(spec.estimator).checked_params(spec.params)
    return "(" + ", ".join(f"{k}={v}" for k, v in checked.items()) + ")" if checked else ""


def _number(value: Any) -> str:
    return "–" if value is None else f"{value:.4f}"
