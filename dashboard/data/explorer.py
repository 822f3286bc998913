"""Explorer service: dataset summaries, distributions, correlations, scatter samples and grid pages,
memoized on disk by (dataset fingerprint, parameters, code version)."""

from __future__ import annotations

from typing import Any

from dashboard.data import defaults, grid, profile
from dashboard.data.catalog import Catalog
from dashboard.data.columns import infer_task
from dashboard.errors import FieldError
from dashboard.jobs.layer import Memo
from model_store.lazy import lazy_module

pd = lazy_module("pandas")


class ExplorerService:
    def __init__(self, catalog: Catalog, memo: Memo, *, point_budget: int) -> None:
        self.catalog = catalog
        self.memo = memo
        self.point_budget = point_budget

    def _cached(self, namespace: str, dataset_id: str, params: tuple, compute) -> Any:
        fingerprint = self.catalog.fingerprint(dataset_id)
        return self.memo.get_or_compute(
            namespace, (fingerprint, *params), lambda: compute(self.catalog.load(dataset_id))
        )

    def summary(self, dataset_id: str) -> dict[str, Any]:
        """Overview and per-column profiles (kinds, missing, distinct, stats, top values)."""
        return self._cached(
            "explorer.summary",
            dataset_id,
            (),
            profile.summarize,
        )

    def kinds(self, dataset_id: str) -> dict[str, str]:
        return {p["column"]: p["kind"] for p in self.summary(dataset_id)["profiles"]}

    def feature_defaults(self, dataset_id: str, target: str | None) -> defaults.FeatureDefaults:
        """The columns Train (with ``target``) and Clusters (no target) start from, and why the others are
        left out: identifiers, dates, many-level categories, recodings of the target (cached)."""
        summary = self.summary(dataset_id)
        kinds = {p["column"]: p["kind"] for p in summary["profiles"]}
        target = target if target in kinds else None
        return self._cached(
            "explorer.defaults",
            dataset_id,
            (target,),
            lambda frame: defaults.feature_defaults(
                frame, summary["profiles"], target, self._task_hint(frame, target, kinds.get(target, ""))
            ),
        )

    @staticmethod
    def _task_hint(frame: pd.DataFrame, target: str | None, kind: str) -> str | None:
        """The target's task as Train infers it on its defaults."""
        return None if target is None else infer_task(frame[target].dropna(), kind)

    def default_features(self, dataset_id: str, target: str | None) -> list[str]:
        return self.feature_defaults(dataset_id, target).features

    def identifiers(self, dataset_id: str) -> dict[str, str]:
        """Columns that identify rows (ids, row numbers, names unique per row), with the reason."""
        return self._cached(
            "explorer.identifiers",
            dataset_id,
            (),
            lambda frame: defaults.identifier_columns(frame, self.summary(dataset_id)["profiles"]),
        )

    def distribution(self, dataset_id: str, column: str, split: str | None) -> dict[str, Any]:
        kinds = self.kinds(dataset_id)
        if column not in kinds:
            raise FieldError("column", f"{column!r} is not in dataset {dataset_id!r}")
        split = split if split in kinds and split != column else None
        return self._cached(
            "explorer.distribution",
            dataset_id,
            (column, split),
            lambda frame: profile.distribution(frame, column, split, kinds[column]),
        )

    def correlations(self, dataset_id: str, focus: str | None = None) -> dict[str, Any]:
        """Pearson correlations; for a wide dataset the strongest pairs and the columns nearest ``focus``
        (else its target)."""
        target = self.catalog.info(dataset_id).target
        profiles = self.summary(dataset_id)["profiles"]
        numbers = sum(profile.is_number_dtype(p["dtype"]) for p in profiles)
        # Only a wide dataset's view depends on the column looked at (and only on a numeric one): a narrow
        # dataset's full matrix is computed and cached once, a wide one's once per column looked at.
        numeric_focus = any(p["column"] == focus and p["kind"] == "numeric" for p in profiles)
        if numbers <= profile.CORRELATION_COLUMNS or not numeric_focus:
            focus = None
        return self._cached(
            "explorer.correlations",
            dataset_id,
            (target, focus),
            lambda frame: profile.correlations(frame, target, focus=focus, exclude=tuple(self.identifiers(dataset_id))),
        )

    def scatter(self, dataset_id: str, x: str, y: str, color: str | None) -> dict[str, Any]:
        kinds = self.kinds(dataset_id)
        for field, column in (("x", x), ("y", y)):
            if column not in kinds:
                raise FieldError(field, f"{column!r} is not in dataset {dataset_id!r}")
        color = color if color in kinds else None
        return self._cached(
            "explorer.scatter",
            dataset_id,
            (x, y, color, self.point_budget),
            lambda frame: profile.scatter_sample(frame, x, y, color, self.point_budget),
        )

    def density(self, dataset_id: str, x: str, y: str) -> dict[str, Any]:
        """The scatter of ``x`` and ``y`` as counts per grid cell (reports: aggregates, never rows)."""
        kinds = self.kinds(dataset_id)
        for field, column in (("x", x), ("y", y)):
            if column not in kinds:
                raise FieldError(field, f"{column!r} is not in dataset {dataset_id!r}")
        return self._cached("explorer.density", dataset_id, (x, y), lambda frame: profile.scatter_density(frame, x, y))

    def profile_page(self, dataset_id: str, request: dict[str, Any]) -> dict[str, Any]:
        """One page of the profile grid's rows (one row per column), sorted and filtered as asked."""
        rows = pd.DataFrame(profile.profile_rows(self.summary(dataset_id)["profiles"]))
        return _page(rows, request)

    def rows(self, dataset_id: str, request: dict[str, Any]) -> dict[str, Any]:
        """One page of rows for the grid; never memoized (pages are cheap, requests are many)."""
        return _page(self.catalog.load(dataset_id), request)


def _page(frame: pd.DataFrame, request: dict[str, Any]) -> dict[str, Any]:
    return grid.rows_page(
        frame,
        request.get("startRow", 0),
        request.get("endRow", 100),
        request.get("sortModel"),
        request.get("filterModel"),
    )


VIEW_KEYS = ("column", "split", "x", "y", "color")


def resolve_view(profiles: list[dict], target: str | None, requested: dict[str, str | None]) -> dict[str, str | None]:
    """The explorer view for a dataset: the ``requested`` columns where they exist, else sensible defaults.

    Requested values come from a permalink; when its ``column`` is valid the link is taken as
    complete (an absent split/colour means "none"), otherwise every choice falls back to defaults.
    """
    kinds = {p["column"]: p["kind"] for p in profiles}
    distinct = {p["column"]: p["distinct"] for p in profiles}
    numeric = [c for c, k in kinds.items() if k == "numeric"]
    groupable = [c for c, k in kinds.items() if k in ("categorical", "boolean") and distinct[c] <= 12]
    target = target if target in kinds else None
    split_default = target if target in groupable else None
    if requested.get("column") in kinds:
        view = {key: requested.get(key) if requested.get(key) in kinds else None for key in VIEW_KEYS}
    else:
        useful = [c for c, k in kinds.items() if k not in ("id", "text") and c != target]
        column = useful[0] if useful else (target or next(iter(kinds), None))
        split = split_default if split_default != column else None
        view = {"column": column, "split": split, "x": None, "y": None, "color": split_default}
    # Prefer continuous columns (many distinct values) for the scatter axes.
    continuous = sorted((c for c in numeric if c != target), key=lambda c: distinct[c] <= 20)
    pair = continuous[:2] or numeric[:2] or list(kinds)[:2]
    view["x"] = view["x"] if view.get("x") in kinds else (pair[0] if pair else None)
    view["y"] = view["y"] if view.get("y") in kinds else (pair[-1] if pair else None)
    return view
