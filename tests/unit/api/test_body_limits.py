"""Body limits hold whatever the framing. A chunked body (no Content-Length) over a limit is a 413 naming the
limit, never cut at the limit and then used: a CSV job once scored the first 843,874 of 850,000 rows it was
sent and succeeded, a 150 MB JSON predict was answered 200, a 300 MB callback body answered 400.

Against a real HTTP server on loopback (Werkzeug's, which, like gunicorn, decodes chunked bodies itself and
says so with ``wsgi.input_terminated``), with bodies sent chunked by ``http.client``.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import threading
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server

from tests.conftest import make_settings

LIMIT_MB = 1


@pytest.fixture
def settings(tmp_path: Path):
    return make_settings(tmp_path, max_upload_mb=LIMIT_MB)


@pytest.fixture
def server(app, demo_models):
    httpd = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_port
    httpd.shutdown()
    thread.join(timeout=10)


def send_chunked(port: int, path: str, body: bytes, content_type: str, headers: dict | None = None) -> tuple[int, dict]:
    """POST ``body`` in 64 KiB chunks with Transfer-Encoding: chunked; the answer's status and JSON."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    chunks = (body[i : i + 65536] for i in range(0, len(body), 65536))
    # the server may answer before reading the rest: the answer is still there to read
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        connection.request(
            "POST", path, body=chunks, headers={"Content-Type": content_type, **(headers or {})}, encode_chunked=True
        )
    response = connection.getresponse()
    status, payload = response.status, response.read()
    connection.close()
    return status, json.loads(payload or b"{}")


def titanic_csv(rows: int) -> bytes:
    row = "3,male,22,1,0,7.25,S\n"
    return ("Pclass,Sex,Age,SibSp,Parch,Fare,Embarked\n" + row * rows).encode()


def job_folders(settings) -> list[Path]:
    root = Path(settings.cache_dir) / "api-jobs"
    return [p for p in root.iterdir() if p.is_dir()] if root.exists() else []


def test_a_chunked_csv_job_over_the_limit_is_refused_and_nothing_is_queued(server, settings):
    body = titanic_csv(80_000)  # 1.7 MB over a 1 MB limit
    assert len(body) > LIMIT_MB * 2**20 * 1.5
    status, answer = send_chunked(server, "/api/models/titanic-survival/jobs", body, "text/csv")
    assert status == 413 and answer["error"]["code"] == "too_large"
    assert "1 MiB" in answer["error"]["message"]
    assert job_folders(settings) == []


def test_a_chunked_csv_job_under_the_limit_scores_every_row(app, server, settings):
    from tests.unit.helpers import wait_for_job

    body = titanic_csv(20_000)  # 0.4 MB
    status, answer = send_chunked(server, "/api/models/titanic-survival/jobs", body, "text/csv")
    assert status == 202
    record = wait_for_job(app.server.test_client(), answer["job_id"])
    assert record["status"] == "succeeded" and record["result"]["scored"] == 20_000


def test_a_chunked_json_predict_over_its_limit_is_a_413(server):
    row = {"Pclass": 3, "Sex": "male", "Age": 22, "SibSp": 1, "Parch": 0, "Fare": 7.25, "Embarked": "S"}
    body = json.dumps({"instances": [row] * 120_000}).encode()  # 11 MB over the 10 MiB JSON limit
    status, answer = send_chunked(server, "/api/models/titanic-survival/predict", body, "application/json")
    assert status == 413 and "10 MiB" in answer["error"]["message"]


def test_a_chunked_callback_body_over_its_limit_is_a_413_not_a_400(server):
    body = json.dumps({"output": "x", "outputs": [], "inputs": [], "pad": "x" * (4 * 2**20)}).encode()
    page = requests.get(f"http://127.0.0.1:{server}/", timeout=30)  # a browser's cookies and CSRF token
    cookies = "; ".join(f"{name}={value}" for name, value in page.cookies.items())
    headers = {"Cookie": cookies, "X-CSRFToken": page.cookies["_csrf_token"]}
    status, answer = send_chunked(server, "/_dash-update-component", body, "application/json", headers)
    assert status == 413 and answer["error"]["field"] == "body"


def test_a_job_is_scored_a_chunk_at_a_time_with_its_rows_numbered_in_the_whole(app, demo_models, monkeypatch):
    """Seven rows a chunk: the result file, the bad rows' numbers and the log's rows are those of the batch."""
    import io

    import pandas as pd

    from dashboard.serving import stream
    from tests.unit.helpers import wait_for_job

    monkeypatch.setattr(stream, "CHUNK_ROWS", 7)
    services = app.server.extensions["dashboard"]
    frame = services.catalog.load("titanic")[["Pclass", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked"]].head(40)
    frame = frame.astype({"Sex": object})
    frame.loc[[3, 25], "Sex"] = "robot"  # bad rows in the first and the fourth chunk
    client = app.server.test_client()
    job = client.post("/api/models/titanic-survival/jobs", data=frame.to_csv(index=False), content_type="text/csv")
    record = wait_for_job(client, job.json["job_id"])
    assert record["status"] == "succeeded"
    assert (record["result"]["rows"], record["result"]["scored"]) == (40, 38)
    assert sorted(map(int, record["result"]["errors"])) == [4, 26]  # 1-based rows of the whole file
    result = pd.read_csv(io.BytesIO(client.get(f"/api/jobs/{job.json['job_id']}/result.csv").data))
    good = frame.drop(index=[3, 25])
    model = services.models.load("titanic-survival").model
    assert len(result) == 40 and result["Sex"].tolist() == frame["Sex"].tolist()
    assert (result.loc[good.index, "probability_1"].to_numpy() == model.predict_proba(good)[:, 1]).all()
    logged = services.predictions.rows("titanic-survival", None, 100)
    assert sorted(logged["row"].tolist()) == sorted(good.index.tolist())


def test_a_csv_that_breaks_near_its_end_fails_whole_and_publishes_nothing(app, demo_models, monkeypatch):
    from dashboard.serving import stream
    from tests.unit.helpers import wait_for_job

    monkeypatch.setattr(stream, "CHUNK_ROWS", 7)
    services = app.server.extensions["dashboard"]
    body = titanic_csv(30) + b"3,male,22,1,0,7.25,S,one field too many\n" + titanic_csv(3).split(b"\n", 1)[1]
    client = app.server.test_client()
    job = client.post("/api/models/titanic-survival/jobs", data=body, content_type="text/csv")
    record = wait_for_job(client, job.json["job_id"])
    assert record["status"] == "failed" and "fields where the first row has 7" in record["error"]["file"]
    assert client.get(f"/api/jobs/{job.json['job_id']}/result.csv").status_code == 404
    assert services.predictions.rows("titanic-survival", None, 100).empty  # nothing scored, nothing logged


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"\xef\xbb\xbf", "the file has no columns"),
        ("Pclass,Sex\n3,m\xe4le\n".encode("latin-1"), "it is not UTF-8 text"),
        (b"Pclass,Sex,Age\n3,male,22,extra\n", "a row has 4 fields where the first row has 3"),
        (b"Pclass,Sex,Age\n", "the CSV has no data rows"),
    ],
)
def test_a_job_of_a_broken_csv_fails_naming_the_problem(app, demo_models, body, message):
    from tests.unit.helpers import wait_for_job

    client = app.server.test_client()
    job = client.post("/api/models/titanic-survival/jobs", data=body, content_type="text/csv")
    record = wait_for_job(client, job.json["job_id"])
    assert record["status"] == "failed" and message in record["error"]["file"]
