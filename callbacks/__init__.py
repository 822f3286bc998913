"""Callbacks: one module per page, each with ``register(app, services)``. Bound with ``app.callback``,
never the module-level decorator at import time, so every app built in a process gets its own."""

from callbacks import (
    clusters,
    explorer,
    models,
    models_monitor,
    pickers,
    predict,
    predict_shap,
    recommend,
    reports,
    runs,
    train,
    train_calibration,
    train_compare,
    train_inspect,
    train_learned,
    train_search,
    train_shap,
    train_subgroups,
)
from layouts.clusters_ids import ClusterIds
from layouts.explorer_ids import ExplorerIds
from layouts.models_ids import ModelsIds, MonitorIds
from layouts.recommend_ids import RecommendIds
from layouts.reports_ids import CLUSTERS_PIN, DATA_PIN, MODELS_PIN, RECOMMEND_PIN, TRAIN_PIN, ReportsIds
from layouts.runs_ids import RunsIds
from layouts.train_ids import TrainIds

# Every page's write controls (each page's ids declare theirs as WRITES).
WRITE_CONTROLS = (
    *ExplorerIds.WRITES,
    *TrainIds.WRITES,
    *ClusterIds.WRITES,
    *RecommendIds.WRITES,
    *ModelsIds.WRITES,
    *MonitorIds.WRITES,
    *ReportsIds.WRITES,
    *RunsIds.WRITES,
    DATA_PIN.BUTTON,
    TRAIN_PIN.BUTTON,
    CLUSTERS_PIN.BUTTON,
    RECOMMEND_PIN.BUTTON,
    MODELS_PIN.BUTTON,
)


def register(app, services) -> None:
    explorer.register(app, services)
    predict.register(app, services)
    predict_shap.register(app, services)
    models.register(app, services)
    models_monitor.register(app, services)
    train.register(app, services)
    train_learned.register(app, services)
    train_search.register(app, services)
    train_compare.register(app, services)
    train_inspect.register(app, services)
    train_subgroups.register(app, services)
    train_shap.register(app, services)
    train_calibration.register(app, services)
    clusters.register(app, services)
    recommend.register(app, services)
    reports.register(app, services)
    runs.register(app, services)
    pickers.register(app)
