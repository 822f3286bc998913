"""Plotly figure builders. They take summaries (from ``dashboard.data.profile``) and return figures;
no data loading and no Dash here."""

from __future__ import annotations

import functools
import textwrap

import plotly.graph_objects as go
import plotly.io as pio


@functools.cache
def _use_our_template() -> None:
    """The template is set as plotly's default rather than per figure: passing ``template=`` validates and
    deep-copies the whole template on every figure (~25 ms each); the default is attached at serialisation
    for ~1 ms. Set at the first figure, not at import: loading it costs 0.1 s that every start would pay.
    Every figure here starts from ``_base``."""
    pio.templates.default = "plotly_white"


MODEBAR_BAND = 30  # px at the top of a figure where Plotly's modebar appears on hover
TITLED_TOP = 78  # a title below the modebar's band (and a gap), and its line
TITLE_LINE = 22  # px of each further title line
# Plotly never wraps a title and cuts it at the figure's edge; figures sit in half-width columns (~420 px
# at 1280 px, ~40 characters of the title font), so a longer title is broken into lines at spaces.
TITLE_CHARS = 44


def wrapped_title(text: str, width: int = TITLE_CHARS) -> list[str]:
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [text]


def _base(title: str | None = None, **layout) -> go.Figure:
    """Every figure starts here. A title sits below the band where the modebar appears, so the modebar
    never covers it (it did on the coefficient, TPE and cluster-profile charts), on as many lines as it
    needs."""
    _use_our_template()
    figure = go.Figure()
    margin = dict(layout.pop("margin", None) or dict(l=50, r=20, t=20, b=40))
    if title:
        lines = wrapped_title(title)
        margin["t"] = max(margin.get("t", 0), TITLED_TOP + TITLE_LINE * (len(lines) - 1))
        title = dict(text="<br>".join(lines), y=1, yref="container", yanchor="top", pad=dict(t=MODEBAR_BAND + 10))
    figure.update_layout(title=title, margin=margin, **layout)
    return figure


SVG_POINT_BUDGET = 5_000  # below it SVG (works everywhere); above it WebGL (fast, but absent in some VMs)


def _add_points(figure: go.Figure, total: int, **trace) -> None:
    """A marker trace as SVG when the figure's ``total`` points are few, as WebGL when they are many: a
    browser without WebGL (a VM, a remote desktop) showed an error box even for 506 points."""
    if total > SVG_POINT_BUDGET:
        figure.add_scattergl(**trace)
    else:
        figure.add_scatter(**trace)


def message_figure(text: str) -> go.Figure:
    figure = _base(xaxis=dict(visible=False), yaxis=dict(visible=False))
    figure.add_annotation(text=text, showarrow=False, font=dict(size=14), x=0.5, y=0.5, xref="paper", yref="paper")
    return figure


def distribution_figure(dist: dict) -> go.Figure:
    if dist["type"] == "empty":
        return message_figure(f"'{dist['column']}' has no values to plot")
    stacked = len(dist["traces"]) > 1
    figure = _base(barmode="stack" if stacked else "relative", bargap=0.02 if dist["type"] == "histogram" else 0.2)
    for trace in dist["traces"]:
        figure.add_bar(
            x=dist["x"],
            y=trace["counts"],
            name=trace["name"],
            width=dist.get("width") if dist["type"] == "histogram" and "width" in dist else None,
        )
    figure.update_layout(xaxis_title=dist["column"], yaxis_title="count", showlegend=stacked, legend_title_text="")
    if dist["type"] == "bar":
        figure.update_xaxes(type="category")
    if dist.get("truncated"):
        figure.add_annotation(
            text=f"top {len(dist['x'])} values shown; {dist['truncated']} more not shown",
            showarrow=False,
            xref="paper",
            yref="paper",
            x=1,
            y=1.08,
            xanchor="right",
        )
    return figure


def correlation_figure(corr: dict) -> go.Figure:
    if len(corr["columns"]) < 2:
        return message_figure("fewer than two numeric columns: no correlations")
    figure = _base()
    figure.add_heatmap(
        z=corr["matrix"],
        x=corr["columns"],
        y=corr["columns"],
        zmin=-1,
        zmax=1,
        colorscale="RdBu",
        reversescale=True,
        hovertemplate="%{y} × %{x}: %{z:.3f}<extra></extra>",
    )
    figure.update_layout(yaxis_autorange="reversed", height=max(350, 18 * len(corr["columns"]) + 120))
    notes = []
    if corr.get("focus"):
        notes.append(
            f"the {len(corr['columns'])} of {corr['total_columns']:,} numeric columns most correlated with "
            f"{corr['focus']}"
        )
    if corr.get("sampled_rows"):
        notes.append(f"computed on a random sample of {corr['sampled_rows']:,} rows")
    if notes:
        figure.add_annotation(
            text="; ".join(notes),
            showarrow=False,
            xref="paper",
            yref="paper",
            x=1,
            y=1.06,
            xanchor="right",
        )
    return figure


def scatter_figure(sample: dict, x: str, y: str, color: str | None) -> go.Figure:
    figure = _base(xaxis_title=x, yaxis_title=y)
    if not sample["shown"]:
        return message_figure(f"no rows have both {x} and {y}")
    if color and not sample.get("color_numeric"):
        groups: dict[str, list[int]] = {}
        for i, value in enumerate(sample["color"]):
            groups.setdefault(value, []).append(i)
        for value, rows in list(groups.items())[:20]:
            _add_points(
                figure,
                len(sample["x"]),
                x=[sample["x"][i] for i in rows],
                y=[sample["y"][i] for i in rows],
                mode="markers",
                name=value,
                marker=dict(size=5, opacity=0.7),
            )
        figure.update_layout(legend_title_text=color)
    else:
        marker = dict(size=5, opacity=0.7)
        if color:
            marker.update(color=sample["color"], colorscale="Viridis", showscale=True, colorbar=dict(title=color))
        points = dict(x=sample["x"], y=sample["y"], mode="markers", marker=marker, showlegend=False)
        _add_points(figure, len(sample["x"]), **points)
    return figure


def short_number(value: float, signed: bool = False) -> str:
    """A label that fits beside a bar: 4 significant digits, and k/M/G from ten thousand on
    (``294,100`` reads ``294.1k``, where ``.4g`` gave ``2.941e+05``, cut to ``2.941`` at the plot's edge)."""
    sign = "+" if signed and value >= 0 else ""
    for divisor, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= max(divisor, 1e4):
            return f"{sign}{value / divisor:.4g}{suffix}"
    if abs(value) >= 1e3:  # .4g would write 9,999.5 as 1e+04
        return f"{sign}{value:,.0f}"
    return f"{sign}{value:.4g}"


def waterfall_figure(explanation: dict, shown: int = 12) -> go.Figure:
    """From the base value, each input column's contribution (largest first; the rest together) to the
    model's output for this row."""
    contributions = list(explanation["contributions"].items())
    head, rest = contributions[:shown], contributions[shown:]
    if rest:
        head.append((f"{len(rest)} other columns", sum(v for _, v in rest)))
    kind = explanation["output_kind"]
    about = f" of {explanation['class']!s}" if explanation.get("class") is not None else ""
    figure = _base(
        title=f"Why: contributions to the {kind}{about} ({explanation['explainer']} SHAP)",
        height=max(300, 26 * (len(head) + 2) + 90),
        margin=dict(l=160, r=80, t=40, b=40),  # room on the right for the labels outside the bars
    )
    figure.add_trace(
        go.Waterfall(
            orientation="h",
            measure=["absolute", *["relative"] * len(head), "total"],
            y=["base (average)", *[name for name, _ in head], kind],
            x=[explanation["base"], *[value for _, value in head], explanation["output"]],
            text=[
                short_number(explanation["base"]),
                *[short_number(value, signed=True) for _, value in head],
                short_number(explanation["output"]),
            ],
            textposition="outside",
            cliponaxis=False,
            increasing=dict(marker_color="#d95f0e"),
            decreasing=dict(marker_color="#2c7fb8"),
        )
    )
    figure.update_yaxes(autorange="reversed", type="category", ticksuffix="  ")  # labels clear of the axis
    figure.update_xaxes(tickformat="~s")
    return figure


def probability_figure(probabilities: dict[str, float] | None, title: str = "Class probabilities") -> go.Figure:
    if not probabilities:
        return message_figure("this model gives no class probabilities")
    labels = list(probabilities)
    figure = _base(title=title, xaxis=dict(range=[0, 1], title="probability"), height=260)
    figure.add_bar(
        x=[probabilities[k] for k in labels],
        y=labels,
        orientation="h",
        text=[f"{probabilities[k]:.1%}" for k in labels],
        textposition="auto",
    )
    figure.update_yaxes(type="category")
    return figure


def roc_figure(curves: dict) -> go.Figure:
    figure = _base(
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
    figure = _base(
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
    figure = _base(
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
    figure = _base(
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
    figure = _base(
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
    figure = _base(
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
    figure = _base(title="Expected cost per row", xaxis=dict(title="threshold"), yaxis=dict(title="cost"), height=360)
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
    figure = _base(
        title="Calibration",
        xaxis=dict(title="mean predicted probability", range=[0, 1]),
        yaxis=dict(title="observed frequency", range=[0, 1]),
        height=360,
    )
    figure.add_scatter(x=calibration["predicted"], y=calibration["observed"], mode="lines+markers", name="model")
    figure.add_scatter(x=[0, 1], y=[0, 1], mode="lines", line=dict(dash="dot", color="grey"), name="perfect")
    return figure


def predicted_vs_actual_figure(actual, predicted) -> go.Figure:
    low, high = float(min(actual.min(), predicted.min())), float(max(actual.max(), predicted.max()))
    figure = _base(title="Predicted vs actual", xaxis=dict(title="actual"), yaxis=dict(title="predicted"), height=380)
    points = dict(x=actual, y=predicted, mode="markers", marker=dict(size=5, opacity=0.6), name="rows")
    _add_points(figure, len(actual), **points)
    figure.add_scatter(x=[low, high], y=[low, high], mode="lines", line=dict(dash="dot", color="grey"), name="perfect")
    return figure


def residuals_figure(predicted, residuals) -> go.Figure:
    figure = _base(
        title="Residuals vs predicted", xaxis=dict(title="predicted"), yaxis=dict(title="residual"), height=380
    )
    _add_points(
        figure, len(predicted), x=predicted, y=residuals, mode="markers", marker=dict(size=5, opacity=0.6), name="rows"
    )
    figure.add_hline(y=0, line_dash="dot", line_color="grey")
    return figure


def residual_histogram(residuals) -> go.Figure:
    figure = _base(title="Residual distribution", xaxis=dict(title="residual"), yaxis=dict(title="rows"), height=360)
    figure.add_histogram(x=residuals, nbinsx=40)
    return figure


def importance_figure(values: dict[str, float], title: str, errors: dict[str, float] | None = None) -> go.Figure:
    """Horizontal bars, strongest at the top; signed values keep their sign."""
    if not values:
        return message_figure("nothing to show for this model")
    names = list(values)[::-1]
    figure = _base(title=title, height=max(260, 22 * len(names) + 80), margin=dict(l=160, r=20, t=40, b=40))
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
    figure = _base(
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


def search_figure(rows: list[dict], names: list[str], metric: str, log_names: set[str], grid: bool) -> go.Figure:
    """One parameter: score vs value; two: a heatmap (grid) or coloured scatter (random); more: parallel coordinates.

    ``rows`` are finished candidates with every tuned value filled in (``values``) and a ``mean``.
    """
    rows = [r for r in rows if r.get("mean") is not None]
    if not rows or not names:
        return message_figure("run a search to see candidates")
    title = f"{metric} by candidate (mean over folds)"
    if len(names) == 1:
        name = names[0]
        rows = sorted(rows, key=lambda r: (str(type(r["values"][name])), r["values"][name]))
        figure = _base(
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
        figure = _base(
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
        figure = _base(
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
    figure = _base(title=title, height=420)
    figure.add_trace(go.Parcoords(line=dict(color=scores, colorscale="Viridis", showscale=True), dimensions=dimensions))
    return figure


def sweep_figure(points: dict, suggested: int | None = None) -> go.Figure:
    """Inertia (elbow), silhouette, Davies-Bouldin and Calinski-Harabasz against k, the suggested k marked."""
    from plotly.subplots import make_subplots

    names = [
        ("inertia", "inertia (elbow)"),
        ("silhouette", "silhouette ↑"),
        ("davies_bouldin", "Davies-Bouldin ↓"),
        ("calinski_harabasz", "Calinski-Harabasz ↑"),
    ]
    figure = make_subplots(rows=1, cols=4, subplot_titles=[title for _, title in names], horizontal_spacing=0.06)
    for col, (name, _) in enumerate(names, start=1):
        figure.add_scatter(x=points["ks"], y=points[name], mode="lines+markers", showlegend=False, row=1, col=col)
        if suggested is not None:
            figure.add_vline(x=suggested, line_dash="dot", line_color="crimson", row=1, col=col)
    figure.update_xaxes(title_text="k", dtick=1)
    figure.update_layout(height=300, margin=dict(l=40, r=20, t=40, b=40))
    return figure


def projection_figure(projection: dict, names: dict[int, str]) -> go.Figure:
    explained = projection["explained"]
    note = f" (sample of {len(projection['x']):,} of {projection['rows']:,} rows)" if projection["sampled"] else ""
    figure = _base(
        title=f"PCA projection{note}",
        xaxis=dict(title=f"PC1 ({explained[0]:.0%})"),
        yaxis=dict(title=f"PC2 ({explained[1]:.0%})"),
        height=420,
    )
    labels = projection["label"]
    for cluster in sorted(set(labels.tolist())):
        mask = labels == cluster
        _add_points(
            figure,
            len(labels),
            x=projection["x"][mask],
            y=projection["y"][mask],
            mode="markers",
            marker=dict(size=5, opacity=0.6, color="lightgrey" if cluster < 0 else None),
            name=f"{cluster}: {names.get(cluster, '')}"[:60],
        )
    centroids = projection["centroids"]
    figure.add_scatter(
        x=centroids[:, 0],
        y=centroids[:, 1],
        mode="markers",
        marker=dict(symbol="x", size=14, color="black", line=dict(width=2)),
        name="centroids",
    )
    return figure


def silhouette_figure(silhouettes: dict[int, list[float]]) -> go.Figure:
    """Each cluster's (sampled) silhouettes as a sorted band, the classic silhouette plot."""
    if not silhouettes:
        return message_figure("silhouettes need two or more clusters")
    figure = _base(
        title="Silhouette per cluster", xaxis=dict(title="silhouette"), yaxis=dict(visible=False), height=420
    )
    start = 0
    for cluster, values in silhouettes.items():
        figure.add_bar(
            x=values, y=list(range(start, start + len(values))), orientation="h", name=str(cluster), marker_line_width=0
        )
        start += len(values) + 10
    figure.update_layout(bargap=0)
    return figure


def sizes_figure(sizes: dict[int, int], names: dict[int, str]) -> go.Figure:
    clusters = list(sizes)
    figure = _base(
        title="Cluster sizes",
        xaxis=dict(title="rows"),
        yaxis=dict(automargin=True),  # as wide as the cluster names need (they were cut at a fixed margin)
        height=300,
        margin=dict(l=20, r=20, t=40, b=40),
    )
    full = [f"{c}: {names.get(c, '')}" for c in clusters]
    figure.add_bar(
        x=[sizes[c] for c in clusters],
        y=[textwrap.shorten(name, 40, placeholder=" …") for name in full],  # whole words; the hover has it all
        hovertext=full,
        hovertemplate="%{hovertext}: %{x:,} rows<extra></extra>",
        orientation="h",
        text=[f"{sizes[c]:,}" for c in clusters],
        textposition="auto",
    )
    figure.update_yaxes(type="category", autorange="reversed")
    return figure


def profile_figure(profile: dict) -> go.Figure:
    """Standardised feature means per cluster (0 = the dataset's mean), raw means in the hover."""
    figure = _base(
        title="Profile: feature means per cluster, in standard deviations from the overall mean",
        xaxis=dict(type="category"),
        yaxis=dict(title="cluster", type="category", autorange="reversed"),
        height=max(260, 40 * len(profile["clusters"]) + 120),
    )
    figure.add_heatmap(
        z=profile["z"],
        x=profile["features"],
        y=[str(c) for c in profile["clusters"]],
        customdata=profile["means"],
        colorscale="RdBu",
        reversescale=True,
        zmid=0,
        texttemplate="%{z:.2f}",
        hovertemplate="cluster %{y}, %{x}: mean %{customdata:.4g} (%{z:.2f} sd)<extra></extra>",
    )
    return figure


def dendrogram_figure(linkage_matrix, labels: list[str], cut: float | None = None) -> go.Figure:
    """Dendrogram from a SciPy linkage matrix (drawn from scipy's own layout, no dense distance matrix here)."""
    from scipy.cluster.hierarchy import dendrogram

    tree = dendrogram(linkage_matrix, no_plot=True, labels=labels)
    figure = _base(
        title="Dendrogram (sample)", xaxis=dict(showticklabels=False), yaxis=dict(title="distance"), height=360
    )
    for xs, ys in zip(tree["icoord"], tree["dcoord"], strict=True):
        figure.add_scatter(x=xs, y=ys, mode="lines", line=dict(color="#4c72b0", width=1), showlegend=False)
    if cut is not None:
        figure.add_hline(y=cut, line_dash="dot", line_color="crimson")
    return figure


def k_distance_figure(curve: dict, min_samples: int) -> go.Figure:
    distances = curve["distance"]
    figure = _base(
        title=f"Distance to the {min_samples}th neighbour, sorted: eps sits at the knee",
        xaxis=dict(title="points (sorted)"),
        yaxis=dict(title="distance"),
        height=320,
    )
    figure.add_scatter(y=distances, mode="lines", name="k-distance")
    figure.add_scatter(
        x=[curve["knee"]],
        y=[curve["suggested_eps"]],
        mode="markers+text",
        marker=dict(size=11, color="crimson"),
        text=[f"eps ≈ {curve['suggested_eps']:.3g}"],
        textposition="top left",
        name="knee",
    )
    return figure
