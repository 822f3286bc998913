"""REST for runs: listed, filtered and sorted, one run and two compared, tagged by an editor only; a query
that does not parse is a named 400; who ran a run is the key's user, also for a background job."""

from __future__ import annotations

import pytest
from dash._callback_context import context_value
from dash._utils import AttributeDict

from dashboard.actors import acting_as, current_actor
from dashboard.app_factory import ACTOR_KEY, _acting_for_requester
from dashboard.errors import FieldError
from dashboard.web import auth
from tests.unit.helpers import small_run, wait_for_job


@pytest.fixture
def two_runs(app):
    services = app.server.extensions["dashboard"]
    logistic = small_run()
    services.training.run(logistic)
    services.training.run(logistic.model_copy(update={"estimator": "random_forest", "params": {"n_estimators": 30}}))
    return services


def test_runs_are_listed_filtered_sorted_and_compared(client, two_runs):
    listing = client.get("/api/runs?sort=-score").json
    assert listing["total"] == 2 and listing["runs"][0]["score"] >= listing["runs"][1]["score"]
    assert all(r["dataset_state"] == "present" and r["reopenable"] for r in listing["runs"])
    forest = client.get("/api/runs?model=random_forest").json["runs"]
    assert [r["model"] for r in forest] == ["random_forest"]
    assert client.get("/api/runs?q=n_estimators=30").json["total"] == 1
    one = client.get(f"/api/runs/{forest[0]['id']}").json
    assert one["params"]["n_estimators"] == 30 and one["status"] == "finished"
    ids = ",".join(str(r["id"]) for r in listing["runs"])
    table = client.get(f"/api/runs/compare?ids={ids}").json
    (auc,) = [m for m in table["metrics"] if m["metric"] == "roc_auc"]
    assert auc["mean"] == [r["score"] for r in listing["runs"]]


@pytest.mark.parametrize(
    ("query", "field"),
    [("sort=secret", "sort"), ("status=done", "status"), ("limit=0", "limit"), ("colour=red", "colour")],
)
def test_a_query_that_does_not_parse_is_a_named_400(client, query, field):
    answer = client.get(f"/api/runs?{query}")
    assert answer.status_code == 400 and answer.json["error"]["field"] == field


def test_unknown_runs_are_404_and_a_comparison_of_one_is_refused(client, two_runs):
    assert client.get("/api/runs/424242").status_code == 404
    assert client.get("/api/runs/compare?ids=1,424242").status_code == 404
    assert client.get("/api/runs/compare?ids=1").json["error"]["field"] == "ids"


def test_only_an_editor_tags_a_run_and_stale_edits_are_refused(login_app, users):
    client = login_app.server.test_client()
    services = login_app.server.extensions["dashboard"]
    services.training.run(small_run())
    viewer, editor = ({"X-API-Key": users[1][name]} for name in ("vera", "ed"))
    run_id = client.get("/api/runs", headers=viewer).json["runs"][0]["id"]
    assert client.patch(f"/api/runs/{run_id}", json={"add_tags": ["x"]}, headers=viewer).status_code == 403
    assert client.get("/api/runs").status_code == 401
    edited = client.patch(f"/api/runs/{run_id}", json={"add_tags": ["<script>"], "revision": 1}, headers=editor)
    assert edited.status_code == 200 and edited.json["tags"] == ["<script>"] and edited.json["revision"] == 2
    stale = client.patch(f"/api/runs/{run_id}", json={"note": "late", "revision": 1}, headers=editor)
    assert stale.status_code == 409 and stale.json["error"]["code"] == "stale_revision"
    bad = client.patch(f"/api/runs/{run_id}", json={"colour": "red"}, headers=editor)
    assert bad.status_code == 400 and bad.json["error"]["field"] == "body"
    with login_app.server.test_request_context(headers=editor):
        assert auth.requester_name() == "ed"


def test_a_background_job_acts_for_the_user_whose_request_started_it():
    """Dash hands a job the callback context of the request that started it; ``call_job_fn`` put the
    requester's name in it and the job runs as them."""
    token = context_value.set(AttributeDict({ACTOR_KEY: "vera"}))
    try:
        assert _acting_for_requester(current_actor)() == "vera"
    finally:
        context_value.reset(token)
    assert current_actor() == "local"


def test_the_openapi_document_describes_the_runs_doors(client):
    paths = client.get("/api/openapi.json").json["paths"]
    assert {"/api/runs", "/api/runs/compare", "/api/runs/{run_id}"} <= set(paths)
    assert set(paths["/api/runs/{run_id}"]) >= {"get", "patch"}


def test_a_models_registry_history_is_served_and_shown_on_its_card(demo_models, app, client):
    from layouts.models import card_view

    services = app.server.extensions["dashboard"]
    name = services.models.list()[0]["name"]
    with acting_as("ed"):
        services.models.set_alias(name, "staging", 1)
    (moved, *_) = client.get(f"/api/models/{name}/history").json["events"]
    assert {k: moved[k] for k in ("actor", "event", "alias", "from", "to")} == {
        "actor": "ed",
        "event": "alias_set",
        "alias": "staging",
        "from": None,
        "to": 1,
    }
    assert client.get("/api/models/no-such-model/history").status_code == 404
    card = card_view(services.models.card(name, 1), None, services.models.history(name))
    assert "moved staging: nothing → v1" in str(card)


def test_a_promoted_run_is_saved_with_its_cv_metrics_and_linked_both_ways(app, client):
    services = app.server.extensions["dashboard"]
    _, result, _ = services.training.run(small_run())
    (run,) = client.get("/api/runs").json["runs"]
    answer = client.post(f"/api/runs/{run['id']}/promote", json={"name": "titanic-from-run"})
    assert answer.status_code == 201, answer.json
    card = client.get(answer.headers["Location"]).json
    assert card["run"] == run["id"] and card["version"] == answer.json["version"]
    assert card["metrics"]["roc_auc"] == pytest.approx(result.summary["roc_auc"]["mean"])
    assert card["metrics"]["roc_auc"] == pytest.approx(run["score"])
    assert client.get(f"/api/runs/{run['id']}").json["promoted"] == [{"model": "titanic-from-run", "version": 1}]
    bad = client.post(f"/api/runs/{run['id']}/promote", json={"name": "../etc"})
    assert bad.status_code == 400 and bad.json["error"]["field"] == "name"
    assert client.post("/api/runs/999/promote", json={"name": "x"}).status_code == 404


def test_a_failed_run_or_one_whose_data_was_deleted_is_not_promoted(app, client):
    import pandas as pd

    services = app.server.extensions["dashboard"]
    with pytest.raises(FieldError):
        services.training.run(small_run().model_copy(update={"target": "missing"}))
    frame = pd.DataFrame({"x": range(60), "y": [0, 1] * 30})
    info, _ = services.catalog.add_upload("tiny.csv", frame.to_csv(index=False).encode(), name="tiny")
    services.training.run(small_run().model_copy(update={"dataset": info.id, "target": "y", "features": ("x",)}))
    services.catalog.delete(info.id)
    for run in client.get("/api/runs").json["runs"]:
        refused = client.post(f"/api/runs/{run['id']}/promote", json={"name": "nope"})
        assert refused.status_code == 409 and refused.json["error"]["field"] == "run"
    assert services.models.list() == []


def test_try_every_model_is_a_job_run_as_its_requester_that_fills_the_leaderboard(login_app, users):
    client = login_app.server.test_client()
    editor = {"X-API-Key": users[1]["ed"]}
    body = {"dataset": "titanic", "target": "Survived", "budget_seconds": 1}
    accepted = client.post("/api/runs/try-every-model", json=body, headers=editor)
    assert accepted.status_code == 202
    job = wait_for_job(client, accepted.json["job_id"], timeout=300, headers=editor)
    assert job["status"] == "succeeded", job
    result = job["result"]
    assert result["tried"] and result["tried"][0]["model"] == "logistic_regression"
    board = client.get("/api/runs/leaderboard?dataset=titanic&target=Survived", headers=editor).json
    assert [m["model"] for m in board["models"]] == [m["model"] for m in result["leaderboard"]["models"]]
    runs = client.get("/api/runs", headers=editor).json["runs"]
    assert {r["actor"] for r in runs} == {"ed"} and {r["group"] for r in runs} == {result["group"]}


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"dataset": "titanic", "target": "Survived", "budget_seconds": 0}, 400, "budget_seconds"),
        ({"dataset": "titanic", "target": "Survived", "budget_seconds": True}, 400, "budget_seconds"),
        ({"dataset": "no-such", "target": "x"}, 404, "dataset"),
        ({"dataset": "titanic", "target": "no-such-column"}, 409, "target"),
        ({"dataset": "titanic", "target": "Survived", "colour": 1}, 400, "body"),
    ],
)
def test_try_every_model_refuses_by_name_before_queueing(client, body, status, field):
    answer = client.post("/api/runs/try-every-model", json=body)
    assert (answer.status_code, answer.json["error"]["field"]) == (status, field)
    assert client.get("/api/runs/leaderboard?dataset=no-such&target=x").status_code == 404


def test_the_runs_doors_hold_against_another_site_another_host_bad_and_chunked_oversized_bodies(app, client):
    import http.client
    import threading

    from werkzeug.serving import make_server

    services = app.server.extensions["dashboard"]
    services.training.run(small_run())
    run_id = client.get("/api/runs").json["runs"][0]["id"]
    for headers in ({"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        refused = client.patch(f"/api/runs/{run_id}", json={"add_tags": ["x"]}, headers=headers)
        assert refused.status_code == 403 and refused.json["error"]["code"] == "cross_origin"
        refused = client.post(f"/api/runs/{run_id}/promote", json={"name": "evil"}, headers=headers)
        assert refused.status_code == 403
    assert (
        client.patch(f"/api/runs/{run_id}", json={"note": "x"}, headers={"Host": "attacker.example"}).status_code == 400
    )
    for raw, code in ((b"not json", "invalid_json"), (b"", "invalid_json")):
        answer = client.patch(f"/api/runs/{run_id}", data=raw, content_type="application/json")
        assert answer.status_code == 400 and answer.json["error"]["code"] == code, raw
    for body in (["a list"], {"tags": [1, 2]}, {"tags": "one"}, {"revision": "1"}, {"revision": True}):
        assert client.patch(f"/api/runs/{run_id}", json=body).status_code == 400, body
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=60)
        note = b'{"note": "' + b"x" * (12 * 2**20) + b'"}'
        connection.request(
            "PATCH", f"/api/runs/{run_id}", body=iter([note]), headers={"Content-Type": "application/json"}
        )
        assert connection.getresponse().status == 413  # chunked, over the JSON limit: refused, never cut and used
    finally:
        server.shutdown()
    run = client.get(f"/api/runs/{run_id}").json
    assert (run["tags"], run["note"], run["revision"], services.models.list()) == ([], "", 1, [])


def test_a_viewers_session_reads_runs_but_cannot_tag_or_promote_them(login_app, users):
    from tests.unit.web.test_auth import csrf_header, log_in

    services = login_app.server.extensions["dashboard"]
    services.training.run(small_run())
    browser = login_app.server.test_client()
    log_in(browser, "vera", "viewer-pass")
    run_id = browser.get("/api/runs").json["runs"][0]["id"]
    headers = csrf_header(browser)
    assert browser.patch(f"/api/runs/{run_id}", json={"add_tags": ["x"]}, headers=headers).status_code == 401
    assert browser.post(f"/api/runs/{run_id}/promote", json={"name": "m"}, headers=headers).status_code == 401
    assert services.runs.get(run_id)["tags"] == [] and "m" not in {m["name"] for m in services.models.list()}
