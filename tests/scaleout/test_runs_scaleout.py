"""Runs and the registry's history across machines: a "try every model" job asked of web A runs on a Celery
worker, its runs land in the one PostgreSQL runs database (as written there, read through web B the same), a
run promoted through web B is a model whose history web A reads identically."""

from __future__ import annotations

import json
import time

import psycopg
import pytest

from tests.scaleout.test_scaleout import job, request

pytestmark = [pytest.mark.scaleout, pytest.mark.xdist_group("scaleout")]


def _get(url: str) -> dict:
    status, body = request("GET", url)
    assert status == 200, body
    return json.loads(body)


def test_runs_from_a_celery_worker_and_a_models_history_read_the_same_on_every_machine(cluster):
    web_a, web_b = cluster.web["web-a"], cluster.web["web-b"]
    body = json.dumps({"dataset": "titanic", "target": "Survived", "budget_seconds": 1}).encode()
    status, answer = request("POST", f"{web_a}/api/runs/try-every-model", body)
    assert status == 202, answer
    job_id = json.loads(answer)["job_id"]
    deadline = time.monotonic() + 240
    while (record := job(web_b, job_id))["status"] not in ("succeeded", "failed", "cancelled"):
        assert time.monotonic() < deadline, record
        time.sleep(0.5)
    assert record["status"] == "succeeded", record
    group = record["result"]["group"]

    on_a = _get(f"{web_a}/api/runs?sort=id&limit=500")
    on_b = _get(f"{web_b}/api/runs?sort=id&limit=500")
    assert on_a == on_b and on_a["total"] >= 1
    mine = [r for r in on_a["runs"] if r["group"] == group]
    assert mine and all(r["status"] == "finished" for r in mine)
    url = cluster.runs_db.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as connection:  # written where the cluster keeps runs: PostgreSQL
        (count,) = connection.execute("SELECT count(*) FROM runs WHERE group_token = %s", (group,)).fetchone()
    assert count == len(mine)

    status, answer = request("POST", f"{web_b}/api/runs/{mine[0]['id']}/promote", b'{"name": "from-a-run"}')
    assert status == 201, answer
    history_a = _get(f"{web_a}/api/models/from-a-run/history")
    assert history_a == _get(f"{web_b}/api/models/from-a-run/history")
    assert [e["event"] for e in history_a["events"]] == ["saved"]
    card = _get(f"{web_a}/api/models/from-a-run")
    assert card["run"] == mine[0]["id"] and card["metrics"]["roc_auc"] == pytest.approx(mine[0]["score"])
