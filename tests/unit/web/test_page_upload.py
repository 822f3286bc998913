"""Page uploads: the browser posts the raw file to /_dash-upload, the server streams it to disk and answers a
token, and the Explorer's callback turns the token into a dataset. No callback body carries a file."""

import io
import json
import os
import time

import pandas as pd
import pytest

from dashboard import create_app
from dashboard.data.incoming import IncomingFiles
from dashboard.data.upload_base import UploadError
from layouts.explorer_ids import ExplorerIds
from tests.conftest import make_settings
from tests.unit.web.test_auth import csrf_header, log_in

SALES = b"region,amount\nnorth,10\nsouth,20\n"


def _add_dataset_callback(token: str, filename: str = "sales.csv", name: str | None = None) -> dict:
    """The request dash-renderer sends when file_drop.js puts {token, ...} into the received Store."""
    outputs = [
        {"id": ExplorerIds.DATASET_DROPDOWN, "property": "options"},
        {"id": ExplorerIds.DATASET_DROPDOWN, "property": "value"},
        {"id": ExplorerIds.UPLOAD_ALERT, "property": "children"},
    ]
    return {
        "output": "...".join(f"{o['id']}.{o['property']}" for o in outputs).join(["..", ".."]),
        "outputs": outputs,
        "inputs": [
            {"id": ExplorerIds.UPLOAD_RECEIVED, "property": "data", "value": {"token": token, "filename": filename}},
            {"id": ExplorerIds.DELETE_CONFIRM, "property": "submit_n_clicks", "value": None},
        ],
        "state": [
            {"id": ExplorerIds.UPLOAD_NAME_INPUT, "property": "value", "value": name},
            {"id": ExplorerIds.DATASET_DROPDOWN, "property": "value", "value": "titanic"},
        ],
        "changedPropIds": [f"{ExplorerIds.UPLOAD_RECEIVED}.data"],
    }


def _incoming(app) -> IncomingFiles:
    return app.server.extensions["dashboard"].incoming


def test_an_uploaded_file_becomes_a_dataset_through_its_token_and_leaves_nothing_behind(app, client):
    sent = client.post("/_dash-upload?filename=sales.csv", data=SALES)
    assert sent.status_code == 201, sent.json
    assert sent.json["filename"] == "sales.csv" and sent.json["size"] == len(SALES)
    held = _incoming(app).claim(sent.json["token"])
    assert held.path.read_bytes() == SALES  # what arrived is what was sent, byte for byte

    answer = client.post("/_dash-update-component", json=_add_dataset_callback(sent.json["token"], name="q3"))
    assert answer.status_code == 200
    response = answer.json["response"]
    assert response[ExplorerIds.DATASET_DROPDOWN]["value"] == "q3"
    assert "Added 'q3': 2 rows × 2 columns." in json.dumps(response[ExplorerIds.UPLOAD_ALERT], ensure_ascii=False)
    stored = app.server.extensions["dashboard"].catalog.load("q3")
    pd.testing.assert_frame_equal(stored, pd.DataFrame({"region": ["north", "south"], "amount": [10, 20]}))
    assert list(_incoming(app).root.iterdir()) == []  # the received file is deleted once it is a dataset

    again = client.post("/_dash-update-component", json=_add_dataset_callback(sent.json["token"]))
    assert "no longer on the server" in json.dumps(again.json["response"][ExplorerIds.UPLOAD_ALERT])


def test_a_bad_file_names_its_error_in_the_page_and_is_not_kept(app, client):
    token = client.post("/_dash-upload?filename=r.csv", data=b"a,b\n1,2,3,4\n").json["token"]
    answer = client.post("/_dash-update-component", json=_add_dataset_callback(token, "r.csv"))
    alert = json.dumps(answer.json["response"][ExplorerIds.UPLOAD_ALERT])
    assert "line 2 has 4 fields, the header has 2" in alert
    assert ExplorerIds.DATASET_DROPDOWN not in answer.json["response"]  # the current dataset stays selected
    assert list(_incoming(app).root.iterdir()) == []


def test_oversized_and_empty_page_uploads_are_refused_and_leave_nothing(tmp_path):
    app = create_app(make_settings(tmp_path, max_upload_mb=0.01))
    client = app.server.test_client()
    big = b"a\n" + b"1\n" * 10_000  # 20 kB against a 10.5 kB limit

    declared = client.post("/_dash-upload?filename=big.csv", data=big)
    assert declared.status_code == 413 and declared.json["error"]["code"] == "too_large"

    # No Content-Length (as a chunked body): the size is only known by reading, which stops at the limit.
    streamed = client.post("/_dash-upload?filename=big.csv", input_stream=io.BytesIO(big))
    assert streamed.status_code == 413 and streamed.json["error"]["code"] == "too_large"
    empty = client.post("/_dash-upload?filename=e.csv", data=b"")
    assert empty.status_code == 400 and empty.json["error"]["code"] == "empty_file"
    assert list(_incoming(app).root.iterdir()) == []


def test_a_callback_body_is_capped_far_below_the_upload_limit(client):
    padding = "x" * (33 * 2**20)
    answer = client.post(
        "/_dash-update-component", data=json.dumps({"output": padding}), content_type="application/json"
    )
    assert answer.status_code == 413 and answer.json["error"]["field"] == "body"
    assert "32 MiB" in answer.json["error"]["message"]


def test_with_login_the_upload_needs_a_session_and_the_csrf_header(login_app):  # noqa: F811
    client = login_app.server.test_client()
    assert client.post("/_dash-upload?filename=s.csv", data=SALES).status_code == 401
    log_in(client, "ed", "editor-pass")
    forged = client.post("/_dash-upload?filename=s.csv", data=SALES, forged=True)
    assert forged.status_code == 400 and forged.json["error"]["code"] == "csrf_failed"
    sent = client.post("/_dash-upload?filename=s.csv", data=SALES, headers=csrf_header(client))
    assert sent.status_code == 201


@pytest.mark.parametrize("token", ["../../etc/passwd", "A" * 32, "0" * 31, None, 7, {"x": 1}])
def test_a_token_that_is_not_32_hex_digits_never_names_a_file(tmp_path, token):
    incoming = IncomingFiles(tmp_path / "incoming")
    with pytest.raises(UploadError) as info:
        incoming.claim(token)
    assert info.value.code == "upload_gone"


def test_files_nobody_claimed_are_swept_after_their_age(tmp_path):
    incoming = IncomingFiles(tmp_path / "incoming", max_age_seconds=60)
    old = incoming.receive(io.BytesIO(SALES), "old.csv", 1000)
    stale = time.time() - 120
    for path in incoming.root.iterdir():
        os.utime(path, (stale, stale))
    fresh = incoming.receive(io.BytesIO(SALES), "new.csv", 1000)  # receiving sweeps
    assert incoming.claim(fresh.token).filename == "new.csv"
    with pytest.raises(UploadError):
        incoming.claim(old.token)
    assert oct(incoming.root.stat().st_mode & 0o777) == "0o700"


@pytest.mark.parametrize(
    ("filename", "stored_as"),
    [
        ("../../etc/passwd.csv", "passwd"),  # folders dropped: never a path outside the data dir
        ("<img src=x onerror=alert(1)>.csv", "img-src-x-onerror-alert-1"),
        ("%2e%2e%2fsales.csv", "2e-2e-2fsales"),
        ("a" * 5000 + ".csv", "a" * 64),  # cut to fit, and still a .csv
    ],
)
def test_hostile_file_names_become_safe_dataset_names(app, client, filename, stored_as):
    sent = client.post("/_dash-upload", query_string={"filename": filename}, data=SALES)
    assert sent.status_code == 201 and len(sent.json["filename"]) <= 120 and "/" not in sent.json["filename"]
    answer = client.post("/_dash-update-component", json=_add_dataset_callback(sent.json["token"], "ignored.csv"))
    chosen = answer.json["response"][ExplorerIds.DATASET_DROPDOWN]["value"]
    assert chosen.startswith(stored_as[:60])
    uploads = app.server.extensions["dashboard"].catalog.uploads.root
    assert sorted(p.name for p in uploads.glob("*.parquet")) == [f"{chosen}.parquet"]


def test_a_refused_upload_names_its_file_on_the_page(client):
    broken = client.post("/_dash-upload?filename=q3%20sales.csv", data=b"a,b\n1,2\n3,4,5,6\n")
    answer = client.post("/_dash-update-component", json=_add_dataset_callback(broken.json["token"], "q3 sales.csv"))
    alert_text = json.dumps(answer.json["response"][ExplorerIds.UPLOAD_ALERT])
    assert "q3 sales.csv: line 3 has 4 fields" in alert_text and '"file: ' not in alert_text
