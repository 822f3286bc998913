"""Access control: local mode only on loopback, login for every page and callback, viewer and editor roles
on the UI's callbacks and the REST API, CSRF tokens on the UI's requests, and the users file's CLI."""

import io
import json
import re

import pytest

import callbacks
from dashboard.settings import Settings, SettingsError
from dashboard.web import auth
from dashboard.web.users import UserDirectory, main, read_users, write_users

TITANIC_ROW = {"Pclass": 3, "Sex": "male", "Age": 22, "SibSp": 1, "Parch": 0, "Fare": 7.25, "Embarked": "S"}


def log_in(client, name: str, password: str, next_path: str = "/"):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token, "next": next_path})


def csrf_header(client) -> dict:
    """What dash-renderer sends: the ``_csrf_token`` cookie set by the last page, as X-CSRFToken."""
    client.get("/")
    return {"X-CSRFToken": client.get_cookie(auth.CSRF_COOKIE).value}


def write_callback(app, control: str) -> str:
    keys = auth.write_callbacks(app.callback_map, [control])
    assert len(keys) == 1
    return keys.pop()


def test_a_non_loopback_host_needs_login_or_an_explicit_opt_out(tmp_path, users):
    with pytest.raises(SettingsError) as info:
        Settings.from_env({"DASHBOARD_HOST": "0.0.0.0"})
    assert "DASHBOARD_HOST" in str(info.value) and "DASHBOARD_USERS_FILE" in str(info.value)
    assert Settings.from_env({"DASHBOARD_HOST": "0.0.0.0", "DASHBOARD_ALLOW_ANONYMOUS": "true"}).host == "0.0.0.0"
    assert Settings.from_env({"DASHBOARD_HOST": "0.0.0.0", "DASHBOARD_USERS_FILE": str(users[0])}).login_required
    for loopback in ("127.0.0.1", "::1", "localhost", "127.0.0.2"):
        assert not Settings.from_env({"DASHBOARD_HOST": loopback}).login_required


def test_local_mode_says_so_on_every_page(client):
    layout = client.get("/_dash-layout").text
    assert "no login: local mode" in layout


def test_pages_and_callbacks_need_a_session(login_app):
    client = login_app.server.test_client()
    page = client.get("/train?dataset=titanic")
    assert page.status_code == 302 and page.headers["Location"] == "/login?next=%2Ftrain%3Fdataset%3Dtitanic"
    for path in ("/_dash-layout", "/_dash-dependencies"):
        assert client.get(path).json["error"]["code"] == "login_required"
    assert client.post("/_dash-update-component", json={}).status_code == 401
    assert client.get("/assets/app.css").status_code == 200  # static files carry no data
    assert client.get("/api/health").status_code == 200


def test_login_refuses_a_wrong_password_and_an_unknown_name_alike(login_app):
    client = login_app.server.test_client()
    for name, password in (("vera", "wrong-pass"), ("nobody", "viewer-pass")):
        response = log_in(client, name, password)
        assert response.status_code == 401 and "Wrong name or password." in response.text
    assert client.get("/").status_code == 302


def test_login_goes_back_to_the_page_asked_for_but_never_to_another_site(login_app):
    client = login_app.server.test_client()
    assert log_in(client, "vera", "viewer-pass", "/models?name=x").headers["Location"] == "/models?name=x"
    for hostile in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        assert log_in(login_app.server.test_client(), "vera", "viewer-pass", hostile).headers["Location"] == "/"


def test_a_login_form_without_its_token_is_refused(login_app):
    client = login_app.server.test_client()
    response = client.post("/login", data={"name": "vera", "password": "viewer-pass"})
    assert response.status_code == 400 and "expired" in response.text
    assert client.get("/").status_code == 302


def test_a_viewer_sees_no_write_controls_and_their_forged_write_callbacks_answer_403(login_app):
    client = login_app.server.test_client()
    log_in(client, "vera", "viewer-pass")
    layout = json.dumps(client.get("/_dash-layout").json, ensure_ascii=False)
    assert "vera · viewer" in layout and "local mode" not in layout
    headers = csrf_header(client)
    keys = auth.write_callbacks(login_app.callback_map, callbacks.WRITE_CONTROLS)
    # upload/delete dataset, save model, RFM, save/export clusters, save recommender, alias/delete; on the
    # monitoring card: recent-data upload, labels upload, stop/resume logging, re-verify, retrain; reports:
    # create, save, delete, and pin from /data, /train, /clusters, /recommend and a model card; /runs: save tags,
    # save a run as a model, try every model
    assert len(keys) == 23
    for key in keys:
        body = {"output": key, "outputs": [], "inputs": [{"id": "x", "property": "n_clicks", "value": 1}], "state": []}
        response = client.post("/_dash-update-component", json=body, headers=headers)
        assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"
    read = {
        "output": "..explorer-correlation-graph.figure...explorer-correlation-pairs.children..",
        "outputs": [
            {"id": "explorer-correlation-graph", "property": "figure"},
            {"id": "explorer-correlation-pairs", "property": "children"},
        ],
        "inputs": [
            {"id": "explorer-dataset-dropdown", "property": "value", "value": "iris"},
            {"id": "explorer-column-dropdown", "property": "value", "value": None},
        ],
        "state": [{"id": "explorer-correlation-graph", "property": "figure", "value": None}],
    }
    assert client.post("/_dash-update-component", json=read, headers=headers).status_code == 200


def test_an_editors_write_callback_needs_the_csrf_token(login_app):
    client = login_app.server.test_client()
    log_in(client, "ed", "editor-pass")
    key = write_callback(login_app, "models-alias-button")
    body = {
        "output": key,
        "outputs": [
            {"id": "models-action-alert", "property": "children"},
            {"id": "models-grid", "property": "rowData"},
            {"id": "models-selected-store", "property": "data"},
        ],
        "inputs": [
            {"id": "models-alias-button", "property": "n_clicks", "value": 1},
            {"id": "models-delete-confirm", "property": "submit_n_clicks", "value": None},
        ],
        "state": [
            {"id": "models-alias-input", "property": "value", "value": "production"},
            {"id": "models-selected-store", "property": "data", "value": {"model": "titanic-survival", "version": 1}},
        ],
        "changedPropIds": ["models-alias-button.n_clicks"],
    }
    refused = client.post("/_dash-update-component", json=body, forged=True)
    assert refused.status_code == 400 and refused.json["error"]["code"] == "csrf_failed"
    assert login_app.server.extensions["dashboard"].models.aliases("titanic-survival") == {}
    assert client.post("/_dash-update-component", json=body, headers=csrf_header(client)).status_code == 200
    assert login_app.server.extensions["dashboard"].models.aliases("titanic-survival") == {"production": 1}


def test_a_removed_user_is_logged_out_at_their_next_request(login_app, users):
    client = login_app.server.test_client()
    log_in(client, "vera", "viewer-pass")
    assert client.get("/").status_code == 200
    entries = read_users(users[0])
    del entries["vera"]
    write_users(users[0], entries)
    assert client.get("/").status_code == 302


def test_logout(login_app):
    client = login_app.server.test_client()
    log_in(client, "vera", "viewer-pass")
    client.post(
        "/logout",
        data={"csrf_token": re.search(r'"value":"([^"]+)","type":"hidden"', client.get("/_dash-layout").text).group(1)},
    )
    assert client.get("/").status_code == 302


def test_the_api_takes_per_user_keys_with_their_roles(login_app, users):
    client = login_app.server.test_client()
    _, keys = users
    viewer, editor = {"X-API-Key": keys["vera"]}, {"X-API-Key": keys["ed"]}
    assert client.get("/api/models").status_code == 401
    assert client.get("/api/models", headers={"X-API-Key": "dk_wrong"}).status_code == 401
    assert client.get("/api/models", headers=viewer).status_code == 200
    predicted = client.post("/api/models/titanic-survival/predict", json=TITANIC_ROW, headers=viewer)
    assert predicted.status_code == 200
    upload = {"file": (io.BytesIO(b"a\n1\n"), "k.csv")}
    refused = client.post("/api/datasets", data=upload, content_type="multipart/form-data", headers=viewer)
    assert refused.status_code == 403 and "editor" in refused.json["error"]["message"]
    upload = {"file": (io.BytesIO(b"a\n1\n"), "k.csv")}
    assert (
        client.post("/api/datasets", data=upload, content_type="multipart/form-data", headers=editor).status_code == 201
    )
    assert client.delete("/api/datasets/k", headers=editor).status_code == 204
    # monitoring: a viewer reads drift and history; re-verifying and retraining write to the store
    drift = "/api/models/titanic-survival/drift?data=titanic"
    assert client.get(drift, headers=viewer).status_code == 200
    evaluations = "/api/models/titanic-survival/evaluations"
    assert client.post(evaluations, json={"data": "titanic"}, headers=viewer).status_code == 403
    assert client.post("/api/models/titanic-survival/retrain", json={}, headers=viewer).status_code == 403
    assert client.post(evaluations, json={"data": "titanic"}, headers=editor).status_code == 201
    assert len(client.get(evaluations, headers=viewer).json["evaluations"]) == 1


def test_the_users_cli_hashes_passwords_and_prints_an_api_key_once(tmp_path, capsys, monkeypatch):
    path = tmp_path / "users.json"
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    assert main(["--file", str(path), "add", "ana", "--role", "editor"]) == 0
    assert main(["--file", str(path), "api-key", "ana"]) == 0
    key = capsys.readouterr().out.split()[-1]
    text = path.read_text()
    assert "a-long-password" not in text and key not in text
    assert path.stat().st_mode & 0o777 == 0o600
    directory = UserDirectory(path)
    assert directory.authenticate("ana", "a-long-password").role == "editor"
    assert directory.authenticate("ana", "wrong") is None
    assert directory.by_api_key(key).name == "ana"
    assert json.loads(text)["users"]["ana"]["password"].startswith("scrypt:")


def test_every_response_carries_the_security_headers(login_app, client):
    for response in (client.get("/"), client.get("/api/nope"), login_app.server.test_client().get("/login")):
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "same-origin"
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self' 'sha256-" in policy and "unsafe-eval" not in policy and "object-src 'none'" in policy


def test_a_forged_callback_with_values_of_the_wrong_shape_answers_a_notice_not_a_500(client, app):
    key = write_callback(app, "models-alias-button")
    body = {
        "output": key,
        "outputs": [
            {"id": "models-action-alert", "property": "children"},
            {"id": "models-grid", "property": "rowData"},
            {"id": "models-selected-store", "property": "data"},
        ],
        "inputs": [
            {"id": "models-alias-button", "property": "n_clicks", "value": 1},
            {"id": "models-delete-confirm", "property": "submit_n_clicks", "value": None},
        ],
        "state": [
            {"id": "models-alias-input", "property": "value", "value": "production"},
            {"id": "models-selected-store", "property": "data", "value": ["not", "a", "selection"]},
        ],
        "changedPropIds": ["models-alias-button.n_clicks"],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    toast = response.json["sideUpdate"]["shell-error-toast"]
    assert toast["is_open"] and "reference" in toast["children"] and "/" not in toast["children"]


def test_errors_show_no_traceback_and_no_path(client):
    missing = client.get("/_dash-component-suites/dash/nope.js")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    for response in (missing, client.put("/"), client.get("/assets/../../etc/passwd")):
        assert (
            "Traceback" not in response.text and "/work" not in response.text and "site-packages" not in response.text
        )
