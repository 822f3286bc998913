"""Callbacks: one module per page, each with ``register(app, services)``. Bound with ``app.callback``,
never the module-level decorator at import time, so every app built in a process gets its own."""

from callbacks import (
    clusters,
    explorer,
    models,
    models_monitor,
    pickers,
    predict,
    recommend,
    train,
    train_compare,
    train_inspect,
    train_learned,
    train_search,
)
from layouts.clusters_ids import ClusterIds
from layouts.explorer_ids import ExplorerIds
from layouts.models_ids import ModelsIds, MonitorIds
from layouts.recommend_ids import RecommendIds
from layouts.train_ids import TrainIds

# The controls that change saved data (datasets, models, aliases): hidden from viewers, and the callbacks
# they trigger answer 403 to a viewer's request (dashboard.web.auth).
WRITE_CONTROLS = (
    ExplorerIds.UPLOAD_RECEIVED,
    ExplorerIds.DELETE_CONFIRM,
    TrainIds.SAVE_BUTTON,
    ClusterIds.RFM_BUTTON,
    ClusterIds.SAVE_BUTTON,
    ClusterIds.EXPORT_DATASET_BUTTON,
    RecommendIds.SAVE_BUTTON,
    ModelsIds.ALIAS_BUTTON,
    ModelsIds.DELETE_CONFIRM,
    MonitorIds.LOG_TOGGLE,
    MonitorIds.UPLOAD_RECEIVED,
    MonitorIds.FEEDBACK_RECEIVED,
    MonitorIds.VERIFY_BUTTON,
    MonitorIds.RETRAIN_BUTTON,
)


def register(app, services) -> None:
    explorer.register(app, services)
    predict.register(app, services)
    models.register(app, services)
    models_monitor.register(app, services)
    train.register(app, services)
    train_learned.register(app, services)
    train_search.register(app, services)
    train_compare.register(app, services)
    train_inspect.register(app, services)
    clusters.register(app, services)
    recommend.register(app, services)
    pickers.register(app)
