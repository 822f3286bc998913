"""What the model learned, for the run shown: its own importances or coefficients by input column, the
levels of each column, permutation importance when it was computed, and a text model's top n-grams."""

from __future__ import annotations

from dash import Input, Output, html, no_update
from dash.exceptions import PreventUpdate

from dashboard.errors import NotApplicable, ResultExpired
from dashboard.figures.base import message_figure
from dashboard.figures.diagnostics import tree_figure
from dashboard.figures.train import importance_figure
from dashboard.services import Services
from dashboard.train.spec import TrainSpec
from layouts.train_ids import TrainIds
from layouts.train_views import levels_view, terms_view

# The catalog's models whose trees can be drawn (histogram gradient boosting keeps its trees in another form).
DRAWN_TREES = ("decision_tree", "random_forest", "random_forest_regressor")


def register(app, services: Services) -> None:
    training, diagnostics = services.training, services.diagnostics

    @app.callback(
        Output(TrainIds.TREE_GRAPH, "figure"),
        Output(TrainIds.TREE_PANEL, "hidden"),
        Output(TrainIds.TREE_INDEX, "max"),
        Input(TrainIds.RESULT_STORE, "data"),
        Input(TrainIds.TREE_INDEX, "value"),
        Input(TrainIds.TREE_DEPTH, "value"),
    )
    def show_tree(stored, index, depth):
        """One tree of a tree model (its first levels); hidden for models without trees to draw."""
        if not stored:
            raise PreventUpdate
        try:
            spec = TrainSpec.model_validate(stored.get("spec") or {})
            if spec.estimator not in DRAWN_TREES:
                return no_update, True, no_update
            view = diagnostics.tree(spec, int(index or 1) - 1, int(depth or 3))
        except (ResultExpired, NotApplicable, ValueError, TypeError):
            return no_update, True, no_update
        return tree_figure(view), False, view["trees"]

    @app.callback(
        Output(TrainIds.NATIVE_GRAPH, "figure"),
        Output(TrainIds.NATIVE_LEVELS, "children"),
        Output(TrainIds.PERMUTATION_GRAPH, "figure"),
        Output(TrainIds.PERMUTATION_PANEL, "hidden"),
        Output(TrainIds.TERMS, "children"),
        Input(TrainIds.RESULT_STORE, "data"),
    )
    def show_insights(stored):
        if not stored:
            raise PreventUpdate
        try:
            learned = training.result(stored.get("token")).insights
        except ResultExpired:
            raise PreventUpdate from None
        native = learned.get("native")
        permutation = learned.get("permutation")
        notes = [native_note(native)]
        if permutation:
            drop = importance_figure(
                {c: v["mean"] for c, v in permutation.items()},
                "Permutation importance on held-out folds (score drop)",
                {c: v["std"] for c, v in permutation.items()},
            )
        else:  # said in a line under the model's own view, not in an empty chart
            drop = no_update
            notes.append("Tick 'permutation importance' and run again to see each column's score drop.")
        levels = levels_view(native.get("groups")) if native else None
        caption = [html.P(note, className="small text-muted mb-1") for note in notes if note]
        return native_figure(native), [*caption, levels], drop, not permutation, terms_view(learned.get("terms"))

    def native_note(native: dict | None) -> str | None:
        """What a linear model's column weight is (a sum of coefficient sizes would grow with its levels)."""
        if native and native.get("groups") and native["kind"].startswith("coefficient"):
            return (
                "A column's weight: how much its part of the decision varies over the held-out rows (its "
                "standard deviation), whatever its number of levels."
            )
        return None

    def native_figure(native: dict | None):
        if not native:
            return message_figure("this model has no native importances or coefficients")
        groups = native.get("groups")
        if not groups:  # a result cached before columns were grouped, or a layout that cannot be grouped
            return importance_figure(native["values"], f"Model: {native['kind']}, mean over folds")
        if native["kind"].startswith("coefficient"):
            title = "Model: weight of each input column"
        else:
            title = f"Model: {native['kind']} summed by input column"
        return importance_figure(
            {column: group["total"] for column, group in groups.items()}, f"{title}, mean over folds"
        )
