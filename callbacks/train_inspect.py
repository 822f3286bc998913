"""Partial dependence / ICE and learning-curve callbacks: computed in the background for the run the form
describes (it must have run: these views belong to its result) and cached, so a repeat is instant."""

from __future__ import annotations

from dash import Input, Output, State
from dash.exceptions import PreventUpdate

from callbacks.train_form import SPEC_STATES, spec_from_controls
from callbacks.widgets import background_run
from dashboard.errors import ResultExpired
from dashboard.figures.base import message_figure
from dashboard.figures.train import learning_curve_figure, pdp_figure
from dashboard.services import Services
from layouts.common import alert, error_alert
from layouts.train_ids import InspectIds, TrainIds

NOT_RUN = "Run cross-validation with these settings first: these views belong to its result."


def register(app, services: Services) -> None:
    training = services.training

    @app.callback(
        Output(InspectIds.PDP_COLUMN, "options"),
        Output(InspectIds.PDP_COLUMN, "value"),
        Input(TrainIds.FEATURES_DROPDOWN, "value"),
        State(InspectIds.PDP_COLUMN, "value"),
        prevent_initial_call=True,
    )
    def follow_the_features(features, column):
        features = [f for f in features or [] if isinstance(f, str)]
        return features, column if column in features else (features[0] if features else None)

    @app.callback(
        Output(InspectIds.PDP_GRAPH, "figure"),
        Output(InspectIds.MESSAGES, "children"),
        Input(InspectIds.PDP_BUTTON, "n_clicks"),
        State(InspectIds.PDP_COLUMN, "value"),
        *SPEC_STATES,
        **background_run(InspectIds.PDP_BUTTON, shown=[InspectIds.PDP_PANEL]),
        prevent_initial_call=True,
    )
    def partial_dependence(_clicks, column, *controls):
        try:
            curves = training.partial_dependence(spec_from_controls(*controls), column)
        except ResultExpired:
            return message_figure("no result yet"), alert(NOT_RUN, "info")
        except Exception as exc:  # named errors are shown as they are, any other only logged
            return message_figure("no partial dependence"), error_alert(exc)
        return pdp_figure(curves), None

    @app.callback(
        Output(InspectIds.CURVE_GRAPH, "figure"),
        Output(InspectIds.MESSAGES, "children", allow_duplicate=True),
        Input(InspectIds.CURVE_BUTTON, "n_clicks"),
        *SPEC_STATES,
        **background_run(InspectIds.CURVE_BUTTON, shown=[InspectIds.CURVE_PANEL]),
        prevent_initial_call=True,
    )
    def learning_curve(_clicks, *controls):
        if not _clicks:
            raise PreventUpdate
        try:
            points = training.learning_curve(spec_from_controls(*controls))
        except ResultExpired:
            return message_figure("no result yet"), alert(NOT_RUN, "info")
        except Exception as exc:  # named errors are shown as they are, any other only logged
            return message_figure("no learning curve"), error_alert(exc)
        return learning_curve_figure(points), None
