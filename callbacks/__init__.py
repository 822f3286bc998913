"""Callbacks: one module per page, each with ``register(app, services)``. Bound with ``app.callback``,
never the module-level decorator at import time, so every app built in a process gets its own."""

from callbacks import clusters, explorer, models, predict, recommend, train, train_search


def register(app, services) -> None:
    explorer.register(app, services)
    predict.register(app, services)
    models.register(app, services)
    train.register(app, services)
    train_search.register(app, services)
    clusters.register(app, services)
    recommend.register(app, services)
