"""What a hostile web page or a careless client could do, refused by name (issue 29): another host name
(DNS rebinding) or another site's page writing in local mode, an open redirect after login, a viewer filling
the disk through page uploads, a CSV that is only a byte-order mark."""

from __future__ import annotations

import io
import re
import shutil
from urllib.parse import unquote

import pandas as pd
import pytest

from dashboard import create_app
from dashboard.data.incoming import IncomingFiles
from dashboard.data.upload_base import UploadError
from tests.conftest import make_settings
from tests.unit.web.test_auth import csrf_header, log_in

CSV = pd.DataFrame({"x": range(30), "y": [0, 1] * 15}).to_csv(index=False).encode()


def upload(client, name="t.csv", content=CSV, **headers):
    return client.post(
        "/api/datasets", data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data", headers=headers
    )


def uploads(app) -> list[str]:
    return [i.id for i in app.server.extensions["dashboard"].catalog.list() if i.origin == "upload"]


def test_local_mode_answers_only_loopback_host_names(app, client):
    assert upload(client).status_code == 201
    dataset = uploads(app)[0]
    refused = client.delete(f"/api/datasets/{dataset}", headers={"Host": "attacker.example"})
    assert refused.status_code == 400 and refused.json["error"]["code"] == "bad_host"
    assert uploads(app) == [dataset]  # still there
    for host in ("localhost:8050", "127.0.0.1:8050", "[::1]:8050"):
        assert client.get("/api/health", headers={"Host": host}).status_code == 200


def test_another_sites_page_cannot_write_in_local_mode(app, client):
    hostile = ({"Origin": "http://evil.example"}, {"Origin": "null"}, {"Origin": "http://[::1"}, {"Origin": "garbage"})
    for headers in (*hostile, {"Sec-Fetch-Site": "cross-site"}):
        refused = upload(client, **headers)
        assert refused.status_code == 403 and refused.json["error"]["code"] == "cross_origin", headers
    other_port = upload(client, Origin="http://localhost:3000")  # another local server's page: another origin
    assert other_port.status_code == 403
    assert uploads(app) == []
    assert upload(client, Origin="http://localhost").status_code == 201  # the app's own page
    assert upload(client).status_code == 201  # no browser: curl, a script
    assert client.get("/api/datasets", headers={"Origin": "http://evil.example"}).status_code == 200  # reads pass


def test_local_mode_ui_writes_need_the_pages_csrf_token(app, client):
    """A page that passes the origin checks (an old browser sending neither header) still lacks the token
    that only the app's own page holds: the page upload and the callback that adds its dataset refuse."""
    refused = client.post("/_dash-upload?purpose=dataset&filename=t.csv", data=CSV, forged=True)
    assert refused.status_code == 400 and refused.json["error"] == {
        **refused.json["error"],
        "code": "csrf_failed",
        "field": "X-CSRFToken",
    }
    key = next(k for k, spec in app.callback_map.items() if "models-alias-button" in str(spec["inputs"]))
    body = {"output": key, "outputs": [], "inputs": [], "changedPropIds": []}
    assert client.post("/_dash-update-component", json=body, forged=True).json["error"]["code"] == "csrf_failed"
    # Reading needs no token: a view embedded in another site's report (no cookies in its frame) still draws.
    import callbacks
    from dashboard.web import auth
    from tests.unit.web.test_callback_values import outputs_of

    writes = auth.write_callbacks(app.callback_map, callbacks.WRITE_CONTROLS)
    read = next(k for k in app.callback_map if k not in writes)
    spec = app.callback_map[read]
    entries = {part: [dict(item) for item in spec.get(part, [])] for part in ("inputs", "state")}
    answer = client.post(
        "/_dash-update-component", json={"output": read, "outputs": outputs_of(read), **entries}, forged=True
    )
    assert answer.status_code != 400 or answer.json["error"]["code"] != "csrf_failed"
    sent = client.post("/_dash-upload?purpose=dataset&filename=t.csv", data=CSV)  # as the page sends it
    assert sent.status_code == 201 and "token" in sent.json
    assert uploads(app) == []  # an upload is a dataset only once the page's callback adds it


def test_allowed_hosts_are_a_setting(tmp_path):
    app = create_app(make_settings(tmp_path, allowed_hosts="dash.example.com, reports.example.com"))
    client = app.server.test_client()
    assert client.get("/api/health", headers={"Host": "dash.example.com"}).status_code == 200
    assert client.get("/api/health", headers={"Host": "other.example.com"}).status_code == 400
    # behind a proxy that sends the upstream's name as Host, the public name's pages may still write
    behind_proxy = {"Host": "127.0.0.1:8050", "Origin": "https://dash.example.com"}
    assert upload(client, **behind_proxy).status_code == 201
    assert upload(client, **{**behind_proxy, "Origin": "https://evil.example"}).status_code == 403


@pytest.mark.parametrize("raw", ["/%09/evil.example", "/%0A/evil.example", "//evil.example", "/%5Cevil.example"])
def test_login_never_redirects_to_another_host(tmp_path, users, demo_store_template, raw):  # noqa: F811
    """``/login?next=/%09/evil.example`` once answered ``Location: //evil.example`` (browsers drop the tab)."""
    settings = make_settings(tmp_path, users_file=users[0])
    shutil.copytree(demo_store_template, settings.model_dir)
    client = create_app(settings).server.test_client()
    page = client.get(f"/login?next={raw}").text
    assert 'name="next" value="/"' in page
    answer = log_in(client, "ed", "editor-pass", unquote(raw))
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    kept = log_in(client, "ed", "editor-pass", "/train?dataset=titanic")
    assert kept.headers["Location"] == "/train?dataset=titanic"


def test_a_csv_that_is_only_a_byte_order_mark_is_named(app, client):
    for content in (b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n\r\n"):
        refused = upload(client, content=content)
        assert refused.status_code == 400 and refused.json["error"]["code"] == "empty_file"
    assert client.get("/api/health").status_code == 200


def test_page_uploads_need_the_role_of_their_purpose(tmp_path, users, demo_store_template):  # noqa: F811
    settings = make_settings(tmp_path, users_file=users[0])
    shutil.copytree(demo_store_template, settings.model_dir)
    app = create_app(settings)
    viewer = app.server.test_client()
    log_in(viewer, "vera", "viewer-pass")
    headers = csrf_header(viewer)
    refused = viewer.post("/_dash-upload?purpose=dataset&filename=big.csv", data=CSV, headers=headers)
    assert refused.status_code == 403 and refused.json["error"]["field"] == "role"
    incoming = app.server.extensions["dashboard"].incoming
    assert list(incoming.root.glob("*.bin")) == []  # nothing stored
    scored = viewer.post("/_dash-upload?purpose=score&filename=rows.csv", data=CSV, headers=headers)
    assert scored.status_code == 201  # a viewer may score a batch
    with pytest.raises(UploadError, match="no longer on the server"):  # ...but not add it as a dataset
        incoming.claim(scored.json["token"], "dataset")
    wrong_type = viewer.post("/_dash-upload?purpose=score&filename=rows.parquet", data=b"PAR1", headers=headers)
    assert wrong_type.status_code == 415
    assert viewer.post("/_dash-upload?purpose=nope&filename=x.csv", data=CSV, headers=headers).status_code == 400


def test_a_users_waiting_uploads_are_bounded(tmp_path):
    incoming = IncomingFiles(tmp_path / "incoming")
    limit = 1000
    received = [incoming.receive(io.BytesIO(b"x" * 900), "a.csv", limit, owner="vera") for _ in range(3)]
    with pytest.raises(UploadError) as refused:
        incoming.receive(io.BytesIO(b"x" * 10), "b.csv", limit, owner="vera")
    assert refused.value.code == "too_many_waiting"
    incoming.receive(io.BytesIO(b"x" * 10), "c.csv", limit, owner="ed")  # another user is not held up
    incoming.release(received[0].token)  # taken by its callback: room again
    incoming.receive(io.BytesIO(b"x" * 10), "d.csv", limit, owner="vera")
    assert re.fullmatch(r"[0-9a-f]{32}", received[1].token)


@pytest.fixture
def login_client(tmp_path, users, demo_store_template):  # noqa: F811
    settings = make_settings(tmp_path, users_file=users[0])
    shutil.copytree(demo_store_template, settings.model_dir)
    app = create_app(settings)
    return app, users[0]


def session_cookie(client) -> str:
    return client.get_cookie("dashboard_session").value


def replay(app, cookie: str):
    """A copy of a session cookie, sent from a client of its own."""
    other = app.server.test_client()
    other.set_cookie("dashboard_session", cookie, domain="localhost")
    return other.get("/data")


def test_password_guessing_is_braked_per_account(login_client):
    app, _ = login_client
    client = app.server.test_client()
    for _ in range(5):
        assert log_in(client, "ed", "wrong").status_code == 401
    braked = log_in(client, "ed", "editor-pass")  # the right password waits too
    assert braked.status_code == 429 and int(braked.headers["Retry-After"]) > 0
    assert re.search(r"try again in \d+ s", braked.text)
    assert log_in(client, "vera", "viewer-pass").status_code == 302  # another account is not held up


def test_password_guessing_is_braked_per_address(login_client):
    app, _ = login_client
    client = app.server.test_client()
    for attempt in range(20):  # one guess each for many names: the per-account brake never trips
        assert log_in(client, f"user{attempt}", "guess").status_code == 401
    assert log_in(client, "ed", "editor-pass").status_code == 429


def test_the_brake_counts_every_worker_s_failures(tmp_path, users, demo_store_template):  # noqa: F811
    """Two workers of one machine (two apps on one data and cache dir): a guesser does not get a window each."""
    settings = make_settings(tmp_path, users_file=users[0])
    shutil.copytree(demo_store_template, settings.model_dir)
    first, second = create_app(settings).server.test_client(), create_app(settings).server.test_client()
    for attempt in range(5):
        assert log_in(first if attempt % 2 else second, "ed", "wrong").status_code == 401
    assert log_in(first, "ed", "editor-pass").status_code == 429
    assert log_in(second, "ed", "editor-pass").status_code == 429


def _take_entries(directory, results) -> None:
    from limits import parse, strategies

    from dashboard.web.sessions import disk_windows

    limiter = strategies.MovingWindowRateLimiter(disk_windows(directory))
    results.put(sum(limiter.hit(parse("5/minute"), "one-key") for _ in range(10)))


def test_disk_windows_never_give_two_processes_the_same_last_entry(tmp_path):
    import multiprocessing

    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [context.Process(target=_take_entries, args=(tmp_path / "counts", results)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert sum(results.get(timeout=10) for _ in workers) == 5


def test_a_copied_cookie_is_worth_nothing_after_logout(login_client):
    login_app, _ = login_client
    client = login_app.server.test_client()
    log_in(client, "ed", "editor-pass")
    cookie = session_cookie(client)
    assert replay(login_app, cookie).status_code == 200
    client.post("/logout", headers=csrf_header(client))
    answer = replay(login_app, cookie)
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")


def test_a_password_change_or_removal_ends_the_users_sessions(login_client):
    from werkzeug.security import generate_password_hash

    from dashboard.web.users import read_users, write_users

    app, users_file = login_client
    client = app.server.test_client()
    log_in(client, "ed", "editor-pass")
    cookie = session_cookie(client)
    entries = read_users(users_file)
    entries["ed"]["password"] = generate_password_hash("a-new-password")
    write_users(users_file, entries)
    assert replay(app, cookie).status_code == 302
    assert log_in(client, "ed", "a-new-password").status_code == 302
    cookie = session_cookie(client)
    del entries["ed"]
    write_users(users_file, entries)
    assert replay(app, cookie).status_code == 302


def test_sessions_end_when_idle_and_at_their_absolute_lifetime(login_client, monkeypatch):
    from dashboard.web import sessions

    login_app, _ = login_client
    client = login_app.server.test_client()
    log_in(client, "ed", "editor-pass")
    cookie = session_cookie(client)
    start = sessions.time.time()
    for offset, alive in ((sessions.IDLE_SECONDS - 120, True), (2 * sessions.IDLE_SECONDS, False)):
        monkeypatch.setattr(sessions.time, "time", lambda offset=offset: start + offset)
        assert (replay(login_app, cookie).status_code == 200) is alive
    log_in(client, "ed", "editor-pass")
    cookie = session_cookie(client)
    now = sessions.time.time()
    every = 20 * 60  # used every 20 minutes: never idle, yet over at the absolute lifetime
    alive = []
    for step in range(1, sessions.ABSOLUTE_SECONDS // every + 2):
        monkeypatch.setattr(sessions.time, "time", lambda step=step: now + step * every)
        alive.append(replay(login_app, cookie).status_code == 200)
    assert alive.index(False) == sessions.ABSOLUTE_SECONDS // every - 1 and not any(alive[alive.index(False) :])


def test_the_log_of_an_unknown_model_is_a_404(client):
    answer = client.get("/api/models/no-such-model/predictions")
    assert answer.status_code == 404 and answer.json["error"]["field"] == "model"


def test_a_known_path_with_another_method_is_a_405_naming_the_methods(client):
    answer = client.get("/api/models/titanic-survival/predict")
    assert answer.status_code == 405 and answer.headers["Allow"] == "POST"
    assert client.put("/api/datasets").headers["Allow"] == "GET, POST"
    assert client.get("/api/no-such-thing").status_code == 404


def test_labels_over_rest_need_the_editor_role_as_in_the_ui(login_client, users):  # noqa: F811
    app, _ = login_client
    client = app.server.test_client()
    body = {"labels": [{"request_id": "a" * 32, "label": 1}]}
    viewer = client.post("/api/models/titanic-survival/feedback", json=body, headers={"X-API-Key": users[1]["vera"]})
    assert viewer.status_code == 403
    editor = client.post("/api/models/titanic-survival/feedback", json=body, headers={"X-API-Key": users[1]["ed"]})
    assert editor.status_code == 201


def test_a_failed_jobs_error_has_the_documented_shape(app, demo_models):
    from dashboard.api.schemas import Job
    from tests.unit.helpers import wait_for_job

    client = app.server.test_client()
    bad = client.post("/api/models/titanic-survival/jobs", data=b"Pclass,Sex\n3,robot\n", content_type="text/csv")
    record = wait_for_job(client, bad.json["job_id"])
    assert record["status"] == "failed" and isinstance(record["error"], dict)  # field -> problem
    Job.model_validate(record)


def test_temp_folders_of_killed_saves_are_swept_when_a_store_opens(tmp_path):
    import os
    import time

    from model_store import ModelStore

    stale = tmp_path / "models" / "churn" / ".tmp-killed"
    fresh = tmp_path / "models" / "churn" / ".tmp-saving-now"
    for folder in (stale, fresh):
        folder.mkdir(parents=True)
        (folder / "model.skops").write_bytes(b"half")
    hours_ago = time.time() - 3 * 3600
    os.utime(stale, (hours_ago, hours_ago))
    ModelStore(tmp_path / "models")
    assert not stale.exists() and fresh.exists()  # a save in progress elsewhere is left alone


def test_retrain_refuses_at_once_what_re_verification_refuses(app, demo_models):
    """A dataset without the model's target was accepted (202) and failed as a job; now both refuse it."""
    services = app.server.extensions["dashboard"]
    frame = services.catalog.load("titanic").drop(columns=["Survived"])
    services.catalog.add_upload("unlabelled.csv", frame.to_csv(index=False).encode(), name="unlabelled")
    client = app.server.test_client()
    jobs_before = sorted(p.name for p in services.queue.root.glob("*"))
    for path in ("evaluations", "retrain"):
        answer = client.post(f"/api/models/titanic-survival/{path}", json={"data": "unlabelled"})
        assert answer.status_code == 400 and answer.json["error"]["field"] == "data", path
    assert sorted(p.name for p in services.queue.root.glob("*")) == jobs_before  # no job queued
