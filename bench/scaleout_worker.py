"""A Celery worker for ``bench/scaleout.py``: the app's own worker plus one task that runs the Train
page's CV service exactly as its background callback does, reporting each fold to Redis as Dash's
CeleryManager reports progress. Start: ``celery -A bench.scaleout_worker:celery worker``."""

from __future__ import annotations

import redis

from dashboard.train.spec import TrainSpec
from worker import celery, dash_app

services = dash_app.server.extensions["dashboard"]
progress = redis.Redis.from_url(services.settings.redis_url)


@celery.task(name="bench.cv")
def cv(spec: dict, progress_key: str) -> dict:
    token, result, cached = services.training.run(
        TrainSpec(**spec), on_fold=lambda fold, done: progress.set(progress_key, done, ex=600)
    )
    return {"token": token, "cached": cached, "folds": len(result.folds), "cv_seconds": result.wall_time}
