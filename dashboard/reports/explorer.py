"""An explorer view as a report: the overview, the column profiles, the chosen distribution, the scatter as a
density of rows per cell, and the correlations, read from the same cached summaries the /data page shows.
Everything is an aggregate (counts, statistics, correlations): no row of the dataset is in the file, whatever
its size (a 1,000,000-row dataset's view is as small as a 1,000-row one's)."""

from __future__ import annotations

from typing import Any

from dashboard.data.explorer import VIEW_KEYS, ExplorerService, resolve_view
from dashboard.data.profile import profile_rows
from dashboard.figures.explorer import correlation_figure, density_figure, distribution_figure
from dashboard.reports.html import Section

PROFILE_COLUMNS = ("column", "kind", "missing_pct", "distinct", "min", "max", "mean", "std")
ROW_LEVEL_KINDS = ("id", "text")  # their values name rows (a passenger's name, a ticket's number)
MIN_SHOWN_COUNT = 5  # a value fewer rows share than this can single out a row: not shown as a top value


def explorer_sections(
    explorer: ExplorerService, dataset_id: str, requested: dict[str, str | None]
) -> tuple[str, dict[str, str], list[Section]]:
    """(title, source facts, sections) of the /data view a permalink names; DatasetNotFoundError if gone."""
    catalog = explorer.catalog
    info = catalog.info(dataset_id)
    summary = explorer.summary(dataset_id)
    view = resolve_view(summary["profiles"], info.target, {k: requested.get(k) for k in VIEW_KEYS})
    overview = summary["overview"]
    sections = [
        Section(
            "Overview",
            table=(
                ["rows", "columns", "missing cells", "duplicate rows"],
                [
                    [
                        f"{overview['rows']:,}",
                        f"{overview['columns']:,}",
                        f"{overview['missing_pct']:.1f} %",
                        f"{overview['duplicate_rows']:,}",
                    ]
                ],
            ),
            note=f"{info.description} Target: {info.target or '—'}.",
        ),
        Section(
            "Columns",
            table=(
                ["column", "kind", "missing %", "distinct", "min", "max", "mean", "std", "top values"],
                [
                    [*(_cell(row[k]) for k in PROFILE_COLUMNS), _top_values(profile)]
                    for row, profile in zip(profile_rows(summary["profiles"]), summary["profiles"], strict=True)
                ],
            ),
            note=f"Top values are shown when at least {MIN_SHOWN_COUNT} rows share them, and never for identifier "
            "or free-text columns: a report carries no value that singles out a row.",
        ),
    ]
    kinds = {p["column"]: p["kind"] for p in summary["profiles"]}
    if view["column"] and kinds[view["column"]] in ROW_LEVEL_KINDS:
        sections.append(Section(f"Distribution of {view['column']}", note="Not exported: its values name rows."))
    elif view["column"]:
        split = f", split by {view['split']}" if view["split"] else ""
        distribution = explorer.distribution(dataset_id, view["column"], view["split"])
        sections.append(Section(f"Distribution of {view['column']}{split}", [distribution_figure(distribution)]))
    if view["x"] and view["y"]:
        density = explorer.density(dataset_id, view["x"], view["y"])
        note = f"Rows per cell of a 50 × 50 grid, {density['total']:,} rows." if "total" in density else None
        sections.append(Section(f"{view['y']} against {view['x']}", [density_figure(density)], note=note))
    sections.append(_correlations(explorer.correlations(dataset_id, view["column"])))
    source = {
        "dataset": f"{info.title} ({dataset_id}, sha256 {catalog.fingerprint(dataset_id)[:16]}…)",
        "source": f"{info.source} (licence: {info.licence})" if info.licence else str(info.source),
    }
    return f"{info.title}: explore", source, sections


def _correlations(corr: dict[str, Any]) -> Section:
    notes = []
    if corr.get("left_out"):
        notes.append(f"Left out (identifiers or row numbers): {', '.join(corr['left_out'])}.")
    if corr.get("sampled_rows"):
        notes.append(f"Computed on a seeded sample of {corr['sampled_rows']:,} rows.")
    table = None
    if corr.get("focus") and corr.get("pairs"):
        table = (["column", "column", "r"], [[a, b, f"{r:+.3f}"] for a, b, r in corr["pairs"]])
    return Section(
        "Correlations (Pearson, numeric columns)",
        [correlation_figure(corr)],
        table=table,
        note=" ".join(notes) or None,
    )


def _top_values(profile: dict[str, Any]) -> str:
    if profile["kind"] in ROW_LEVEL_KINDS:
        return "–"
    shared = [(value, count) for value, count in profile.get("top_values", [])[:3] if count >= MIN_SHOWN_COUNT]
    return ", ".join(f"{value} ({count:,})" for value, count in shared) or "–"


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
