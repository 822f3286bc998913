"""Runs side by side: their metrics with the differences from the first, the parameters that differ, and
whether each can still be reopened (its dataset is there, unchanged since the run)."""

from __future__ import annotations

from typing import Any

from dashboard.errors import FieldError

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
