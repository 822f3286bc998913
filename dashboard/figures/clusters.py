"""Figures for the Clusters page: the choose-k sweep, projection, silhouettes, sizes, profiles,
dendrogram and k-distance."""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go

from dashboard.figures.base import add_points, base_figure, message_figure


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
    figure = base_figure(
        title=f"PCA projection{note}",
        xaxis=dict(title=f"PC1 ({explained[0]:.0%})"),
        yaxis=dict(title=f"PC2 ({explained[1]:.0%})"),
        height=420,
    )
    labels = projection["label"]
    for cluster in sorted(set(labels.tolist())):
        mask = labels == cluster
        add_points(
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
    figure = base_figure(
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
    figure = base_figure(
        title="Cluster sizes",
        xaxis=dict(title="rows"),
        yaxis=dict(automargin=True),  # as wide as the cluster names need
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
    figure = base_figure(
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
    figure = base_figure(
        title="Dendrogram (sample)", xaxis=dict(showticklabels=False), yaxis=dict(title="distance"), height=360
    )
    for xs, ys in zip(tree["icoord"], tree["dcoord"], strict=True):
        figure.add_scatter(x=xs, y=ys, mode="lines", line=dict(color="#4c72b0", width=1), showlegend=False)
    if cut is not None:
        figure.add_hline(y=cut, line_dash="dot", line_color="crimson")
    return figure


def k_distance_figure(curve: dict, min_samples: int) -> go.Figure:
    distances = curve["distance"]
    figure = base_figure(
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
