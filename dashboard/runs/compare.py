"""Runs side by side: their metrics with the differences from the first, the parameters that differ, and
whether each can still be reopened (its dataset is there, unchanged since the run)."""

from __future__ import annotations

from typing import Any

from dashboard.errors import FieldError, ResultExpired

MIN_RUNS, MAX_RUNS = 2, 10
TIMES = ("fit_time", "score_time")


def dataset_states(rows: list[dict[str, Any]], catalog) -> list[dict[str, Any]]:
    """Each run with ``dataset_state``: ``present``, ``changed`` (its files differ from the run's) or
    ``deleted``; only a present one is ``reopenable`` (its link opens the same result)."""
    fingerprints: dict[str, str | None] = {}
    for name in {row["dataset"] for row in rows}:
        fingerprints[name] = catalog.fingerprint(name) if catalog.exists(name) else None
    annotated = []
    for row in rows:
        now = fingerprints[row["dataset"]]
        state = "deleted" if now is None else "present" if now == row["fingerprint"] else "changed"
        reopenable = state == "present" and row["status"] == "finished" and bool(row.get("link"))
        annotated.append(row | {"dataset_state": state, "reopenable": reopenable})
    return annotated


def parse_ids(text: object, field: str = "ids") -> list[int]:
    """``"3,7,12"``: 2 to 10 run ids, in the order given (the first is the one the others are measured from)."""
    if isinstance(text, str):
        parts = [p.strip() for p in text.split(",") if p.strip()]
    elif isinstance(text, list):
        parts = [str(p) for p in text]
    else:
        parts = []
    if not all(p.isascii() and p.isdigit() and 0 < len(p) <= 18 and int(p) > 0 for p in parts):
        raise FieldError(field, "give run ids as whole numbers from 1 separated by commas, such as 3,7")
    if not MIN_RUNS <= len(parts) <= MAX_RUNS:
        raise FieldError(field, f"compare {MIN_RUNS} to {MAX_RUNS} runs (got {len(parts)})")
    return [int(p) for p in parts]


def comparison(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Metrics (mean ± std per run, and each run's difference from the first) and parameters (those that
    differ, and those every run shares)."""
    if len(rows) < MIN_RUNS:
        raise FieldError("ids", f"compare at least {MIN_RUNS} runs that exist")
    names = list(dict.fromkeys(n for row in rows for n in (row.get("metrics") or {}) if n not in TIMES))
    metrics = []
    for name in names:
        means = [((row.get("metrics") or {}).get(name) or {}).get("mean") for row in rows]
        stds = [((row.get("metrics") or {}).get(name) or {}).get("std") for row in rows]
        base = means[0]
        metrics.append(
            {
                "metric": name,
                "mean": means,
                "std": stds,
                "diff": [None if m is None or base is None else m - base for m in means],
            }
        )
    spec_keys = [_flat(row.get("spec") or {}) for row in rows]
    keys = list(dict.fromkeys(k for spec in spec_keys for k in spec))
    differing, shared = [], {}
    for key in keys:
        values = [spec.get(key) for spec in spec_keys]
        if all(v == values[0] for v in values):
            shared[key] = values[0]
        else:
            differing.append({"name": key, "values": values})
    costs = [
        {"name": name, "values": [row.get(name) for row in rows]}
        for name in ("fit_seconds", "predict_ms_per_row", "rows")
    ]
    shown = ("id", "kind", "model", "dataset", "target", "status", "tags")
    return {
        "runs": [{k: row.get(k) for k in shown} for row in rows],
        "metrics": metrics,
        "costs": costs,
        "parameters": differing,
        "shared": shared,
        "same_data": len({(row["dataset"], row["fingerprint"], row.get("target")) for row in rows}) == 1,
    }


def _flat(spec: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"cv": {"folds": 5}}`` as ``{"cv.folds": 5}``; lists as text, so they compare and show."""
    flat: dict[str, Any] = {}
    for key, value in spec.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flat(value, name + "."))
        elif isinstance(value, list | tuple):
            flat[name] = ", ".join(map(str, value))
        else:
            flat[name] = value
    return flat


CURVED = ("cv", "candidate")  # kinds whose cached result holds out-of-fold predictions to draw


def curves(rows: list[dict[str, Any]], training) -> dict[str, Any]:
    """What the selected runs' out-of-fold predictions draw together, read from their cached results: each
    binary run's ROC and precision-recall curves (``curves``: (label, roc_pr_curves)), each regression
    run's residuals (``residuals``: (label, actual - predicted)). ``missing``: runs whose result is not
    cached any more (evicted, or computed where this process cannot read); ``task``: None when the runs
    are not all of one such task."""
    from dashboard.train import evaluation

    tasks = {row.get("task") for row in rows}
    task = tasks.pop() if len(tasks) == 1 and all(row.get("kind") in CURVED for row in rows) else None
    drawn: dict[str, Any] = {"task": task, "curves": [], "residuals": [], "missing": []}
    if task not in ("binary", "regression"):
        return drawn
    for row in rows:
        label = f"#{row['id']} {row.get('model') or ''}"
        try:
            result = training.result(row.get("token"))
        except ResultExpired:
            drawn["missing"].append(row["id"])
            continue
        if task == "binary":
            drawn["curves"].append((label, evaluation.roc_pr_curves(result.folds, result.classes[1])))
        else:
            drawn["residuals"].append((label, result.y - result.oof_pred))
    return drawn


def parameter_points(rows: list[dict[str, Any]], differing: list[dict[str, Any]], metric: str) -> list[dict]:
    """The runs as points of a parameter study: each run's differing parameters (``values``) and its score
    (``mean``, ``std``) on ``metric``; runs without that score are left out."""
    points = []
    for i, row in enumerate(rows):
        stats = (row.get("metrics") or {}).get(metric) or {}
        if stats.get("mean") is None:
            continue
        values = {p["name"]: p["values"][i] for p in differing}
        points.append({"id": row["id"], "values": values, "mean": stats["mean"], "std": stats.get("std") or 0.0})
    return points
