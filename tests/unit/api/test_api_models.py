"""REST API for models and jobs, against real demo models on disk."""

import io
import json
import os
import time

import pandas as pd
import pytest

from dashboard import create_app
from dashboard.jobs.locks import FileLocks
from dashboard.jobs.queue import JobNotFoundError, JobQueue, ThreadExecutor
from tests.conftest import make_settings
from tests.unit.helpers import TITANIC_ROW, wait_for_job


@pytest.fixture
def api(demo_models, app):
    return app.server.test_client()


def test_list_and_card(api):
    names = {m["name"] for m in api.get("/api/models").json["models"]}
    assert names == {"titanic-survival", "language-id", "ames-house-price"}
    card = api.get("/api/models/titanic-survival").json
    assert card["version"] == 1 and card["task"] == "binary"


def test_predict_single_record_matches_the_pipeline(api, store):
    body = api.post("/api/models/titanic-survival/predict", json=TITANIC_ROW).json
    expected = store.load("titanic-survival").model.predict_proba(pd.DataFrame([TITANIC_ROW]))[0]
    assert body["model"] == "titanic-survival" and body["version"] == 1
    assert body["probabilities"][0] == pytest.approx({"0": expected[0], "1": expected[1]}, abs=1e-12)
    assert body["predictions"] == [int(expected.argmax())]


def test_predict_instances_text_and_regression(api):
    langs = api.post(
        "/api/models/language-id/predict",
        json={
            "instances": [
                {"text": "Der schnelle braune Fuchs springt über den faulen Hund"},
                {"text": "El rápido zorro marrón salta sobre el perro perezoso"},
            ]
        },
    ).json
    assert langs["predictions"] == ["de", "es"] and "scores" in langs
    price = api.post(
        "/api/models/ames-house-price/predict",
        json={
            "Gr_Liv_Area": 1500,
            "Overall_Cond": "Average",
            "Year_Built": 1990,
            "Year_Remod_Add": 2000,
            "Total_Bsmt_SF": 1000,
            "Garage_Cars": 2,
            "Lot_Area": 9000,
            "Full_Bath": 2,
            "Neighborhood": "North_Ames",
            "Bldg_Type": "OneFam",
        },
    ).json
    assert 50_000 < price["predictions"][0] < 500_000


def test_version_and_alias_selection(api, store):
    store.set_alias("titanic-survival", "production", 1)
    assert api.post("/api/models/titanic-survival/predict?alias=production", json=TITANIC_ROW).status_code == 200
    assert api.post("/api/models/titanic-survival/predict?version=1", json=TITANIC_ROW).status_code == 200


@pytest.mark.parametrize(
    ("path", "kwargs", "status", "field"),
    [
        ("/api/models/titanic-survival/predict", {"json": {**TITANIC_ROW, "Sex": "robot"}}, 400, "Sex"),
        ("/api/models/titanic-survival/predict", {"json": {**TITANIC_ROW, "Fare": "cheap"}}, 400, "Fare"),
        ("/api/models/titanic-survival/predict", {"json": {"instances": [TITANIC_ROW, {"Pclass": 1}]}}, 400, "[1].Sex"),
        ("/api/models/titanic-survival/predict", {"json": {"instances": "nope"}}, 400, "instances"),
        ("/api/models/titanic-survival/predict", {"json": [1, 2]}, 400, "body"),
        (
            "/api/models/titanic-survival/predict",
            {"data": "{not json", "content_type": "application/json"},
            400,
            "body",
        ),
        ("/api/models/titanic-survival/predict", {"data": "Pclass=3", "content_type": "text/plain"}, 415, "body"),
        ("/api/models/nope/predict", {"json": TITANIC_ROW}, 404, "model"),
        ("/api/models/..%2F..%2Fetc/predict", {"json": TITANIC_ROW}, 404, None),
        ("/api/models/<script>/predict", {"json": TITANIC_ROW}, 404, "name"),
        ("/api/models/titanic-survival/predict?version=9", {"json": TITANIC_ROW}, 404, "version"),
        ("/api/models/titanic-survival/predict?version=abc", {"json": TITANIC_ROW}, 404, "version"),
        ("/api/models/titanic-survival/predict?alias=staging", {"json": TITANIC_ROW}, 404, "alias"),
        ("/api/models/titanic-survival/predict", {"json": {"instances": [TITANIC_ROW] * 10_001}}, 413, "instances"),
    ],
)
def test_predict_errors_name_the_field(api, path, kwargs, status, field):
    response = api.post(path, **kwargs)
    assert response.status_code == status, response.data[:300]
    assert response.is_json and "error" in response.json
    if field:
        assert response.json["error"]["field"] == field


def test_hostile_model_name_is_not_reflected_as_html(api):
    response = api.get("/api/models/<script>alert(1)</script>")
    assert response.status_code == 404 and response.mimetype == "application/json"


def test_api_key_required_for_predict_and_jobs(tmp_path, demo_store_template):
    import shutil

    settings = make_settings(tmp_path, api_key="k3y")
    shutil.copytree(demo_store_template, settings.model_dir)
    client = create_app(settings).server.test_client()
    assert client.post("/api/models/titanic-survival/predict", json=TITANIC_ROW).status_code == 401
    assert client.post("/api/models/titanic-survival/jobs", json={"instances": [TITANIC_ROW]}).status_code == 401
    ok = client.post("/api/models/titanic-survival/predict", json=TITANIC_ROW, headers={"X-API-Key": "k3y"})
    assert ok.status_code == 200
    assert client.get("/api/models").status_code == 200


def test_async_csv_job_with_a_bad_row(api, catalog):
    frame = catalog.load("titanic")[["Pclass", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked", "Name"]].head(50)
    frame.loc[7, "Sex"] = "robot"
    frame.loc[3, "Name"] = '=HYPERLINK("http://evil")'
    response = api.post("/api/models/titanic-survival/jobs", data=frame.to_csv(index=False), content_type="text/csv")
    assert response.status_code == 202 and response.headers["Location"].startswith("/api/jobs/")
    record = wait_for_job(api, response.json["job_id"])
    assert record["status"] == "succeeded", record
    result = record["result"]
    assert (result["rows"], result["scored"], result["bad_rows"]) == (50, 49, 1)
    assert result["errors"] == {"8": "Sex: 'robot' is not one of the categories seen in training (female, male)"}
    csv = pd.read_csv(io.BytesIO(api.get(result["result_csv"]).data), keep_default_na=False)
    assert len(csv) == 50 and csv.loc[7, "error"] and csv.loc[3, "Name"].startswith("'=")
    assert {"prediction", "probability_0", "probability_1"} <= set(csv.columns)


def test_async_json_job_and_unknown_job(api):
    response = api.post(
        "/api/models/language-id/jobs", json={"instances": [{"text": "Ciao, come stai oggi amico mio?"}]}
    )
    record = wait_for_job(api, response.json["job_id"])
    assert record["status"] == "succeeded" and record["result"]["predictions"] == ["it"]
    assert api.get("/api/jobs/" + "0" * 32).status_code == 404
    assert api.get("/api/jobs/../../etc").status_code == 404
    assert api.post("/api/models/titanic-survival/jobs", data=b"x", content_type="application/zip").status_code == 415


def test_failed_job_reports_its_error(api):
    response = api.post("/api/models/titanic-survival/jobs", data="a,b\n1,2\n", content_type="text/csv")
    record = wait_for_job(api, response.json["job_id"])
    assert record["status"] == "failed" and "missing required column" in json.dumps(record["error"])
    assert api.get("/api/health").status_code == 200  # still serving


def test_restart_requeues_queued_jobs_and_fails_interrupted_ones(tmp_path):
    ran = []

    def runner(context):
        ran.append(context.job_id)
        return {"ok": True}

    queue = JobQueue(tmp_path / "jobs", {"echo": runner}, Paused, FileLocks(tmp_path / "locks"), heartbeat_seconds=1)
    queued = queue.submit("echo", {}, b"")
    running = queue.submit("echo", {}, b"")
    record = queue.get(running["id"])
    record.update(status="running", attempts=1, heartbeat=time.time() - 60)  # its worker went silent a minute ago
    queue._write(running["id"], record)

    restarted = JobQueue(
        tmp_path / "jobs", {"echo": runner}, lambda run: ThreadExecutor(run, 1), FileLocks(tmp_path / "locks")
    )
    assert restarted.recover() == {"requeued": 1}
    restarted.executor.shutdown()
    assert restarted.get(queued["id"])["status"] == "succeeded" and ran == [queued["id"]]
    failed = restarted.get(running["id"])
    assert failed["status"] == "failed" and "interrupted" in failed["error"] and "silent for" in failed["error"]
    assert oct(os.stat(tmp_path / "jobs").st_mode & 0o777) == "0o700"


class Paused:
    """An executor that never runs anything: jobs stay queued, as if the server died."""

    durable = redelivers = False

    def __init__(self, run):
        self.run = run

    def submit(self, job_id):
        pass

    def revoke(self, job_id):
        pass


class Redelivering(Paused):
    """A broker that hands a job to a second worker after the first one died."""

    redelivers = True


def test_cancel_a_queued_job(tmp_path):
    queue = JobQueue(tmp_path / "jobs", {"echo": lambda c: {}}, Paused, FileLocks(tmp_path / "locks"))
    job = queue.submit("echo", {}, b"")
    assert queue.cancel(job["id"])["status"] == "cancelled"
    queue.run(job["id"])  # a late worker must not run it
    assert queue.get(job["id"])["status"] == "cancelled"


def test_cancel_of_an_unknown_job_creates_nothing(tmp_path):
    queue = JobQueue(tmp_path / "jobs", {"echo": lambda c: {}}, Paused, FileLocks(tmp_path / "locks"))
    with pytest.raises(JobNotFoundError):
        queue.cancel("0" * 32)
    assert list((tmp_path / "jobs").iterdir()) == []


def test_a_redelivered_job_is_taken_over_once_its_worker_is_silent(tmp_path):
    ran = []
    queue = JobQueue(
        tmp_path / "jobs",
        {"echo": lambda c: ran.append(c.job_id) or {"ok": True}},
        Redelivering,
        FileLocks(tmp_path / "locks"),
        heartbeat_seconds=0.05,
    )
    job = queue.submit("echo", {}, b"")
    record = queue.get(job["id"])
    record.update(status="running", attempts=1, heartbeat=time.time())  # the first worker just died
    queue._write(job["id"], record)
    queue.run(job["id"])  # the redelivery waits out the silence, then runs it as attempt 2
    done = queue.get(job["id"])
    assert done["status"] == "succeeded" and done["attempts"] == 2 and ran == [job["id"]]


def test_a_job_whose_worker_died_three_times_fails_with_the_reason(tmp_path):
    queue = JobQueue(tmp_path / "jobs", {"echo": lambda c: {}}, Redelivering, FileLocks(tmp_path / "locks"))
    job = queue.submit("echo", {}, b"")
    record = queue.get(job["id"])
    record.update(status="running", attempts=3, heartbeat=time.time() - 3600)
    queue._write(job["id"], record)
    queue.run(job["id"])
    failed = queue.get(job["id"])
    assert failed["status"] == "failed" and "died 3 times" in failed["error"]


def test_retention_removes_finished_jobs_only_after_the_ttl(tmp_path):
    ttl = 3600
    queue = JobQueue(
        tmp_path / "jobs",
        {"echo": lambda c: {"ok": True}},
        lambda run: ThreadExecutor(run, 1),
        FileLocks(tmp_path / "locks"),
        ttl_seconds=ttl,
    )
    done = [queue.submit("echo", {}, b"x" * 1000) for _ in range(3)]
    queue.executor.shutdown()
    waiting = JobQueue(tmp_path / "jobs", {"echo": lambda c: {}}, Paused, FileLocks(tmp_path / "locks"))
    queued = waiting.submit("echo", {}, b"")
    assert queue.sweep() == 0  # nothing is old yet
    assert queue.sweep(now=time.time() + ttl + 5) == 3
    left = {p.name for p in (tmp_path / "jobs").iterdir() if not p.name.startswith(".")}
    assert left == {queued["id"]}  # a job still queued is never swept
    for job in done:
        with pytest.raises(JobNotFoundError):
            queue.get(job["id"])
    locks = FileLocks(tmp_path / "locks")
    assert len(list(locks.directory.glob("*.lock"))) == 3  # one per job that changed state
    past = time.time() - ttl - 5
    for path in locks.directory.glob("*.lock"):
        os.utime(path, (past, past))
    assert locks.sweep(ttl) == 3 and not list(locks.directory.glob("*.lock"))


def test_openapi_lists_each_models_input_schema(api):
    spec = api.get("/api/openapi.json").json
    assert spec["openapi"].startswith("3.")
    titanic = spec["components"]["schemas"]["titanic-survival-input"]
    assert titanic["properties"]["Sex"]["enum"] == ["female", "male"]
    assert "Age" not in titanic["required"] and "Pclass" in titanic["required"]
    assert "/api/models/language-id/predict" in spec["paths"]


def test_numbers_beyond_float32_are_named_not_crashes(api):
    """Found by schemathesis: 3.4e38 is finite for Python but infinite for float32 trees."""
    response = api.post("/api/models/titanic-survival/predict", json={**TITANIC_ROW, "SibSp": 3.5e38})
    assert response.status_code == 400 and response.json["error"]["field"] == "SibSp"
    assert "too large" in response.json["error"]["message"]


def test_json_job_records_may_omit_optional_fields(api):
    """Found by schemathesis: an absent optional key is a missing value, not a missing column."""
    row = {k: v for k, v in TITANIC_ROW.items() if k not in ("Age", "Embarked", "Fare")}
    record = wait_for_job(api, api.post("/api/models/titanic-survival/jobs", json={"instances": [row]}).json["job_id"])
    assert record["status"] == "succeeded" and record["result"]["scored"] == 1


def test_labels_match_predict_for_argmax_and_other_estimators(training):
    """One pass (argmax of probabilities) only where scikit-learn defines predict that way."""
    from sklearn.svm import SVC

    from dashboard.serving.adapters import labels_and_probabilities
    from dashboard.train.demo import DEMO_MODELS

    prepared = training.prepare(DEMO_MODELS[0].spec)
    X, y = prepared.X, prepared.y
    for estimator in (prepared.build(), prepared.build().set_params(model=SVC(probability=True, random_state=0))):
        fitted = estimator.fit(X, y)
        labels, proba = labels_and_probabilities(fitted, X)
        assert (labels == fitted.predict(X)).all()
        assert (proba == fitted.predict_proba(X)).all()


@pytest.mark.parametrize(
    "damage",
    [
        lambda root: (root / "ames-house-price" / "versions" / "1" / "card.json").write_text("{not json"),
        lambda root: (root / "ames-house-price" / "versions" / "1" / "card.json").write_text('{"name": "x"}'),
        lambda root: (root / "ames-house-price" / "aliases.json").write_bytes(b"\xff\xfe garbage"),
    ],
)
def test_one_damaged_model_is_reported_by_name_and_hides_no_other(api, demo_models, damage):
    damage(demo_models)
    listed = api.get("/api/models")
    assert listed.status_code == 200
    by_name = {m["name"]: m for m in listed.json["models"]}
    assert by_name["ames-house-price"]["status"] == "corrupt"
    assert "ames-house-price/" in by_name["ames-house-price"]["error"] and str(demo_models) not in listed.text
    assert by_name["titanic-survival"]["status"] == "ok" and by_name["language-id"]["status"] == "ok"
    spec = api.get("/api/openapi.json")
    assert spec.status_code == 200 and "titanic-survival-input" in spec.json["components"]["schemas"]
    card = api.get("/api/models/ames-house-price")
    assert card.status_code == 500 and card.json["error"]["code"] == "corrupt_model"
    assert api.post("/api/models/titanic-survival/predict", json=TITANIC_ROW).status_code == 200


def test_models_page_names_the_damaged_model(app, demo_models):
    (demo_models / "language-id" / "versions" / "1" / "card.json").write_text("")
    from layouts.models import layout

    with app.server.test_request_context("/models"):
        page = str(layout())
    assert "language-id/versions/1/card.json is damaged" in page and "titanic-survival" in page


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        (b'{"instances": [{"Age": ' + b"9" * 400 + b"}]}", "number_out_of_range", "instances[0].Age"),
        (b"[" * 100_000 + b"]" * 100_000, "too_deep", "body"),
        (b'{"instances": [{"Age": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5000 + b"}]}", "too_deep", None),
        (b'{"instances": [{"Fare": 1e400}]}', "number_out_of_range", "instances[0].Fare"),
        (b'{"instances": [', "invalid_json", "body"),
    ],
    ids=["400-digit-int", "arrays-100k-deep", "objects-5k-deep-in-a-field", "inf", "truncated"],
)
def test_hostile_json_bodies_get_named_400s(api, body, code, field):
    for path in ("/api/models/titanic-survival/predict", "/api/models/titanic-survival/jobs"):
        response = api.post(path, data=body, content_type="application/json")
        assert response.status_code == 400, (path, response.data[:200])
        assert response.json["error"]["code"] == code
        if field:
            assert response.json["error"]["field"] == field
    assert api.get("/api/health").status_code == 200
