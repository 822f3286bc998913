"""The prediction log: every REST and form prediction is recorded per model version with its request id,
written as Parquet partitions, readable and downloadable; labels come back by request id; a model's log
can be switched off; bad feedback is named."""

from __future__ import annotations

import json

import pandas as pd

from dashboard.monitoring import PredictionLog

ROW = {"Pclass": 3, "Sex": "male", "Age": 22, "SibSp": 1, "Parch": 0, "Fare": 7.25, "Embarked": "S"}


def test_rest_predictions_are_logged_and_labels_come_back_by_request_id(app, demo_models, settings):
    client = app.server.test_client()
    second = {**ROW, "Sex": "female"}
    answer = client.post("/api/models/titanic-survival/predict", json={"instances": [ROW, second]})
    request_id = answer.headers["X-Request-ID"]
    logged = client.get("/api/models/titanic-survival/predictions").json["predictions"]
    mine = [r for r in logged if r["request_id"] == request_id]
    assert [r["row"] for r in mine] == [0, 1] and {r["door"] for r in mine} == {"rest"}
    assert json.loads(mine[1]["inputs"]) == second
    assert json.loads(mine[0]["prediction"]) == answer.json["predictions"][0]
    assert json.loads(mine[0]["output"])["probabilities"] == answer.json["probabilities"][0]
    partitions = list((settings.data_dir / "predictions" / "titanic-survival" / "v1").glob("*/*.parquet"))
    assert partitions and all(p.parent.stat().st_mode & 0o077 == 0 for p in partitions)  # owner-only
    labels = [{"request_id": request_id, "row": 1, "label": 1}, {"request_id": "nobody", "label": 0}]
    received = client.post("/api/models/titanic-survival/feedback", json={"labels": labels})
    assert received.status_code == 201 and received.json == {"received": 2, "matched": 1}
    csv = client.get("/api/models/titanic-survival/predictions?format=csv")
    assert csv.headers["Content-Type"].startswith("text/csv") and request_id in csv.get_data(as_text=True)


def test_a_model_log_switched_off_records_nothing(app, demo_models):
    client = app.server.test_client()
    assert client.put("/api/models/titanic-survival/prediction-log", json={"enabled": False}).json["enabled"] is False
    answer = client.post("/api/models/titanic-survival/predict", json=ROW)
    logged = client.get("/api/models/titanic-survival/predictions").json["predictions"]
    assert answer.headers["X-Request-ID"] not in {r["request_id"] for r in logged}
    assert client.put("/api/models/titanic-survival/prediction-log", json={"enabled": "no"}).status_code == 400


def test_bad_feedback_is_named(app, demo_models):
    client = app.server.test_client()
    for body, field in (
        ({"labels": []}, "labels"),
        ({"labels": [{"label": 1}]}, "labels[0]"),
        ({"labels": [{"request_id": "x", "label": 1, "row": -1}]}, "labels[0].row"),
        ({"nothing": 1}, "labels"),
    ):
        answer = client.post("/api/models/titanic-survival/feedback", json=body)
        assert answer.status_code == 400 and answer.json["error"]["field"] == field
    assert (
        client.post(
            "/api/models/no-such-model/feedback", json={"labels": [{"request_id": "x", "label": 1}]}
        ).status_code
        == 404
    )


def test_records_are_buffered_sampled_and_partitioned(tmp_path):
    log = PredictionLog(tmp_path, flush_rows=3, flush_seconds=3600)
    answer = {"model": "m", "version": 2, "predictions": ["a", "b"], "probabilities": [{"a": 0.9}, {"a": 0.2}]}
    log.record(answer, [{"x": 1}, {"x": 2}], door="rest", request_id="r1")
    assert not list(tmp_path.glob("m/v2/*/*.parquet"))  # 2 rows: still buffered
    log.record(answer, [{"x": 3}, {"x": 4}], door="rest", request_id="r2")
    assert len(list(tmp_path.glob("m/v2/*/*.parquet"))) == 1  # 4 rows: written at once
    rows = log.rows("m")
    assert sorted(rows["request_id"]) == ["r1", "r1", "r2", "r2"]
    assert sorted(json.loads(i)["x"] for i in rows["inputs"]) == [1, 2, 3, 4]
    (tmp_path / "m" / "v2" / "2000-01-01").mkdir()
    (tmp_path / "m" / "v2" / "2000-01-01" / ".tmp-half.parquet").write_bytes(b"PAR1 half written")
    assert len(log.rows("m")) == 4  # a partition still being written is not read
    none = PredictionLog(tmp_path / "none", sample=0.0)
    none.record(answer, [{"x": 1}, {"x": 2}], door="rest", request_id="r3")
    assert none.rows("m").empty
    assert isinstance(log.feedback("m"), pd.DataFrame) and log.feedback("m").empty


def test_an_async_job_is_logged_as_one_columnar_partition_and_labelled_by_job_id(app, demo_models):
    import time

    client = app.server.test_client()
    csv = (
        "Pclass,Sex,Age,SibSp,Parch,Fare,Embarked\n3,male,22,1,0,7.25,S\n1,female,38,1,0,71.28,C\n2,robot,30,0,0,13,S\n"
    )
    job = client.post("/api/models/titanic-survival/jobs", data=csv, content_type="text/csv").json["job_id"]
    deadline = time.monotonic() + 60
    while client.get(f"/api/jobs/{job}").json["status"] != "succeeded" and time.monotonic() < deadline:
        time.sleep(0.05)
    logged = [
        r for r in client.get("/api/models/titanic-survival/predictions").json["predictions"] if r["request_id"] == job
    ]
    assert [r["row"] for r in logged] == [0, 1] and {r["door"] for r in logged} == {"job"}  # the bad row is not
    assert json.loads(logged[1]["inputs"])["Sex"] == "female"
    result = pd.read_csv(__import__("io").StringIO(client.get(f"/api/jobs/{job}/result.csv").get_data(as_text=True)))
    assert float(json.loads(logged[0]["prediction"])) == result["prediction"][0]  # the CSV's column is float (NaN)
    assert json.loads(logged[0]["output"])["probabilities"]["1"] == result["probability_1"][0]
    labels = [{"request_id": job, "row": 1, "label": 1}]
    assert client.post("/api/models/titanic-survival/feedback", json={"labels": labels}).json["matched"] == 1


def test_a_number_beyond_64_bits_in_a_request_is_logged_exactly_and_the_log_keeps_working(app, demo_models):
    """Found by the schema fuzzer: 2**70 in a logged field stopped every flush (a 500 on reading the log)."""
    client = app.server.test_client()
    huge = 2**70
    answers = [
        client.post("/api/models/titanic-survival/predict", json={"instances": [{**ROW, field: huge}]})
        for field in ("Sex", "Embarked", "Age", "extra")
    ]
    assert any(a.status_code == 200 for a in answers), [a.json for a in answers]
    read = client.get("/api/models/titanic-survival/predictions")
    assert read.status_code == 200
    logged = [json.loads(r["inputs"]) for r in read.json["predictions"]]
    assert any(str(huge) in json.dumps(inputs) or float(huge) in inputs.values() for inputs in logged), logged
    after = client.post("/api/models/titanic-survival/predict", json={"instances": [ROW]})
    assert after.status_code == 200
    assert client.get("/api/models/titanic-survival/predictions").status_code == 200
