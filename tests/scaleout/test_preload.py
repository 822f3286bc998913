"""``gunicorn --preload`` with real workers (the default diskcache backend, no Redis): the master loads and
warms the stored models before it forks, and the forked workers answer from them and still run async jobs.
A job left queued by the last run is run by the master's pool at start-up; a worker inheriting that pool
would count its threads as its own and never run a job, so each process makes its own."""

from __future__ import annotations

import json
import shutil
import urllib.request

import pytest

from model_store import ModelStore
from tests.conftest import make_settings
from tests.scaleout.cluster import healthy, start_web, stop, wait_until

pytestmark = [pytest.mark.scaleout, pytest.mark.xdist_group("scaleout")]

ROW = {"Pclass": 3, "Sex": "male", "Age": 22, "SibSp": 1, "Parch": 0, "Fare": 7.25, "Embarked": "S"}
CSV = "Pclass,Sex,Age,SibSp,Parch,Fare,Embarked\n" + "3,male,22,1,0,7.25,S\n" * 50


class NeverRuns:
    durable = redelivers = False

    def submit(self, job_id: str) -> None:
        pass


def leave_a_queued_job(root) -> str:
    """What a run that stopped before its pool took the job leaves on disk."""
    from dashboard.jobs.queue import JobQueue
    from dashboard.services import build_services

    queue = build_services(make_settings(root)).queue
    stopped = JobQueue(queue.root, queue.runners, lambda run: NeverRuns(), queue.locks)
    params = {"model": "titanic-survival", "version": 1, "format": "csv"}
    return stopped.submit("batch_predict", params, CSV.encode())["id"]


def post(url: str, body: bytes, content_type: str = "application/json") -> dict:
    req = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type})
    with urllib.request.urlopen(req, timeout=30) as response:
        return json.loads(response.read())


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def preloaded(tmp_path, demo_store_template):
    import os

    shutil.copytree(demo_store_template, tmp_path / "models")
    env = {
        **os.environ,
        "DASHBOARD_DATA_DIR": str(tmp_path / "data"),
        "DASHBOARD_CACHE_DIR": str(tmp_path / "cache"),
        "DASHBOARD_MODEL_DIR": str(tmp_path / "models"),
        "DASHBOARD_DEMO_MODELS": "false",
        "DASHBOARD_LOG_LEVEL": "INFO",
    }
    left = leave_a_queued_job(tmp_path)
    process, url = start_web(tmp_path, env, "web", 2, preload=True)
    try:
        wait_until(lambda: healthy(url), 90, "gunicorn --preload answering /api/health")
        yield tmp_path, url, left
    finally:
        stop([process])


def test_preloaded_workers_answer_from_the_warmed_models_and_run_jobs(preloaded):
    root, url, left = preloaded
    log = (root / "web.log").read_text()
    assert "preloaded models: ames-house-price, language-id, titanic-survival" in log

    loaded = ModelStore(root / "models").load("titanic-survival")
    expected = loaded.model.predict_proba(__import__("pandas").DataFrame([ROW]))[0].tolist()
    for _ in range(8):  # both workers answer some of these
        answer = post(f"{url}/api/models/titanic-survival/predict", json.dumps(ROW).encode())
        assert list(answer["probabilities"][0].values()) == expected

    assert_succeeds(url, left)
    for _ in range(3):  # one at a time: a worker's first job must run without waiting for a second
        assert_succeeds(url, post(f"{url}/api/models/titanic-survival/jobs", CSV.encode(), "text/csv")["job_id"])


def assert_succeeds(url: str, job_id: str) -> None:
    wait_until(lambda: get(f"{url}/api/jobs/{job_id}")["status"] == "succeeded", 60, f"job {job_id} finishing")
    assert get(f"{url}/api/jobs/{job_id}")["result"]["scored"] == 50
