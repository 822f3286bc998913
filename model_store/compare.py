"""Side-by-side comparison of two model cards: metric deltas, schema and parameter differences."""

from __future__ import annotations

from typing import Any


def compare_cards(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """What changed from card ``a`` to card ``b``."""
    metrics = []
    for name in sorted(set(a.get("metrics", {})) | set(b.get("metrics", {}))):
        left, right = a.get("metrics", {}).get(name), b.get("metrics", {}).get(name)
        delta = right - left if isinstance(left, int | float) and isinstance(right, int | float) else None
        metrics.append({"metric": name, "a": left, "b": right, "delta": delta})
    fields_a = {f["name"]: f for f in a["schema"]["fields"]}
    fields_b = {f["name"]: f for f in b["schema"]["fields"]}
    changed = []
    for name in sorted(set(fields_a) & set(fields_b)):
        diffs = {
            k: (fields_a[name].get(k), fields_b[name].get(k))
            for k in ("kind", "nullable", "categories", "min", "max")
            if fields_a[name].get(k) != fields_b[name].get(k)
        }
        if diffs:
            changed.append({"field": name, "changes": diffs})
    params_a, params_b = a.get("params", {}), b.get("params", {})
    params = [
        {"param": k, "a": params_a.get(k), "b": params_b.get(k)}
        for k in sorted(set(params_a) | set(params_b))
        if params_a.get(k) != params_b.get(k)
    ]
    return {
        "metrics": metrics,
        "schema": {
            "added": sorted(set(fields_b) - set(fields_a)),
            "removed": sorted(set(fields_a) - set(fields_b)),
            "changed": changed,
        },
        "params": params,
        "estimator": (a.get("estimator"), b.get("estimator")),
        "dataset": (a.get("dataset", {}).get("fingerprint"), b.get("dataset", {}).get("fingerprint")),
    }
