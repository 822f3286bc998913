"""Celery worker entry point: ``celery -A worker:celery worker`` (with the web processes' DASHBOARD_* settings).

Building the app registers every background callback as a Celery task (plus the API job task) on the
app's one Celery instance, the same names the web processes send to.
"""

from dashboard import create_app
from dashboard.jobs import forksafe

dash_app = create_app(background_work=False)
# A worker exists to run jobs: it loads their libraries once, before Celery forks its pool, so a pool
# process (a fresh one after a crash too) starts a job at once instead of importing scikit-learn first.
forksafe.import_job_modules()
celery = dash_app.server.extensions["dashboard"].jobs.celery
if celery is None:
    raise SystemExit(
        "worker: set DASHBOARD_JOB_BACKEND=celery and DASHBOARD_REDIS_URL (the default backend runs jobs in-process)"
    )
