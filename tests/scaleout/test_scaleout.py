"""Scale-out with the real parts: Redis, two Celery workers and two gunicorn "machines" (see conftest).

Every process shares only what several machines would: the data, model and cache dirs, and Redis.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import urllib.request

import pandas as pd
import pytest

pytestmark = [pytest.mark.scaleout, pytest.mark.xdist_group("scaleout")]

TITANIC_ROW = "3,male,22,1,0,7.25,S"
HEADER = "Pclass,Sex,Age,SibSp,Parch,Fare,Embarked"


def request(method: str, url: str, body: bytes | None = None, content_type: str = "application/json"):
    req = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def job(url: str, job_id: str) -> dict:
    status, body = request("GET", f"{url}/api/jobs/{job_id}")
    assert status == 200, body
    return json.loads(body)


def submit_csv(url: str, rows: int) -> str:
    csv = "\n".join([HEADER] + [TITANIC_ROW] * rows).encode()
    status, body = request("POST", f"{url}/api/models/titanic-survival/jobs", csv, "text/csv")
    assert status == 202, body
    return json.loads(body)["job_id"]


def test_an_api_job_submitted_on_one_machine_runs_on_celery_and_is_read_on_the_other(cluster, wait_until):
    job_id = submit_csv(cluster.web["web-a"], 500)
    wait_until(lambda: job(cluster.web["web-b"], job_id)["status"] == "succeeded", 60, "the job finishing")
    record = job(cluster.web["web-b"], job_id)
    assert record["attempts"] == 1 and record["result"]["scored"] == 500
    status, csv = request("GET", f"{cluster.web['web-b']}/api/jobs/{job_id}/result.csv")
    assert status == 200 and len(csv.decode().strip().splitlines()) == 501
    # it ran on a Celery worker, not in a web process
    worker_logs = "".join((cluster.root / f"{w}.log").read_text() for w in ("worker-a", "worker-b"))
    assert f"dashboard.api_job[{job_id}]" in worker_logs


def test_a_worker_killed_mid_job_gets_the_job_retried_never_stuck_running(cluster, wait_until):
    job_id = submit_csv(cluster.web["web-a"], 150_000)
    wait_until(lambda: (job(cluster.web["web-b"], job_id)["progress"]["done"] or 0) > 0, 60, "the job making progress")
    first = job(cluster.web["web-b"], job_id)
    assert first["status"] == "running" and first["attempts"] == 1
    pid = int(first["worker"].rsplit(":", 1)[1])
    os.kill(pid, signal.SIGKILL)  # the pool process running the job, as the OOM killer would
    wait_until(lambda: job(cluster.web["web-a"], job_id)["status"] in {"succeeded", "failed"}, 120, "a final state")
    final = job(cluster.web["web-a"], job_id)
    assert final["status"] == "succeeded", final["error"]
    assert final["attempts"] == 2 and int(final["worker"].rsplit(":", 1)[1]) != pid
    assert final["result"]["scored"] == 150_000


def test_cancel_revokes_a_queued_job_before_it_runs(cluster, wait_until):
    # Two long jobs occupy both workers; the third waits in Redis and is cancelled there.
    busy = [submit_csv(cluster.web["web-a"], 150_000) for _ in range(2)]
    queued = submit_csv(cluster.web["web-a"], 10)
    status, body = request("POST", f"{cluster.web['web-b']}/api/jobs/{queued}/cancel")
    assert status == 200 and json.loads(body)["status"] == "cancelled"
    for job_id in busy:
        wait_until(lambda j=job_id: job(cluster.web["web-a"], j)["status"] == "succeeded", 120, "the busy jobs")
    record = job(cluster.web["web-a"], queued)
    assert record["status"] == "cancelled" and record["attempts"] == 0  # never claimed by a worker


def test_an_upload_through_one_machine_is_visible_through_the_other(cluster):
    csv = b"a,b,label\n1,2,x\n3,4,y\n5,6,x\n"
    status, body = request("POST", f"{cluster.web['web-a']}/api/datasets?filename=shared.csv", csv, "text/csv")
    assert status == 201, body
    dataset_id = json.loads(body)["dataset"]["id"]
    status, body = request("GET", f"{cluster.web['web-b']}/api/datasets/{dataset_id}")
    assert status == 200 and json.loads(body)["rows"] == 3


def _save_one(args) -> int:
    from sklearn.linear_model import LogisticRegression

    from dashboard.services import build_services

    settings, seed = args
    services = build_services(settings)
    X = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0], "y": [1.0, 0.0, 1.0, 0.0]})
    model = LogisticRegression(C=1.0 + seed).fit(X, [0, 0, 1, 1])
    return services.models.save(model, "race", X_sample=X, y=[0, 0, 1, 1]).version


def test_twenty_concurrent_saves_from_separate_processes_get_twenty_versions(cluster):
    settings = cluster.settings()
    with multiprocessing.get_context("spawn").Pool(20) as pool:
        versions = pool.map(_save_one, [(settings, i) for i in range(20)])
    assert sorted(versions) == list(range(1, 21))
    from model_store import ModelStore

    store = ModelStore(settings.model_dir)
    assert [v.version for v in store.versions("race")] == list(range(1, 21))
    # the Redis lock serialised them: no per-model lock file was needed
    assert not (settings.model_dir / "race" / ".lock").exists()


def _cv_once(settings) -> bool:
    from dashboard.services import build_services
    from dashboard.train.spec import TrainSpec

    services = build_services(settings)
    spec = TrainSpec(
        dataset="titanic",
        target="Survived",
        features=("Pclass", "Sex", "Age", "Fare"),
        estimator="random_forest",
        params={"n_estimators": 150},
    )
    return services.training.run(spec)[2]


def test_two_identical_cv_requests_at_once_fit_once(cluster):
    settings = cluster.settings(train_n_jobs=1)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        cached = sorted(pool.map(_cv_once, [settings, settings]))
    assert cached == [False, True]  # one fitted; the other waited for its result


def test_a_redis_memo_entry_not_signed_by_the_app_is_ignored_never_unpickled(cluster):
    import pickle

    import redis

    from dashboard.jobs.layer import RedisMemo, memo_secret

    client = redis.Redis.from_url(cluster.redis_url)
    memo = RedisMemo(client, memo_secret(cluster.root / "cache"))
    memo.set("probe", {"ok": 1})
    assert memo.get("probe") == {"ok": 1}

    class Boom:
        def __reduce__(self):
            return (os.system, ("touch " + str(cluster.root / "pwned"),))

    forged = pickle.dumps(Boom())
    client.set("dashboard:memo:forged", b"\0" * 32 + forged)  # someone who can write Redis but lacks the key
    assert memo.get("forged") is None
    assert not (cluster.root / "pwned").exists()


def test_a_tpe_study_is_kept_in_redis_with_the_celery_backend(cluster):
    """With the Celery backend the finished study goes to a Redis journal, readable from any machine."""
    import optuna
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalRedisBackend

    from dashboard.services import build_services
    from dashboard.train.search import SearchSpec
    from tests.unit.helpers import titanic_spec

    training = build_services(cluster.settings()).training
    search = SearchSpec(mode="tpe", ranges={"C": (0.01, 10.0)}, candidates=3, seed=2)
    token, result, _ = training.search(titanic_spec(), search)
    kept = optuna.load_study(study_name=token, storage=JournalStorage(JournalRedisBackend(cluster.redis_url)))
    assert [t.params["C"] for t in kept.trials] == [r["values"]["C"] for r in result.rows[1:]]


def test_a_job_record_lock_left_by_a_killed_holder_expires_before_a_take_over(cluster, tmp_path):
    """A job's record lock is held for a read-modify-write only; a worker killed holding it must not block
    the redelivered task past the take-over (4 beats), or a reader fails the job first (8 beats)."""
    import hashlib

    import redis

    from dashboard.jobs.locks import RedisLocks
    from dashboard.jobs.queue import TAKE_OVER_BEATS, JobQueue
    from tests.unit.api.test_api_models import Paused

    client = redis.Redis.from_url(cluster.redis_url)
    locks = RedisLocks(client)
    queue = JobQueue(tmp_path / "jobs", {"echo": lambda c: {}}, Paused, locks, heartbeat_seconds=1)
    job_key = locks.prefix + hashlib.sha256(b"job:" + b"0" * 32).hexdigest()[:40]
    with queue._lock("0" * 32):
        assert 0 < client.pttl(job_key) <= 2 * 1000 < TAKE_OVER_BEATS * 1000
    memo_key = locks.prefix + hashlib.sha256(b"memo:probe").hexdigest()[:40]
    with locks("memo:probe"):  # a memo fill may take minutes: it keeps the long default
        assert client.pttl(memo_key) > 2 * 1000


def test_a_celery_job_that_ended_with_its_result_waiting_counts_as_running(cluster):
    """Dash's Celery manager has the poll race of the diskcache one (read the result, then ask whether the task
    runs): a task that succeeded in between would be taken for a cancelled one. With the result waiting in
    Redis it counts as running until a poll takes it."""
    import uuid

    import dash

    from dashboard.app_factory import _CeleryJobs

    manager = _CeleryJobs(cluster.celery(), expire=60)
    task, key = str(uuid.uuid4()), f"result-{uuid.uuid4().hex}"
    manager._remember(f"dashboard-job-result-key:{task}", key)
    manager.handle.backend.store_result(task, None, "SUCCESS")
    assert not dash.CeleryManager.job_running(manager, task)  # what Dash alone answers: over
    assert not manager.job_running(task)  # over, and nothing waiting
    manager.handle.backend.set(key, json.dumps(["the result"]))
    assert manager.job_running(task)
    assert manager.get_result(key, None) == ["the result"]
    assert not manager.job_running(task)
