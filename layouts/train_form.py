"""The Train form read from an address: every value checked against the dataset and defaulted, the model's
parameter controls drawn from its catalog entry, and the TrainSpec a Run would train."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.train.catalog import EstimatorSpec, estimator_spec, for_task
from dashboard.train.spec import CVSpec, TextSpec, TrainSpec
from layouts.common import query_int, query_number, services, wire_labels
from layouts.train_ids import TrainIds

DEFAULT_DATASET = "titanic"
CALIBRATION_CHOICES = ("none", "sigmoid", "isotonic")
TRAIN_OPTIONS = ("stratified", "shuffle", "importance", "stopwords")


def param_controls(spec: EstimatorSpec, values: dict[str, Any] | None = None) -> list[Any]:
    """One control per hyperparameter, built from the catalog's spec (type, range, default, help)."""
    values = values or {}
    rows = []
    for param in spec.params:
        value = values.get(param.name, param.default)
        if param.kind == "choice":
            control = dcc.Dropdown(
                id=TrainIds.param(param.name),
                value=value,
                clearable=False,
                options=[{"label": str(c), "value": c} for c in param.choices],
            )
        else:
            control = dbc.Input(
                id=TrainIds.param(param.name),
                type="number",
                value=value,
                min=param.low,
                max=param.high,
                step=1 if param.kind == "int" else "any",
                size="sm",
            )
        scale = " (log scale)" if param.log else ""
        hint = f"{param.help}; {param.low:g} to {param.high:g}{scale}" if param.low is not None else param.help
        rows.append(
            dbc.Row(
                [dbc.Label(param.name, width=5, className="small"), dbc.Col([control, dbc.FormText(hint)], width=7)],
                className="mb-1",
            )
        )
    # wired here: the model switch's callback builds these rows too, outside any page layout
    return [wire_labels(row) for row in rows] or [
        html.P("This model has no hyperparameters to tune.", className="small text-muted")
    ]


def model_options(task: str) -> list[dict[str, str]]:
    return [{"label": spec.label, "value": spec.key} for spec in for_task(task)]


def params_from_query(spec: EstimatorSpec, query: dict[str, str]) -> dict[str, Any]:
    """``p_<name>`` query values that pass the parameter's own check; the rest keep their defaults."""
    values = {}
    for param in spec.params:
        raw = query.get(f"p_{param.name}")
        if raw is None:
            continue
        try:
            values[param.name] = param.check(raw if param.kind == "choice" else float(raw))
        except (TypeError, ValueError):
            continue
    return values


@dataclass(frozen=True)
class TrainForm:
    """The Train form as the address gives it: every value checked against the dataset and defaulted."""

    dataset: str
    datasets: list[dict[str, str]]
    kinds: dict[str, str]
    target: str | None
    task: str
    features: list[str]
    left_out: Any  # the columns the defaults leave out, and why (None without a dataset)
    model_options: list[dict[str, str]]
    target_kind: str
    estimator: EstimatorSpec
    params: dict[str, Any]
    folds: int
    seed: int
    test: float
    options: list[str]
    ngram: list[int]
    analyzer: str
    calibration: str
    embedded: bool

    def spec(self) -> TrainSpec | None:
        """What Run would train, or None when the address does not describe a valid run."""
        try:
            return TrainSpec(
                dataset=self.dataset,
                target=self.target or "",
                features=tuple(self.features),
                estimator=self.estimator.key,
                params=self.params,
                task=self.task,
                text=TextSpec(
                    analyzer=self.analyzer,
                    ngram_min=self.ngram[0],
                    ngram_max=self.ngram[1],
                    stop_words="stopwords" in self.options,
                ),
                cv=CVSpec(
                    folds=self.folds,
                    seed=self.seed,
                    test_fraction=self.test,
                    stratified="stratified" in self.options,
                    shuffle="shuffle" in self.options,
                ),
                importance="importance" in self.options,
                calibration=self.calibration if self.target_kind != "regression" else "none",
            )
        except ValueError:
            return None


def read_form(
    dataset: str, target: str | None, features: str | None, model: str | None, query: dict[str, str]
) -> TrainForm:
    """The form for ``/train?<query>``: unknown datasets, columns, models and values fall back to defaults."""
    svc = services()
    if svc is not None and not svc.catalog.exists(dataset):
        dataset = DEFAULT_DATASET
    info = svc.catalog.info(dataset) if svc else None
    kinds = svc.explorer.kinds(dataset) if svc else {}
    target = target if target in kinds else (info.target if info and info.target in kinds else None)
    defaults = svc.explorer.feature_defaults(dataset, target) if svc else None
    chosen = [f for f in (features or "").split(",") if f in kinds and f != target] or (
        defaults.features if defaults else []
    )
    target_kind = "regression" if kinds.get(target) == "numeric" and info and info.task == "regression" else "binary"
    options = model_options(target_kind)
    model = model if model in {o["value"] for o in options} else options[0]["value"]
    estimator = estimator_spec(model)
    ngram_low, _, ngram_high = (query.get("ngram") or "1-2").partition("-")
    task = query.get("task", "auto")
    return TrainForm(
        dataset=dataset,
        datasets=[{"label": i.title, "value": i.id} for i in svc.catalog.list()] if svc else [],
        kinds=kinds,
        target=target,
        task=task if task in ("auto", "binary", "multiclass", "regression") else "auto",
        features=chosen,
        left_out=defaults.left_out if defaults else None,
        model_options=options,
        target_kind=target_kind,
        estimator=estimator,
        params={p.name: p.default for p in estimator.params} | params_from_query(estimator, query),
        folds=query_int(query.get("folds", "5"), 5, 2, 20),
        seed=query_int(query.get("seed", "0"), 0, 0, 2**31 - 1),
        test=query_number(query.get("test", "0"), 0, 0, 0.5),
        options=[o for o in (query.get("opts") or "").split(",") if o in TRAIN_OPTIONS],
        ngram=[query_int(ngram_low, 1, 1, 5), query_int(ngram_high, 2, 1, 5)],
        analyzer=query.get("text") if query.get("text") in ("word", "char_wb") else "word",
        calibration=query.get("calib") if query.get("calib") in CALIBRATION_CHOICES else "none",
        embedded=str(query.get("embed")) == "1",
    )
