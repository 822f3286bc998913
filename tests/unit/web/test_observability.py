"""Metrics and request ids: /api/metrics in Prometheus format counts what happened (predictions per model
version, errors by code, memo hits, jobs), every answer carries its request id, and error bodies name it."""

from __future__ import annotations

import json
import logging
import time

from prometheus_client.parser import text_string_to_metric_families

from dashboard.web.observability import JsonFormatter

ROW = {"Pclass": 3, "Sex": "male", "Age": 22, "SibSp": 1, "Parch": 0, "Fare": 7.25, "Embarked": "S"}


def samples(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/api/metrics")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/plain")
    out = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def value(found, name, **labels) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_count_predictions_errors_memo_and_jobs(app, demo_models):
    client = app.server.test_client()
    before = samples(client)
    assert client.post("/api/models/titanic-survival/predict", json={"instances": [ROW, ROW, ROW]}).status_code == 200
    assert client.post("/api/models/titanic-survival/predict", json={"Age": "old"}).status_code == 400
    explorer = app.server.extensions["dashboard"].explorer
    explorer.kinds("titanic")  # computed, then found in the memo
    explorer.kinds("titanic")
    csv = "Pclass,Sex,Age,SibSp,Parch,Fare,Embarked\n3,male,22,1,0,7.25,S\n"
    job = client.post("/api/models/titanic-survival/jobs", data=csv, content_type="text/csv").json["job_id"]
    deadline = time.monotonic() + 60
    while client.get(f"/api/jobs/{job}").json["status"] != "succeeded" and time.monotonic() < deadline:
        time.sleep(0.05)
    after = samples(client)

    def grew(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("dashboard_predictions_total", model="titanic-survival", version="1") == 4  # 3 rows + the job's 1
    # an explanation alone (the Predict page's "why") is not a prediction: nothing counted twice
    services = app.server.extensions["dashboard"]
    services.serving.explain(services.models.load("titanic-survival"), [ROW], lambda: None)
    assert value(samples(client), "dashboard_predictions_total", model="titanic-survival", version="1") == value(
        after, "dashboard_predictions_total", model="titanic-survival", version="1"
    )
    assert grew("dashboard_errors_total", status="400", code="invalid_input") == 1
    route = "/api/models/<name>/predict"
    assert grew("dashboard_request_duration_seconds_count", method="POST", route=route, status="200") == 1
    assert grew("dashboard_job_duration_seconds_count", kind="batch_predict", status="succeeded") == 1
    assert value(after, "dashboard_job_queue_jobs", status="succeeded") >= 1
    assert grew("dashboard_memo_lookups_total", result="miss") + grew("dashboard_memo_lookups_total", result="hit") > 0


def test_every_answer_has_a_request_id_and_errors_name_it(app):
    client = app.server.test_client()
    missing = client.get("/api/datasets/no-such-thing")
    assert missing.status_code == 404
    assert missing.json["error"]["request_id"] == missing.headers["X-Request-ID"]
    assert len(missing.headers["X-Request-ID"]) == 32
    mine = client.get("/api/health", headers={"X-Request-ID": "trace-42.a"})
    assert mine.headers["X-Request-ID"] == "trace-42.a"
    hostile = client.get("/api/health", headers={"X-Request-ID": 'x"} {"admin": true'})
    assert hostile.headers["X-Request-ID"] != 'x"} {"admin": true' and len(hostile.headers["X-Request-ID"]) == 32


def test_callbacks_are_timed_by_the_page_they_came_from(app):
    client = app.server.test_client()
    before = samples(client)
    body = {
        "output": "explorer-overview.children",
        "outputs": {"id": "explorer-overview", "property": "children"},
        "inputs": [],
        "changedPropIds": [],
    }
    client.post("/_dash-update-component", json=body, headers={"Referer": "http://localhost/data?dataset=iris"})
    client.post("/_dash-update-component", json=body, headers={"Referer": "http://localhost/../../etc"})
    after = samples(client)
    grew = value(after, "dashboard_callback_duration_seconds_count", page="/data") - value(
        before, "dashboard_callback_duration_seconds_count", page="/data"
    )
    assert grew == 1
    assert value(after, "dashboard_callback_duration_seconds_count", page="other") >= 1


def test_the_access_log_is_one_json_object_per_request(app):
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logging.getLogger("dashboard.access").addHandler(handler)
    try:
        response = app.server.test_client().get("/api/health")
    finally:
        logging.getLogger("dashboard.access").removeHandler(handler)
    (record,) = [r for r in records if r.fields["path"] == "/api/health"]
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == response.headers["X-Request-ID"] and line["status"] == 200
    assert line["route"] == "/api/health" and line["ms"] >= 0
