"""Read by gunicorn from the working directory. The app cannot see gunicorn's ``-b`` address, so the rule
for ``DASHBOARD_HOST`` is applied here: a bind reachable from other machines needs login
(DASHBOARD_USERS_FILE) or an explicit DASHBOARD_ALLOW_ANONYMOUS=true.

The app is preloaded (DASHBOARD_PRELOAD=false turns it off): the master builds it once and, before forking,
loads and warms the stored models (``warm_served_models``), so workers start ready and share the models'
memory copy-on-write (per worker: 28 MB private instead of 178 MB for the Titanic forest, bench serving)."""

import os

preload_app = os.environ.get("DASHBOARD_PRELOAD", "true").lower() not in ("false", "0", "no")


def _host(address: str) -> str:
    if address.startswith("["):  # [::1]:8050
        return address[1:].split("]", 1)[0]
    return (address.rsplit(":", 1)[0] if ":" in address else address) or "0.0.0.0"  # noqa: S104 - checked, not bound


def on_starting(server):
    from dashboard.settings import Settings, SettingsError

    for address in server.cfg.bind:
        if address.startswith(("unix:", "fd://")):
            continue  # reachable through the file system only, like loopback
        try:
            Settings.from_env(host=_host(address))
        except SettingsError as exc:
            server.log.error("refusing to start: %s", exc)
            raise SystemExit(2) from None


def when_ready(server):
    if not server.cfg.preload_app:
        return
    from dashboard.startup import warm_served_models

    warmed = warm_served_models(server.app.wsgi().extensions["dashboard"])
    server.log.info("preloaded models: %s", ", ".join(warmed) or "none")


def child_exit(server, worker):
    # prometheus-client's multiprocess mode (PROMETHEUS_MULTIPROC_DIR): a gone worker's live gauges go with it
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
