"""A clustering as a report: its scores, sizes, the profile of feature means per cluster, the silhouettes and
the top categories, from the cached result /clusters shows. Aggregates only: the projection (each row's
coordinates) and the dendrogram's leaves are rows, and stay out."""

from __future__ import annotations

from dashboard.clusters.clustering import ClusterSpec
from dashboard.clusters.service import ClusterService
from dashboard.errors import ResultExpired
from dashboard.figures.clusters import profile_figure, silhouette_figure, sizes_figure
from dashboard.reports.html import Section

SCORES = {
    "silhouette": "silhouette",
    "davies_bouldin": "Davies-Bouldin",
    "calinski_harabasz": "Calinski-Harabasz",
    "inertia": "inertia",
    "ari": "adjusted Rand vs labels",
}


def cluster_sections(clusters: ClusterService, spec: ClusterSpec) -> tuple[str, dict[str, str], list[Section]]:
    token = clusters.cached_token(spec)
    if token is None:
        raise ResultExpired("this clustering has not been computed yet: open it in the dashboard and run it")
    result = clusters.result(token)
    found = len([c for c in result.sizes if c >= 0])
    scores = [
        [label, f"{result.scores[name]:.4g}"] for name, label in SCORES.items() if result.scores.get(name) is not None
    ]
    sections = [
        Section(
            f"{result.algorithm}: {found} clusters",
            table=(["score", "value"], scores),
            note=" ".join(result.notices) or None,
        ),
        Section("Sizes and profiles", [sizes_figure(result.sizes, result.names), profile_figure(result.profile)]),
        Section("Silhouettes", [silhouette_figure(result.silhouette)]),
    ]
    top = result.profile.get("top_categories") or {}
    if top:
        rows = [
            [
                f"{c}: {result.names.get(c, '')}",
                *[", ".join(f"{v} {s:.0%}" for v, s in top[col].get(c, [])) for col in top],
            ]
            for c in result.profile["clusters"]
        ]
        sections.append(Section("Top categories per cluster", table=(["cluster", *top], rows)))
    source = {
        "dataset": f"{spec.dataset} (sha256 {clusters.catalog.fingerprint(spec.dataset)[:16]}…)",
        "features": ", ".join(spec.features),
        "preparation": f"scale {spec.scale}" + (f", log(1 + x) of {', '.join(spec.log)}" if spec.log else ""),
    }
    return f"Clusters of {spec.dataset}: {result.algorithm}", source, sections
