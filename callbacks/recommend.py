"""Recommend page callbacks: the mapping drives the data view; evaluation and save run in the background
(evaluation with progress and cancel); Explore answers in the web process from the in-memory model and
fits in the background only when the model is not fitted yet; every result comes from the cached service."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import Input, Output, State, html, no_update
from dash.exceptions import PreventUpdate
from pydantic import ValidationError

from callbacks.widgets import QueryField, background_run, bind_export_link, bind_permalink
from dashboard.errors import FieldError
from dashboard.figures.base import message_figure
from dashboard.figures.recommend import counts_histogram, long_tail_figure, metrics_figure
from dashboard.recommend.evaluation import HoldoutSpec
from dashboard.recommend.interactions import Mapping, guess_mapping
from dashboard.recommend.models import KINDS, RecSpec
from dashboard.services import Services
from layouts.common import alert, error_alert
from layouts.recommend import PARAMS, ROLES
from layouts.recommend_ids import RecommendIds
from layouts.recommend_views import eval_table, explore_view, stats_view

MAPPING = (
    Input(RecommendIds.DATASET_DROPDOWN, "value"),
    *[Input(component, "value") for _, component, _ in ROLES],
    Input(RecommendIds.FEEDBACK_RADIO, "value"),
)
MAPPING_STATES = tuple(State(i.component_id, i.component_property) for i in MAPPING)
SPEC_STATES = (State(RecommendIds.MODEL_RADIO, "value"), *[State(p[1], "value") for p in PARAMS])
HOLDOUT_STATES = (
    State(RecommendIds.EVAL_MODELS_CHECKLIST, "value"),
    State(RecommendIds.HOLDOUT_RADIO, "value"),
    State(RecommendIds.HOLDOUT_N_INPUT, "value"),
    State(RecommendIds.K_INPUT, "value"),
    State(RecommendIds.RELEVANT_INPUT, "value"),
    State(RecommendIds.SEED_INPUT, "value"),
)


def split_controls(controls: tuple) -> tuple[tuple, tuple, tuple]:
    """Values passed as MAPPING_STATES, SPEC_STATES and HOLDOUT_STATES (the last may be absent), apart."""
    mapped, spec = len(MAPPING_STATES), len(MAPPING_STATES) + len(SPEC_STATES)
    return controls[:mapped], controls[mapped:spec], controls[spec:]


def _checked(build, **values):
    """Build a pydantic spec; its first complaint becomes a FieldError naming the control."""
    try:
        return build(**values)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise FieldError(".".join(str(p) for p in error["loc"]) or "spec", error["msg"]) from None


def mapping_from_controls(dataset, user, item, value, timestamp, title, genres, feedback) -> Mapping:
    if not user:
        raise FieldError("user", "choose the column that holds the user")
    if not item:
        raise FieldError("item", "choose the column that holds the item")
    roles = dict(user=user, item=item, value=value, timestamp=timestamp, title=title, genres=genres)
    return _checked(Mapping, dataset=dataset or "", feedback=feedback or "auto", **roles)


def spec_from_controls(kind, *params) -> RecSpec:
    values = {name: value for (name, *_), value in zip(PARAMS, params, strict=True)}
    for name, value in values.items():
        if value is None:
            raise FieldError(name, "enter a number in the allowed range")
    return _checked(RecSpec, kind=kind or "item_knn", **values)


def holdout_from_controls(spec: RecSpec, models, method, n, k, relevant, seed) -> tuple[list[RecSpec], HoldoutSpec]:
    """The models to evaluate (with the page's parameters) and the holdout."""
    for name, value in (("n", n), ("k", k)):
        if value is None:
            raise FieldError(name, "enter a whole number from 1 to 100")
    holdout = _checked(HoldoutSpec, method=method or "last", n=n, k=k, relevant_from=relevant, seed=seed or 0)
    return [spec.model_copy(update={"kind": m}) for m in (models or []) if m in KINDS], holdout


def register(app, services: Services) -> None:
    recommend = services.recommend

    @app.callback(
        *[Output(component, "options") for _, component, _ in ROLES],
        *[Output(component, "value") for _, component, _ in ROLES],
        Input(RecommendIds.DATASET_DROPDOWN, "value"),
        prevent_initial_call=True,
    )
    def choose_dataset(dataset):
        if not services.catalog.exists(dataset):
            raise PreventUpdate
        columns = list(services.explorer.kinds(dataset))
        guess = guess_mapping(columns)
        return [columns] * len(ROLES) + [guess[role] for role, _, _ in ROLES]

    @app.callback(
        Output(RecommendIds.STATS, "children"),
        Output(RecommendIds.USER_HISTOGRAM, "figure"),
        Output(RecommendIds.ITEM_HISTOGRAM, "figure"),
        Output(RecommendIds.LONG_TAIL_GRAPH, "figure"),
        *MAPPING,
    )
    def show_data(*controls):
        try:
            stats = recommend.stats(mapping_from_controls(*controls))
        except Exception as exc:  # named errors are shown as they are, any other only logged
            message = message_figure("Fix the mapping to see the data")
            return error_alert(exc), message, message, message
        return (
            stats_view(stats),
            counts_histogram(stats["per_user"], "user"),
            counts_histogram(stats["per_item"], "item"),
            long_tail_figure(stats["long_tail"], stats["head_items"]),
        )

    @app.callback(
        Output(RecommendIds.EVAL_TABLE, "children"),
        Output(RecommendIds.EVAL_GRAPH, "figure"),
        Input(RecommendIds.EVAL_BUTTON, "n_clicks"),
        *MAPPING_STATES,
        *SPEC_STATES,
        *HOLDOUT_STATES,
        **background_run(
            RecommendIds.EVAL_BUTTON,
            RecommendIds.EVAL_CANCEL_BUTTON,
            progress=[Output(RecommendIds.EVAL_TABLE, "children"), Output(RecommendIds.EVAL_PROGRESS, "value")],
        ),
        prevent_initial_call=True,
    )
    def evaluate(set_progress, _clicks, *controls):
        try:
            mapped, spec, held = split_controls(controls)
            mapping = mapping_from_controls(*mapped)
            specs, holdout = holdout_from_controls(spec_from_controls(*spec), *held)
            total = 1 + len({s.kind for s in specs} - {"popularity"})
            result, cached = recommend.evaluate(
                mapping,
                specs,
                holdout,
                on_model=lambda partial, done: set_progress((eval_table(partial, holdout.k), 100 * done // total)),
            )
        except Exception as exc:  # named errors are shown as they are, any other only logged
            return error_alert(exc), message_figure("No evaluation")
        table = eval_table(result, holdout.k)
        if cached:
            table.children.insert(0, alert("Identical evaluation found in the cache: nothing was fitted.", "info"))
        return table, metrics_figure(result.rows, holdout.k)

    @app.callback(
        Output(RecommendIds.EXPLORE_RESULT, "children"),
        Output(RecommendIds.FIT_REQUEST_STORE, "data"),
        Input(RecommendIds.EXPLORE_BUTTON, "n_clicks"),
        State(RecommendIds.EXPLORE_USER_INPUT, "value"),
        State(RecommendIds.EXPLORE_ITEM_INPUT, "value"),
        State(RecommendIds.COMPARE_DROPDOWN, "value"),
        State(RecommendIds.K_INPUT, "value"),
        *MAPPING_STATES,
        *SPEC_STATES,
        prevent_initial_call=True,
    )
    def explore(clicks, user, item, compare, k, *controls):
        """Answers in the web process (milliseconds, from the in-memory model); a query whose model is
        not fitted yet goes to ``fit_and_explore`` in the background instead."""
        try:
            query = explore_query(user, item, compare, k, *controls)
            missing = [s for s in query.specs if recommend.cached_model(query.mapping, s) is None]
            if missing:
                notice = alert(f"Fitting {', '.join(m.label for m in missing)} on every interaction…", "info")
                return notice, {"clicks": clicks, "controls": [user, item, compare, k, *controls]}
            return query_explore(recommend, query), no_update
        except Exception as exc:  # named errors are shown as they are, any other only logged
            return error_alert(exc, "warning" if isinstance(exc, EmptyQuery) else "danger"), no_update

    @app.callback(
        Output(RecommendIds.EXPLORE_RESULT, "children", allow_duplicate=True),
        Input(RecommendIds.FIT_REQUEST_STORE, "data"),
        **background_run(RecommendIds.EXPLORE_BUTTON),  # fitting takes seconds; queries on a fitted model do not
        prevent_initial_call=True,
    )
    def fit_and_explore(request):
        if not request:
            raise PreventUpdate
        try:
            query = explore_query(*request["controls"])
            for spec in query.specs:
                recommend.model(query.mapping, spec)
            return query_explore(recommend, query)
        except Exception as exc:  # named errors are shown as they are, any other only logged
            return error_alert(exc)

    @app.callback(
        Output(RecommendIds.SAVE_ALERT, "children"),
        Input(RecommendIds.SAVE_BUTTON, "n_clicks"),
        State(RecommendIds.SAVE_NAME_INPUT, "value"),
        *MAPPING_STATES,
        *SPEC_STATES,
        *HOLDOUT_STATES,
        **background_run(RecommendIds.SAVE_BUTTON),  # fits the model when it is not cached yet
        prevent_initial_call=True,
    )
    def save(_clicks, name, *controls):
        try:
            mapped, chosen, held = split_controls(controls)
            mapping, spec = mapping_from_controls(*mapped), spec_from_controls(*chosen)
            specs, holdout = holdout_from_controls(spec, *held)
            metrics = held_out_metrics(recommend.cached_evaluation(mapping, specs, holdout), spec, holdout.k)
            version = recommend.save(mapping, spec, (name or "").strip(), metrics=metrics)
        except Exception as exc:  # named errors are shown as they are, any other only logged
            return error_alert(exc)
        link = "/predict?" + urlencode({"model": version.name, "version": version.version})
        return dbc.Alert(
            [
                f"Saved {version.name} v{version.version}. ",
                html.A("Query it in Predict", href=link, id=RecommendIds.OPEN_PREDICT_LINK),
            ],
            color="success",
            className="py-2 small",
        )

    optional = {"value", "timestamp", "title", "genres"}  # "-": deliberately none, not the guess
    bind_permalink(
        app,
        RecommendIds.PERMALINK_LINK,
        [
            QueryField("dataset", RecommendIds.DATASET_DROPDOWN),
            *(QueryField(role, component, empty="-" if role in optional else None) for role, component, _ in ROLES),
            QueryField("feedback", RecommendIds.FEEDBACK_RADIO),
            QueryField("model", RecommendIds.MODEL_RADIO),
            *(QueryField(name, component) for name, component, *_ in PARAMS),
            QueryField("models", RecommendIds.EVAL_MODELS_CHECKLIST),
            QueryField("holdout", RecommendIds.HOLDOUT_RADIO),
            QueryField("n", RecommendIds.HOLDOUT_N_INPUT),
            QueryField("k", RecommendIds.K_INPUT),
            QueryField("relevant", RecommendIds.RELEVANT_INPUT),
            QueryField("seed", RecommendIds.SEED_INPUT),
            QueryField("uid", RecommendIds.EXPLORE_USER_INPUT),
            QueryField("iid", RecommendIds.EXPLORE_ITEM_INPUT),
            QueryField("compare", RecommendIds.COMPARE_DROPDOWN),
            QueryField("view", RecommendIds.TABS, "active_tab"),
        ],
    )
    bind_export_link(app, RecommendIds.EXPORT_LINK, RecommendIds.PERMALINK_LINK)


class EmptyQuery(FieldError):
    """Neither a user nor an item was entered."""


@dataclass(frozen=True)
class ExploreQuery:
    mapping: Mapping
    spec: RecSpec
    second: RecSpec | None  # a second model for the same user (comparison)
    user: str
    item: str
    k: int

    @property
    def specs(self) -> list[RecSpec]:
        return [s for s in (self.spec, self.second) if s is not None]


def explore_query(user, item, compare, k, *controls) -> ExploreQuery:
    user, item = (user or "").strip(), (item or "").strip()
    if not user and not item:
        raise EmptyQuery("user", "enter a user id (top-N) or an item id (similar items)")
    mapped, chosen, _ = split_controls(controls)
    mapping, spec = mapping_from_controls(*mapped), spec_from_controls(*chosen)
    # the second model takes the page's parameters too, as in the evaluation
    wanted = user and compare in KINDS and compare != spec.kind
    second = spec.model_copy(update={"kind": compare}) if wanted else None
    return ExploreQuery(mapping, spec, second, user, item, k or 10)


def query_explore(recommend, query: ExploreQuery):
    """Top-N (and the comparison) for a user, similar items for an item, as the Explore view."""
    mapping, spec, second, k = query.mapping, query.spec, query.second, query.k
    compared = recommend.compare(mapping, spec, second, query.user, k) if second else None
    if compared is not None:
        answer = compared["first"]  # the same list: not recomputed
    else:
        answer = recommend.recommend(mapping, spec, query.user, k) if query.user else None
    similar = recommend.similar(mapping, spec, query.item, k) if query.item else None
    return explore_view(answer, similar, compared, (spec.label, second.label if second else ""))


def held_out_metrics(result, spec: RecSpec, k: int) -> dict[str, float] | None:
    """This model's held-out figures from a cached evaluation, for the model card (None if not evaluated)."""
    row = next((r for r in (result.rows if result else []) if r["spec"]["kind"] == spec.kind), None)
    if row is None or RecSpec(**row["spec"]).key() != spec.key():
        return None
    names = ("precision", "recall", "ndcg", "map")
    return {f"{n}@{k}": row[n] for n in names} | {n: row[n] for n in ("coverage", "rmse") if row[n] is not None}
