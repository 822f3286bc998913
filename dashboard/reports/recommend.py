"""A recommender view as a report: the interactions' shape (users, items, density, the long tail) and, when
it was evaluated, the held-out ranking quality of each model beside the popularity baseline, from the cached
results /recommend shows. A user's history and recommendations are about one person and stay out."""

from __future__ import annotations

from dashboard.figures.recommend import counts_histogram, long_tail_figure, metrics_figure
from dashboard.recommend.evaluation import HoldoutSpec
from dashboard.recommend.interactions import Mapping
from dashboard.recommend.models import RecSpec
from dashboard.recommend.service import RecommendService
from dashboard.reports.html import Section

METRICS = (("precision", "P@k"), ("recall", "R@k"), ("ndcg", "NDCG@k"), ("map", "MAP@k"), ("coverage", "coverage"))


def recommend_sections(
    recommend: RecommendService, mapping: Mapping, specs: list[RecSpec], holdout: HoldoutSpec
) -> tuple[str, dict[str, str], list[Section]]:
    stats = recommend.stats(mapping)
    shape = [
        ["users", f"{stats['users']:,}"],
        ["items", f"{stats['items']:,}"],
        ["interactions", f"{stats['interactions']:,}"],
        ["density", f"{stats['density']:.3%}"],
        ["feedback", "explicit ratings" if stats["explicit"] else "implicit counts"],
        ["median per user / per item", f"{stats['median_per_user']:g} / {stats['median_per_item']:g}"],
    ]
    sections = [
        Section(
            "Interactions",
            table=(["", ""], shape),
            note="A user's history and recommendations are about one person: the page shows them, this file does not.",
        ),
        Section(
            "Who interacts, and with what",
            [
                counts_histogram(stats["per_user"], "user"),
                counts_histogram(stats["per_item"], "item"),
                long_tail_figure(stats["long_tail"], stats["head_items"]),
            ],
        ),
    ]
    result = recommend.cached_evaluation(mapping, specs, holdout)
    if result is None:
        sections.append(Section("Held-out evaluation", note="Not evaluated yet for these models and this hold-out."))
    else:
        k = holdout.k
        header = ["model", *[label.replace("@k", f"@{k}") for _, label in METRICS], "fit s"]
        rows = [[r["model"], *[_number(r.get(m)) for m, _ in METRICS], f"{r['fit_seconds']:.2f}"] for r in result.rows]
        note = " ".join(
            [
                f"{result.users:,} users evaluated, {holdout.n} interactions held out each ({holdout.method}).",
                *result.notes,
            ]
        )
        sections.append(
            Section("Held-out evaluation", [metrics_figure(result.rows, k)], table=(header, rows), note=note)
        )
    source = {
        "dataset": f"{mapping.dataset} (sha256 {recommend.catalog.fingerprint(mapping.dataset)[:16]}…)",
        "mapping": f"user {mapping.user}, item {mapping.item}, value {mapping.value or '(each row counts 1)'}",
    }
    return f"Recommendations on {mapping.dataset}", source, sections


def _number(value) -> str:
    return "–" if value is None else f"{value:.4f}"
