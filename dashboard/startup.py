"""Work the app starts beside itself: the demo models, trained in a child process
(``python -m dashboard.startup``) at low priority, so a new user has something to query at once. The web
process never imports scikit-learn for it, never shares its cores' time slices or its GIL with it, and
gets no training memory; a child whose parent has gone stops.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time

from dashboard.services import Services, build_services
from dashboard.settings import Settings
from dashboard.train.demo import ensure_demo_models, missing_demo_models
from model_store import ModelStore

log = logging.getLogger(__name__)


def start_background_work(services: Services) -> None:
    """Start-up work that must never block serving: resume jobs, expire old ones, train missing demo models."""
    counts = services.queue.recover()
    if any(counts.values()):
        log.info("job queue after restart: %s", counts)
    services.queue.maybe_sweep()
    if services.settings.demo_models:
        start_demo_training(services.settings, services.models)


def warm_served_models(services: Services) -> list[str]:
    """Load each model's default version (what a request without ``version`` or ``alias`` gets) and answer
    its card's example row once. Under ``gunicorn --preload`` this runs in the master before it forks, so
    every worker starts with the libraries imported, the models parsed (their arrays shared copy-on-write)
    and each forest's fast path already proven. A model that cannot answer is logged and left cold."""
    warmed = []
    for summary in services.models.list()[: services.models.cache_size]:
        name = summary["name"]
        try:
            loaded = services.models.load(name)
            example = loaded.card.get("schema", {}).get("example")
            if example:
                services.serving.predict(loaded, [example])
            warmed.append(name)
        except Exception:  # a damaged or unusable model must not stop the server from starting
            log.exception("model %s could not be warmed", name)
    return warmed


def start_demo_training(settings: Settings, store: ModelStore) -> subprocess.Popen | None:
    """Train the missing demo models in a child process; None when the store has them all."""
    if not missing_demo_models(store):
        return None
    command = [sys.executable, "-m", __name__, str(os.getpid())]
    child = subprocess.Popen(command, stdin=subprocess.PIPE, cwd=os.getcwd())
    assert child.stdin is not None
    with child.stdin:  # the settings (secrets among them) go through a pipe, never the command line
        child.stdin.write(settings.model_dump_json().encode())
    threading.Thread(target=child.wait, name="demo-models-reaper", daemon=True).start()
    return child


def _stop_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)  # the app that wanted these models is gone; the file lock is released with the process


def main() -> None:
    parent = int(sys.argv[1])  # not getppid(): the parent may be gone before this line runs
    settings = Settings.model_validate_json(sys.stdin.buffer.read())
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    threading.Thread(target=_stop_with_parent, args=(parent,), daemon=True).start()
    os.nice(10)  # the pages the web process serves come first
    ensure_demo_models(build_services(settings).training)


if __name__ == "__main__":
    main()
