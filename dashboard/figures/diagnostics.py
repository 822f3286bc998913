"""Diagnostic figures of a CV result beyond its curves: a metric per subgroup with its interval, and the SHAP
summary (beeswarm) and dependence plots."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.figures.base import base_figure, message_figure
from model_store.lazy import lazy_module

np = lazy_module("numpy")
pd = lazy_module("pandas")

FEW_ROWS_COLOUR = "#adb5bd"
GROUP_COLOUR = "#2c7fb8"


def subgroup_figure(groups: list[dict], metric: str, label: str, gap: dict | None) -> go.Figure:
    """One horizontal bar per group (largest group at the top) with its 95 % interval; groups with too few
    rows in grey. The title names the largest gap between groups that have enough rows."""
    shown = [g for g in groups if g["values"].get(metric) is not None]
    if not shown:
        return message_figure(f"no group has a {label}")
    names = [g["group"] for g in shown][::-1]
    values = [g["values"][metric] for g in shown][::-1]
    intervals = [g["intervals"].get(metric) for g in shown][::-1]
    title = f"{label} by group"
    if gap:
        title += f": largest gap {gap['gap']:.3f} ({gap['lowest']} vs {gap['highest']})"
        if gap.get("ratio") is not None:
            title += f", ratio {gap['ratio']:.2f}"
    figure = base_figure(
        title=title, height=max(260, 30 * len(names) + 110), margin=dict(l=170, r=30, t=40, b=40), showlegend=False
    )
    figure.add_bar(
        x=values,
        y=names,
        orientation="h",
        marker_color=[FEW_ROWS_COLOUR if g["few"] else GROUP_COLOUR for g in shown][::-1],
        error_x=dict(
            type="data",
            symmetric=False,
            array=[(i[1] - v) if i else 0 for v, i in zip(values, intervals, strict=True)],
            arrayminus=[(v - i[0]) if i else 0 for v, i in zip(values, intervals, strict=True)],
            visible=any(intervals),
        ),
        customdata=[g["rows"] for g in shown][::-1],
        hovertemplate="%{y}: %{x:.3f} (%{customdata} rows)<extra></extra>",
    )
    figure.update_yaxes(type="category", automargin=True)
    figure.update_xaxes(title=label, rangemode="tozero")
    return figure


SUMMARY_COLUMNS = 12
LOW_VALUE, HIGH_VALUE, NO_VALUE = "#2c7fb8", "#d7301f", "#868e96"


def shap_summary_figure(summary: dict) -> go.Figure:
    """The beeswarm: one dot per row and column at its SHAP value, the strongest columns at the top, dots
    coloured from low (blue) to high (red) by the column's value within the sample (grey: not numeric)."""
    columns = summary["columns"][:SUMMARY_COLUMNS]
    if not summary["rows"] or not columns:
        return message_figure("no rows were explained")
    figure = base_figure(
        title=f"SHAP values of {summary['rows']:,} rows ({summary['output_kind']}), strongest columns first",
        height=max(320, 34 * len(columns) + 140),
        margin=dict(l=150, r=30, t=40, b=70),
        showlegend=False,
    )
    jitter = np.random.default_rng(0).uniform(-0.3, 0.3, summary["rows"])
    for position, column in enumerate(columns):
        values = summary["values"][:, summary["columns"].index(column)]
        y = np.full(len(values), len(columns) - 1 - position) + jitter * _density(values)
        figure.add_scatter(
            x=values,
            y=y,
            mode="markers",
            marker=_value_colours(summary["feature_values"].get(column)),
            name=column,
            hovertemplate=f"{column}: SHAP %{{x:.3f}}<extra></extra>",
        )
    figure.update_yaxes(
        tickvals=list(range(len(columns))), ticktext=columns[::-1], range=[-0.7, len(columns) - 0.3], zeroline=False
    )
    figure.update_xaxes(
        title=f"contribution to the {summary['output_kind']}<br>"
        "<sup>dot colour: the column's value, blue low → red high (grey: not a number)</sup>",
        zeroline=True,
        zerolinecolor="#adb5bd",
    )
    return figure


def shap_dependence_figure(summary: dict, column: str, colour_by: str | None) -> go.Figure:
    """A column's SHAP value against its value, coloured by the column it interacts with most; a
    non-numeric column shows its categories side by side."""
    if column not in summary["columns"]:
        return message_figure("choose a column")
    shap_values = summary["values"][:, summary["columns"].index(column)]
    numeric = summary["feature_values"].get(column)
    title = f"Dependence: {column}" + (f", coloured by {colour_by}" if colour_by else "")
    figure = base_figure(title=title, height=380, showlegend=False)
    x = numeric if numeric is not None else (summary["categories"].get(column) or [""] * len(shap_values))
    marker = _value_colours(summary["feature_values"].get(colour_by) if colour_by else None)
    hover = "%{x}: SHAP %{y:.3f}<extra></extra>"
    figure.add_scatter(x=x, y=shap_values, mode="markers", marker=marker, hovertemplate=hover)
    figure.update_xaxes(title=column, type="linear" if numeric is not None else "category")
    figure.update_yaxes(title=f"SHAP value of {column}", zeroline=True, zerolinecolor="#adb5bd")
    return figure


def _value_colours(values) -> dict:
    if values is None:
        return dict(size=5, color=NO_VALUE, opacity=0.6)
    # Ranks within the sample, ties alike (a column of mostly zeros must not look varied): 0 lowest, 1 highest.
    ranks = pd.Series(values).rank(method="average").to_numpy()
    low, high = np.nanmin(ranks, initial=np.inf), np.nanmax(ranks, initial=-np.inf)
    shares = (ranks - low) / (high - low) if high > low else np.where(np.isnan(ranks), np.nan, 0.5)
    colours = [NO_VALUE if np.isnan(r) else _blend(r) for r in shares]
    return dict(size=5, color=colours, opacity=0.75)


def _blend(share: float) -> str:
    low, high = (int(LOW_VALUE[i : i + 2], 16) for i in (1, 3, 5)), (int(HIGH_VALUE[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(a + (b - a) * share):02x}" for a, b in zip(low, high, strict=True))


def _density(values) -> np.ndarray:
    """How much a dot may spread vertically: more where many rows share a value (a beeswarm's shape)."""
    if len(values) < 2 or np.ptp(values) == 0:
        return np.ones(len(values))
    counts, edges = np.histogram(values, bins=40)
    where = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(counts) - 1)
    return counts[where] / counts.max()


def calibration_comparison_figure(rows: list[dict]) -> go.Figure:
    """Pooled reliability curves of the same run uncalibrated and recalibrated, on the same folds."""
    figure = base_figure(
        title="Calibration compared on the same folds",
        xaxis=dict(title="mean predicted probability", range=[0, 1]),
        yaxis=dict(title="observed frequency", range=[0, 1]),
        height=380,
    )
    for row in rows:
        figure.add_scatter(
            x=row["predicted"],
            y=row["observed"],
            mode="lines+markers",
            name=f"{CALIBRATION_NAMES.get(row['method'], row['method'])} (ECE {row['ece']:.3f})",
        )
    figure.add_scatter(x=[0, 1], y=[0, 1], mode="lines", line=dict(dash="dot", color="grey"), name="perfect")
    return figure


CALIBRATION_NAMES = {"none": "uncalibrated", "sigmoid": "sigmoid (Platt)", "isotonic": "isotonic"}


def tree_figure(view: dict) -> go.Figure:
    """The drawn levels of one tree, root at the top: each split's question, each node's rows and answer,
    "yes"/"no" on the branches; a node with more below it says so."""
    nodes = view["nodes"]
    children: dict[int, list[dict]] = {}
    for node in nodes:
        if node["parent"] is not None:
            children.setdefault(node["parent"], []).append(node)
    x: dict[int, float] = {}
    leaves = iter(range(len(nodes)))

    def place(node: dict) -> float:
        kids = children.get(node["id"], [])
        x[node["id"]] = sum(place(k) for k in kids) / len(kids) if kids else float(next(leaves))
        return x[node["id"]]

    place(nodes[0])
    title = f"Tree {view['tree'] + 1} of {view['trees']}, first {view['depth']} levels"
    if view["trees"] > 1:
        title += " (rows: the tree's bootstrap sample)"
    width_leaves = max(x.values()) + 1
    figure = base_figure(title=title, height=160 + 130 * (view["depth"] + 1), showlegend=False)
    edges_x, edges_y, labels = [], [], []
    for node in nodes[1:]:
        parent_x, parent_y = x[node["parent"]], -(node["depth"] - 1)
        edges_x += [parent_x, x[node["id"]], None]
        edges_y += [parent_y, -node["depth"], None]
        labels.append(((parent_x + x[node["id"]]) / 2, parent_y - 0.5, node["answer"]))
    figure.add_scatter(x=edges_x, y=edges_y, mode="lines", line=dict(color="#adb5bd"), hoverinfo="skip")
    figure.add_scatter(
        x=[p[0] for p in labels],
        y=[p[1] for p in labels],
        mode="text",
        text=[p[2] for p in labels],
        textfont=dict(size=11, color="#6c757d"),
        hoverinfo="skip",
    )
    for node in nodes:
        figure.add_annotation(
            x=x[node["id"]],
            y=-node["depth"],
            text=_node_text(node),
            showarrow=False,
            bgcolor="#f8f9fa" if node["question"] else "#e7f1ff",
            bordercolor="#adb5bd",
            borderpad=4,
            font=dict(size=11),
        )
    figure.update_xaxes(visible=False, range=[-0.7, width_leaves - 0.3])
    figure.update_yaxes(visible=False, range=[-view["depth"] - 0.5, 0.5])
    return figure


def _node_text(node: dict) -> str:
    value = node["value"]
    if "shares" in value:
        best = max(value["shares"], key=value["shares"].get)
        answer = f"{best}: {value['shares'][best]:.0%}"
    else:
        answer = f"mean {value['mean']:.4g}"
    lines = [node["question"]] if node["question"] else []
    lines.append(f"{node['rows']:,} rows · {answer}")
    if node["cut"]:
        lines.append("(more below)")
    return "<br>".join(_escape(line) for line in lines)


def _escape(text: str) -> str:
    """Plotly renders annotation text as HTML: a column or level named like a tag stays text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def interaction_figure(found: dict) -> go.Figure:
    """Mean |SHAP interaction value| between every two input columns; the diagonal is each column's main
    effect (what it contributes alone)."""
    columns = found["columns"]
    values = found["mean_abs"]
    figure = base_figure(
        title=f"Mean |SHAP interaction| between columns on {found['rows']} rows (diagonal: main effects)",
        height=max(340, 40 * len(columns) + 140),
        margin=dict(l=140, r=30, t=40, b=120),
    )
    figure.add_heatmap(
        z=values,
        x=columns,
        y=columns,
        colorscale="Blues",
        text=[[f"{v:.3f}" for v in row] for row in values],
        texttemplate="%{text}",
        hovertemplate="%{y} × %{x}: %{z:.4f}<extra></extra>",
        colorbar=dict(title="mean |value|"),
    )
    figure.update_yaxes(autorange="reversed", type="category")
    figure.update_xaxes(type="category", tickangle=-30)
    return figure
