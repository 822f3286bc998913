"""The feature pickers' one-click picks (all, none, by kind), answered in the browser."""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State

from layouts.clusters_ids import ClusterIds
from layouts.common import PICKS, pick_id
from layouts.train_ids import TrainIds

PICKERS = (TrainIds.FEATURES_DROPDOWN, ClusterIds.FEATURES_DROPDOWN)


def register(app) -> None:
    for dropdown_id in PICKERS:
        app.clientside_callback(
            ClientsideFunction("dashboard", "pickFeatures"),
            Output(dropdown_id, "value", allow_duplicate=True),
            *(Input(pick_id(dropdown_id, pick), "n_clicks") for pick in PICKS),
            State(dropdown_id, "options"),
            prevent_initial_call=True,
        )
