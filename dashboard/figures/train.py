"""Figures for the Train page: ROC, PR, threshold and cost, calibration, regression diagnostics, what the
model learned, partial dependence, learning curves, comparisons and searches."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.figures.base import add_points, base_figure, message_figure


def roc_figure(curves: dict) -> go.Figure:
    figure = base_figure(
        title="ROC",
        xaxis=dict(title="false positive rate", range=[0, 1]),
        yaxis=dict(title="true positive rate", range=[0, 1.02]),
        height=380,
    )
    for roc in curves["roc"]:
        figure.add_scatter(
            x=roc["fpr"],
            y=roc["tpr"],
            mode="lines",
            line=dict(width=1),
            opacity=0.45,
            name=f"fold {roc['fold'] + 1} (AUC {roc['auc']:.3f})",
        )
    if curves.get("mean_tpr") is not None and len(curves["roc"]) > 1:
        figure.add_scatter(
            x=curves["grid"],
            y=curves["mean_tpr"],
            mode="lines",
            line=dict(width=3, color="black"),
            name=f"mean (AUC {curves['auc_mean']:.3f} ± {curves['auc_std']:.3f})",
        )
    figure.add_scatter(x=[0, 1], y=[0, 1], mode="lines", line=dict(dash="dot", color="grey"), name="chance")
    return figure


def pdp_figure(curves: dict) -> go.Figure:
    """Partial dependence (thick) over ICE curves (one thin line per sampled row)."""
    column = curves["column"]
    figure = base_figure(
        title=f"Partial dependence on {column}" + (" with ICE curves" if curves["ice"] else ""),
        xaxis=dict(title=column, type="category" if curves["categorical"] else None),
        yaxis=dict(title="model output"),
        height=380,
    )
    for i, line in enumerate(curves["ice"]):
        figure.add_scatter(
            x=curves["grid"], y=line, mode="lines", line=dict(width=1, color="rgba(120,120,120,0.25)"),
            name="ICE (one row)", showlegend=i == 0, legendgroup="ice", hoverinfo="skip",
        )  # fmt: skip
    for label, line in curves["average"].items():
        name = f"average ({label})" if label != "prediction" else "average"
        figure.add_scatter(x=curves["grid"], y=line, mode="lines+markers", line=dict(width=3), name=name)
    return figure


def learning_curve_figure(points: dict) -> go.Figure:
    """Train and validation score against training rows, mean ± std over the folds."""
    metric = points["metric"]
    figure = base_figure(
        title=f"Learning curve ({metric})", xaxis=dict(title="training rows"), yaxis=dict(title=metric), height=380
    )
    for part in ("train", "validation"):
        figure.add_scatter(
            x=points["sizes"],
            y=points[f"{part}_mean"],
            error_y=dict(type="data", array=points[f"{part}_std"]),
            mode="lines+markers",
            name=part,
        )
    return figure


def compare_roc_figure(named: list[tuple[str, dict]]) -> go.Figure:
    """Each model's mean ROC over the same folds, overlaid."""
    figure = _mean_curves(named, "ROC", ("false positive rate", "true positive rate"), "mean_tpr", ("AUC", "auc"))
    figure.add_scatter(x=[0, 1], y=[0, 1], mode="lines", line=dict(dash="dot", color="grey"), name="chance")
    return figure


def compare_pr_figure(named: list[tuple[str, dict]]) -> go.Figure:
    """Each model's mean precision-recall curve over the same folds, overlaid."""
    figure = _mean_curves(named, "Precision-recall", ("recall", "precision"), "mean_precision", ("AP", "ap"))
    if named:
        prevalence = named[0][1]["prevalence"]
        figure.add_scatter(
            x=[0, 1], y=[prevalence] * 2, mode="lines", line=dict(dash="dot", color="grey"), name="prevalence"
        )
    return figure


def _mean_curves(named, title: str, axes: tuple[str, str], line: str, score: tuple[str, str]) -> go.Figure:
    figure = base_figure(
        title=f"{title}, mean over the same folds",
        xaxis=dict(title=axes[0], range=[0, 1]),
        yaxis=dict(title=axes[1], range=[0, 1.02]),
        height=380,
    )
    shown, key = score
    for label, curves in named:
        summary = f"{shown} {curves[f'{key}_mean']:.3f} ± {curves[f'{key}_std']:.3f}"
        figure.add_scatter(x=curves["grid"], y=curves[line], mode="lines", name=f"{label} ({summary})")
    return figure


def pr_figure(curves: dict) -> go.Figure:
    figure = base_figure(
        title="Precision-recall",
        xaxis=dict(title="recall", range=[0, 1]),
        yaxis=dict(title="precision", range=[0, 1.02]),
        height=380,
    )
    for pr in curves["pr"]:
        figure.add_scatter(
            x=pr["recall"],
            y=pr["precision"],
            mode="lines",
            line=dict(width=1),
            opacity=0.45,
            name=f"fold {pr['fold'] + 1} (AP {pr['ap']:.3f})",
        )
    if curves.get("mean_precision") is not None and len(curves["pr"]) > 1:
        figure.add_scatter(
            x=curves["grid"],
            y=curves["mean_precision"],
            mode="lines",
            line=dict(width=3, color="black"),
            name=f"mean (AP {curves['ap_mean']:.3f} ± {curves['ap_std']:.3f})",
        )
    figure.add_scatter(
        x=[0, 1],
        y=[curves["prevalence"]] * 2,
        mode="lines",
        line=dict(dash="dot", color="grey"),
        name=f"prevalence {curves['prevalence']:.3f}",
    )
    return figure


def confusion_figure(matrix, labels: list[str], title: str = "Confusion matrix") -> go.Figure:
    figure = base_figure(
        title=title,
        xaxis=dict(title="predicted", type="category"),
        yaxis=dict(title="actual", type="category", autorange="reversed"),
        height=360,
    )
    figure.add_heatmap(
        z=matrix,
        x=labels,
        y=labels,
        colorscale="Blues",
        showscale=False,
        text=matrix,
        texttemplate="%{text}",
        hovertemplate="actual %{y}, predicted %{x}: %{z}<extra></extra>",
    )
    return figure


def cost_figure(curve: dict, threshold: float) -> go.Figure:
    figure = base_figure(
        title="Expected cost per row", xaxis=dict(title="threshold"), yaxis=dict(title="cost"), height=360
    )
    figure.add_scatter(x=curve["thresholds"], y=curve["cost"], mode="lines", name="expected cost")
    figure.add_scatter(
        x=[curve["best_threshold"]],
        y=[curve["best_cost"]],
        mode="markers+text",
        marker=dict(size=12, color="crimson"),
        text=[f"optimum {curve['best_threshold']:.2f}"],
        textposition="top center",
        name="optimum",
    )
    figure.add_vline(x=threshold, line_dash="dot", line_color="grey")
    return figure


def calibration_figure(calibration: dict) -> go.Figure:
    """The pooled reliability curve over each fold's (thin), the diagonal, and Brier and ECE in the title."""
    title = "Calibration"
    if "brier" in calibration:
        title += f": Brier {calibration['brier']:.4f}, expected calibration error {calibration['ece']:.4f}"
    figure = base_figure(
        title=title,
        xaxis=dict(title="mean predicted probability", range=[0, 1]),
        yaxis=dict(title="observed frequency", range=[0, 1]),
        height=380,
    )
    for i, fold in enumerate(calibration.get("folds", [])):
        figure.add_scatter(
            x=fold["predicted"],
            y=fold["observed"],
            mode="lines",
            line=dict(width=1, color="rgba(44,127,184,0.35)"),
            name="each fold",
            legendgroup="folds",
            showlegend=i == 0,
            hovertemplate=f"fold {fold['fold'] + 1}: %{{x:.2f}} → %{{y:.2f}}<extra></extra>",
        )
    figure.add_scatter(
        x=calibration["predicted"],
        y=calibration["observed"],
        mode="lines+markers",
        name="all folds",
        line=dict(width=3),
    )
    figure.add_scatter(x=[0, 1], y=[0, 1], mode="lines", line=dict(dash="dot", color="grey"), name="perfect")
    return figure


def predicted_vs_actual_figure(actual, predicted) -> go.Figure:
    low, high = float(min(actual.min(), predicted.min())), float(max(actual.max(), predicted.max()))
    figure = base_figure(
        title="Predicted vs actual", xaxis=dict(title="actual"), yaxis=dict(title="predicted"), height=380
    )
    points = dict(x=actual, y=predicted, mode="markers", marker=dict(size=5, opacity=0.6), name="rows")
    add_points(figure, len(actual), **points)
    figure.add_scatter(x=[low, high], y=[low, high], mode="lines", line=dict(dash="dot", color="grey"), name="perfect")
    return figure


def residuals_figure(predicted, residuals) -> go.Figure:
    figure = base_figure(
        title="Residuals vs predicted", xaxis=dict(title="predicted"), yaxis=dict(title="residual"), height=380
    )
    add_points(
        figure, len(predicted), x=predicted, y=residuals, mode="markers", marker=dict(size=5, opacity=0.6), name="rows"
    )
    figure.add_hline(y=0, line_dash="dot", line_color="grey")
    return figure


def residual_histogram(residuals) -> go.Figure:
    figure = base_figure(
        title="Residual distribution", xaxis=dict(title="residual"), yaxis=dict(title="rows"), height=360
    )
    figure.add_histogram(x=residuals, nbinsx=40)
    return figure


def importance_figure(values: dict[str, float], title: str, errors: dict[str, float] | None = None) -> go.Figure:
    """Horizontal bars, strongest at the top; signed values keep their sign."""
    if not values:
        return message_figure("nothing to show for this model")
    names = list(values)[::-1]
    figure = base_figure(title=title, height=max(260, 22 * len(names) + 80), margin=dict(l=160, r=20, t=40, b=40))
    figure.add_bar(
        x=[values[n] for n in names],
        y=names,
        orientation="h",
        error_x=dict(type="data", array=[errors[n] for n in names]) if errors else None,
        marker_color=["#2c7fb8" if values[n] >= 0 else "#d95f0e" for n in names],
    )
    figure.update_yaxes(type="category")
    return figure


def history_figure(history: list[dict], metric: str) -> go.Figure:
    """Optuna's optimisation history: every finished trial's value and the best so far; pruned trials marked."""
    if not history:
        return message_figure("run a TPE search to see its history")
    figure = base_figure(
        title=f"Optimisation history ({metric})", xaxis=dict(title="trial"), yaxis=dict(title=metric), height=340
    )
    finished = [h for h in history if h["value"] is not None]
    figure.add_scatter(x=[h["trial"] for h in finished], y=[h["value"] for h in finished], mode="markers", name="trial")
    figure.add_scatter(
        x=[h["trial"] for h in history if h["best"] is not None],
        y=[h["best"] for h in history if h["best"] is not None],
        mode="lines",
        line=dict(shape="hv"),
        name="best so far",
    )
    pruned = [h["trial"] for h in history if h["state"] == "pruned"]
    if pruned:
        figure.add_scatter(
            x=pruned,
            y=[finished[0]["value"] if finished else 0] * len(pruned),
            mode="markers",
            marker=dict(symbol="x", color="grey"),
            name="pruned",
        )
    return figure


def search_figure(
    rows: list[dict], names: list[str], metric: str, log_names: set[str], grid: bool, title: str | None = None
) -> go.Figure:
    """One parameter: score vs value; two: a heatmap (grid) or coloured scatter (random); more: parallel coordinates.

    ``rows`` are finished candidates with every tuned value filled in (``values``) and a ``mean``.
    """
    rows = [r for r in rows if r.get("mean") is not None]
    if not rows or not names:
        return message_figure("run a search to see candidates")
    title = title or f"{metric} by candidate (mean over folds)"
    if len(names) == 1:
        name = names[0]
        rows = sorted(rows, key=lambda r: (str(type(r["values"][name])), r["values"][name]))
        figure = base_figure(
            title=title,
            xaxis=dict(title=name, type="log" if name in log_names else None),
            yaxis=dict(title=metric),
            height=380,
        )
        figure.add_scatter(
            x=[r["values"][name] for r in rows],
            y=[r["mean"] for r in rows],
            error_y=dict(type="data", array=[r["std"] for r in rows]),
            mode="lines+markers" if grid else "markers",
            name=metric,
        )
        return figure
    if len(names) == 2 and grid:
        x_name, y_name = names
        xs = list(dict.fromkeys(r["values"][x_name] for r in rows))
        ys = list(dict.fromkeys(r["values"][y_name] for r in rows))
        z = [[None] * len(xs) for _ in ys]
        for r in rows:
            z[ys.index(r["values"][y_name])][xs.index(r["values"][x_name])] = r["mean"]
        figure = base_figure(
            title=title,
            xaxis=dict(title=x_name, type="category"),
            yaxis=dict(title=y_name, type="category"),
            height=380,
        )
        figure.add_heatmap(
            z=z,
            x=[str(v) for v in xs],
            y=[str(v) for v in ys],
            colorscale="Viridis",
            reversescale=metric in ("rmse", "mae", "mape", "log_loss"),
            texttemplate="%{z:.4f}",
            colorbar=dict(title=metric),
        )
        return figure
    if len(names) == 2:
        x_name, y_name = names
        figure = base_figure(
            title=title,
            xaxis=dict(title=x_name, type="log" if x_name in log_names else None),
            yaxis=dict(title=y_name, type="log" if y_name in log_names else None),
            height=380,
        )
        figure.add_scatter(
            x=[r["values"][x_name] for r in rows],
            y=[r["values"][y_name] for r in rows],
            mode="markers",
            marker=dict(size=12, color=[r["mean"] for r in rows], colorscale="Viridis", showscale=True),
            text=[f"{metric} {r['mean']:.4f}" for r in rows],
        )
        return figure
    dimensions = []
    for name in names:
        values = [r["values"][name] for r in rows]
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            dimensions.append(dict(label=name, values=values))
        else:
            labels = list(dict.fromkeys(map(str, values)))
            dimensions.append(
                dict(
                    label=name,
                    values=[labels.index(str(v)) for v in values],
                    tickvals=list(range(len(labels))),
                    ticktext=labels,
                )
            )
    scores = [r["mean"] for r in rows]
    dimensions.append(dict(label=metric, values=scores))
    figure = base_figure(title=title, height=420)
    figure.add_trace(go.Parcoords(line=dict(color=scores, colorscale="Viridis", showscale=True), dimensions=dimensions))
    return figure
