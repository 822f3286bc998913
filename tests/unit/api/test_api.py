"""HTTP basics: health, catalog, uploads over REST, named JSON errors, API key, frame headers."""

import io

import pytest

from dashboard import create_app
from tests.conftest import make_settings


def test_health(client):
    response = client.get("/api/health")
    assert response.status_code == 200 and response.json["status"] == "ok"


def test_datasets_lists_the_catalog(client):
    datasets = {d["id"]: d for d in client.get("/api/datasets").json["datasets"]}
    assert datasets["titanic"]["rows"] == 1309 and datasets["titanic"]["target"] == "Survived"
    assert {"licence", "source", "synthetic", "task"} <= set(datasets["movielens"])


def test_upload_then_get_then_delete(client):
    response = client.post(
        "/api/datasets", data={"file": (io.BytesIO(b"a,b\n1,2\n"), "tiny.csv")}, content_type="multipart/form-data"
    )
    assert response.status_code == 201, response.json
    assert client.get("/api/datasets/tiny").json["rows"] == 1
    assert client.delete("/api/datasets/tiny").status_code == 204
    assert client.get("/api/datasets/tiny").status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ((io.BytesIO(b""), "e.csv"), 400, "empty_file"),
        ((io.BytesIO(b"a,b\n1,2,3,4\n"), "r.csv"), 400, "ragged_rows"),
        ((io.BytesIO(b"x"), "x.exe"), 400, "unsupported_format"),
    ],
)
def test_bad_uploads_get_named_json_errors(client, body, status, code):
    response = client.post("/api/datasets", data={"file": body}, content_type="multipart/form-data")
    assert response.status_code == status
    assert response.json["error"]["code"] == code and response.json["error"]["field"] == "file"


def test_upload_without_file_is_415(client):
    response = client.post("/api/datasets", json={"x": 1})
    assert response.status_code == 415 and response.json["error"]["field"] == "file"


def test_too_large_upload_is_413(tmp_path):
    app = create_app(make_settings(tmp_path, max_upload_mb=0.001))
    response = app.server.test_client().post(
        "/api/datasets",
        data={"file": (io.BytesIO(b"a\n" + b"1\n" * 5000), "big.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413 and response.json["error"]["code"] == "too_large"


def test_unknown_and_hostile_dataset_ids_are_404(client):
    for dataset_id in ("nope", "..%2F..%2Fetc", "%3Cscript%3E"):
        response = client.get(f"/api/datasets/{dataset_id}")
        assert response.status_code == 404 and response.is_json
    assert client.delete("/api/datasets/titanic").json["error"]["code"] == "builtin_dataset"


def test_api_key_guards_writes_when_set(tmp_path):
    app = create_app(make_settings(tmp_path, api_key="s3cret"))
    client = app.server.test_client()
    upload = {"file": (io.BytesIO(b"a\n1\n"), "k.csv")}
    assert client.post("/api/datasets", data=upload, content_type="multipart/form-data").status_code == 401
    ok = client.post(
        "/api/datasets",
        data={"file": (io.BytesIO(b"a\n1\n"), "k.csv")},
        content_type="multipart/form-data",
        headers={"X-API-Key": "s3cret"},
    )
    assert ok.status_code == 201
    assert client.get("/api/datasets").status_code == 200  # reads stay open


def test_frame_headers_default_to_same_origin(client):
    headers = client.get("/").headers
    assert "frame-ancestors 'self'" in headers["Content-Security-Policy"].split("; ")
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_frame_ancestors_allowlist(tmp_path):
    app = create_app(make_settings(tmp_path, frame_ancestors=("https://reports.example.com",)))
    headers = app.server.test_client().get("/data?embed=1").headers
    assert "frame-ancestors 'self' https://reports.example.com" in headers["Content-Security-Policy"].split("; ")
    assert "X-Frame-Options" not in headers  # it would override the allowlist in old browsers


def test_two_apps_in_one_process_each_keep_their_callbacks(tmp_path):
    first = create_app(make_settings(tmp_path / "1"))
    second = create_app(make_settings(tmp_path / "2"))
    assert len(first.callback_map) == len(second.callback_map) > 5


def test_the_host_header_is_not_reflected_into_pages(client):
    for path in ("/", "/data", "/models"):
        refused = client.get(path, headers={"Host": "evil.example"})  # local mode serves loopback names only
        assert refused.status_code == 400 and "evil.example" not in refused.get_data(as_text=True)
        page = client.get(path, headers={"Host": "localhost:8050"}).get_data(as_text=True)
        assert 'property="og:title"' in page  # the static tags are there, and no Host in them


def test_the_dev_server_names_no_versions():
    import http.client
    import threading

    from werkzeug.serving import make_server

    from dashboard.web.devserver import QuietRequestHandler

    server = make_server(
        "127.0.0.1", 0, lambda env, start: start("200 OK", []) or [b""], request_handler=QuietRequestHandler
    )
    threading.Thread(target=server.handle_request, daemon=True).start()
    connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
    connection.request("GET", "/")
    assert connection.getresponse().getheader("Server") == "dashboard"
    server.server_close()


def _real_output(app) -> str:
    return next(iter(app.callback_map))


@pytest.mark.parametrize(
    "body",
    [
        {"output": "nope.children", "outputs": {"id": "nope", "property": "children"}, "inputs": []},
        {"outputs": {"id": "x", "property": "y"}, "inputs": []},
        "REAL-no-outputs",
        "REAL-no-inputs",
        "REAL-inputs-string",
        "REAL-entry-without-id",
        "REAL-inputs-missing-one",
        "MULTI-outputs-short",
        [1, 2, 3],
        "just text",
        None,
    ],
    ids=["unknown-output", "no-output", "no-outputs", "no-inputs", "inputs-string", "entry-without-id",
         "inputs-missing-one", "multi-outputs-short", "array", "string", "null"],
)  # fmt: skip
def test_malformed_callback_requests_are_400_and_reach_no_callback(app, client, body):
    output = _real_output(app)
    real = {"output": output, "outputs": {"id": "a", "property": "b"}, "inputs": [{"id": "a", "property": "b"}]}
    if body == "REAL-no-outputs":
        body = {k: v for k, v in real.items() if k != "outputs"}
    elif body == "REAL-no-inputs":
        body = {k: v for k, v in real.items() if k != "inputs"}
    elif body == "REAL-inputs-string":
        body = {**real, "inputs": "x"}
    elif body == "REAL-entry-without-id":
        body = {**real, "inputs": [{"property": "value"}]}
    elif body == "REAL-inputs-missing-one":  # Dash itself answered this with a 500 (IndexError)
        declared = app.callback_map[output]["inputs"]
        body = {**real, "inputs": [{"id": i["id"], "property": i["property"]} for i in declared][:-1]}
    elif body == "MULTI-outputs-short":  # Dash answered this with a 500 ("Wrong length output_spec")
        key = next(k for k in app.callback_map if k.startswith(".."))
        declared = app.callback_map[key]
        entries = {part: [dict(i) for i in declared.get(part, [])] for part in ("inputs", "state")}
        body = {"output": key, "outputs": [], **entries}
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_callback_request"
    broken = client.post("/_dash-update-component", data=b"{not json", content_type="application/json")
    deep = client.post("/_dash-update-component", data=b"[" * 100_000, content_type="application/json")
    assert broken.status_code == 400 and deep.status_code == 400
    assert client.get("/api/health").status_code == 200


def test_bodies_over_the_limit_are_refused_before_parsing(tmp_path):
    app = create_app(make_settings(tmp_path, max_upload_mb=1))
    response = app.server.test_client().post(
        "/_dash-update-component", data=b"x" * (5 * 2**20), content_type="application/json"
    )
    assert response.status_code == 413 and response.json["error"]["code"] == "too_large"
