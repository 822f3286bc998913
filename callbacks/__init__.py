"""Callbacks: one module per page, each with ``register(app, services)``. Bound with ``app.callback``,
never the module-level decorator at import time, so every app built in a process gets its own."""

from callbacks import clusters, explorer, models, predict, recommend, train, train_search
from dashboard import ids

# The controls that change saved data (datasets, models, aliases): hidden from viewers, and the callbacks
# they trigger answer 403 to a viewer's request (dashboard.auth).
WRITE_CONTROLS = (
    ids.EXPLORER_UPLOAD,
    ids.EXPLORER_DELETE_CONFIRM,
    ids.TRAIN_SAVE_BUTTON,
    ids.CLUSTER_RFM_BUTTON,
    ids.CLUSTER_SAVE_BUTTON,
    ids.CLUSTER_EXPORT_DATASET_BUTTON,
    ids.REC_SAVE_BUTTON,
    ids.MODELS_ALIAS_BUTTON,
    ids.MODELS_DELETE_CONFIRM,
)


def register(app, services) -> None:
    explorer.register(app, services)
    predict.register(app, services)
    models.register(app, services)
    train.register(app, services)
    train_search.register(app, services)
    clusters.register(app, services)
    recommend.register(app, services)
