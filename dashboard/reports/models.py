"""A stored model version's card as a report: what it predicts and from what, whether it answers requests
that name no version, its metrics (held-out, or cross-validated and said so), its input schema and parameters,
the artifact's hash, and its monitoring: every evaluation on data seen after training. Nothing of the training
rows: the card holds aggregates and the schema's ranges and categories, as the page shows them."""

from __future__ import annotations

import json
from typing import Any

from dashboard.reports.html import Section
from model_store import ModelStore


def model_sections(
    store: ModelStore, name: str, version: int | str | None
) -> tuple[str, dict[str, str], list[Section]]:
    """ModelNotFoundError / InvalidModelNameError when the model or version is not stored."""
    card = store.card(name, version)
    default = store.choose(name)
    dataset = card.get("dataset", {})
    answers = (
        f"answers requests that name no version ({default.reason})"
        if default.version == card["version"]
        else f"requests that name no version get v{default.version} ({default.reason})"
    )
    facts = [
        ["task", card["task"]],
        ["target", card.get("target") or "—"],
        ["estimator", card.get("estimator") or "—"],
        ["aliases", ", ".join(card.get("aliases", [])) or "—"],
        ["by default", answers],
        ["created", card["created_at"]],
    ]
    sections = [Section("This version", table=(["", ""], facts), note=card.get("description") or None)]
    sections += _metrics(card)
    sections.append(
        Section(
            "Input schema",
            table=(
                ["field", "kind", "may be missing", "categories / range"],
                [
                    [
                        f["name"],
                        f["kind"],
                        "yes" if f.get("nullable") else "no",
                        ", ".join(f.get("categories", [])[:8])
                        or (f"{f['min']:g} to {f['max']:g}" if f.get("min") is not None else ""),
                    ]
                    for f in card["schema"]["fields"]
                ],
            ),
        )
    )
    params = [[n, _value(v)] for n, v in sorted(card.get("params", {}).items())]
    sections.append(Section("Parameters", table=(["parameter", "value"], params)))
    sections.append(_monitoring(store.evaluations(name, card["version"])))
    source = {
        "model": f"{card['name']} v{card['version']}",
        "trained on": f"{dataset.get('id', '?')} ({dataset.get('rows', '?')} rows, sha256 "
        f"{str(dataset.get('fingerprint', ''))[:16]}…)",
        "artifact": f"sha256 {card['artifact']['sha256']} ({card['artifact']['bytes']:,} bytes)",
        "libraries": ", ".join(f"{k} {v}" for k, v in card.get("library_versions", {}).items()),
    }
    return f"{card['name']} v{card['version']}: model card", source, sections


def _metrics(card: dict[str, Any]) -> list[Section]:
    held_out = card.get("holdout_metrics") or {}
    cv_scores = card.get("cv", {}).get("scores", {})
    sections = []
    if held_out:
        sections.append(
            Section("Held-out test set", table=(["metric", "value"], [[k, _value(v)] for k, v in held_out.items()]))
        )
    if cv_scores:
        rows = [[k, _value(v.get("mean")), _value(v.get("std"))] for k, v in cv_scores.items()]
        title = "Cross-validated" + ("" if held_out else " (no held-out set)")
        sections.append(Section(title, table=(["metric", "mean over folds", "std"], rows)))
    elif card.get("metrics"):
        sections.append(
            Section("Metrics", table=(["metric", "value"], [[k, _value(v)] for k, v in card["metrics"].items()]))
        )
    return sections


def _monitoring(history: list[dict[str, Any]]) -> Section:
    if not history:
        return Section("Monitoring", note="No evaluation on data seen after training yet.")
    metrics = sorted({m for h in history for m in h.get("metrics", {})})
    rows = [
        [h["evaluated_at"], h["source"]["label"], f"{h['rows']:,}", *[_value(h["metrics"].get(m)) for m in metrics]]
        for h in reversed(history)
    ]
    return Section("Monitoring: evaluations, newest first", table=(["evaluated at", "data", "rows", *metrics], rows))


def _value(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, list | dict):
        return json.dumps(value)[:120]
    return str(value)
