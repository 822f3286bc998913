"""Saved reports over REST: pinned views kept on the server, edited on the version they were read at, exported
whole (plotly.js once) with a note where a view cannot be drawn; every refusal named, nothing half-written."""

from __future__ import annotations

import re

import pytest

from dashboard.reports.html import plotly_js
from tests.unit.helpers import SMALL_RUN_QUERY, small_run
from tests.unit.web.test_auth import log_in

TRAIN = f"/train?{SMALL_RUN_QUERY}"
DATA = "/data?dataset=titanic&column=Age&split=Survived&x=Age&y=Fare"
SPEC = small_run()


@pytest.fixture
def client(app):
    return app.server.test_client()


def create(client, **body):
    return client.post("/api/reports", json={"title": "Titanic review", **body})


def test_a_report_of_two_views_exports_as_one_offline_file_with_its_notes(app, client):
    _, result, _ = app.server.extensions["dashboard"].training.run(SPEC)
    answer = create(client, views=[{"url": DATA, "note": "Who travelled: <i>ages</i> and fares."}])
    assert answer.status_code == 201
    report = answer.json
    pinned = client.post(f"/api/reports/{report['id']}/views", json={"url": TRAIN, "note": "The baseline."})
    assert pinned.status_code == 201 and [v["url"] for v in pinned.json["views"]] == [DATA, TRAIN]
    exported = client.get(f"/api/reports/{report['id']}/export")
    assert exported.status_code == 200
    assert exported.headers["Content-Disposition"] == 'attachment; filename="report-titanic-review.html"'
    page = exported.get_data(as_text=True)
    assert page.count("* plotly.js") == 1 and len(page.encode()) < 7_000_000
    ours = page.replace(plotly_js(cartesian=True), "")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", ours)
    assert "1. Titanic passengers: explore" in page and "2. Logistic regression on titanic" in page
    assert "&lt;i&gt;ages&lt;/i&gt;" in page and "<i>ages</i>" not in page  # the note is escaped
    assert page.index("Who travelled") < page.index("The baseline.")
    assert f"{result.summary['roc_auc']['mean']:.4f}" in page


def test_edits_reorder_and_annotate_on_the_version_they_were_read_at(client):
    report = create(client, views=[{"url": DATA}, {"url": TRAIN, "note": "first"}]).json
    swapped = [{"url": TRAIN, "note": "now first"}, {"url": DATA}]
    edited = client.patch(f"/api/reports/{report['id']}", json={"version": 1, "views": swapped, "title": "Renamed"})
    assert edited.status_code == 200 and edited.json["version"] == 2 and edited.json["title"] == "Renamed"
    assert [v["note"] for v in edited.json["views"]] == ["now first", ""]
    stale = client.patch(f"/api/reports/{report['id']}", json={"version": 1, "views": []})
    assert stale.status_code == 409 and stale.json["error"]["code"] == "stale_version"
    assert len(client.get(f"/api/reports/{report['id']}").json["views"]) == 2  # nothing changed
    listed = client.get("/api/reports").json["reports"]
    assert [(r["title"], r["views"]) for r in listed] == [("Renamed", 2)]
    assert client.delete(f"/api/reports/{report['id']}").status_code == 204
    assert client.get(f"/api/reports/{report['id']}").status_code == 404


def test_a_view_whose_dataset_was_deleted_is_a_note_and_the_rest_exports(app, client):
    services = app.server.extensions["dashboard"]
    frame = services.catalog.load("titanic")[["Survived", "Age", "Fare"]]
    info, _ = services.catalog.add_upload("gone.csv", frame.to_csv(index=False).encode(), name="gone")
    report = create(client, views=[{"url": f"/data?dataset={info.id}"}, {"url": DATA}]).json
    services.catalog.delete(info.id)
    page = client.get(f"/api/reports/{report['id']}/export").get_data(as_text=True)
    assert "This view was not exported: its dataset is no longer in the catalog." in page
    assert "2. Titanic passengers: explore" in page


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"title": ""}, 400, "title"),
        ({"title": "x" * 201}, 400, "title"),
        ({"title": "t", "views": [{"url": "https://evil.example/data"}]}, 400, "views[0].url"),
        ({"title": "t", "views": [{"url": "/predict"}]}, 404, "views[0].url.path"),
        ({"title": "t", "views": [{"url": DATA, "note": 5}]}, 400, "views[0].note"),
        ({"title": "t", "views": [{"url": DATA}] * 51}, 400, "views"),
        ({"title": "t", "views": "all"}, 400, "views"),
    ],
)
def test_bad_reports_are_refused_by_field_and_nothing_is_saved(client, body, status, field):
    answer = client.post("/api/reports", json=body)
    assert answer.status_code == status and answer.json["error"]["field"] == field
    assert client.get("/api/reports").json["reports"] == []


def test_unknown_empty_and_hostile_report_ids_are_named(client):
    empty = create(client).json
    answer = client.get(f"/api/reports/{empty['id']}/export")
    assert answer.status_code == 400 and answer.json["error"]["field"] == "report.views"
    for report_id in ("../../etc/passwd", "nope", "x" * 200, "%2e%2e"):
        assert client.get(f"/api/reports/{report_id}/export").status_code == 404
        assert client.patch(f"/api/reports/{report_id}", json={"version": 1}).status_code in (404, 405)


def test_viewers_read_and_export_but_only_editors_write(login_app, users):  # noqa: F811
    _, keys = users
    client = login_app.server.test_client()
    made = client.post("/api/reports", json={"title": "t"}, headers={"X-API-Key": keys["ed"]})
    assert made.status_code == 201 and made.json["owner"] == "ed"  # the key's user
    viewer = {"X-API-Key": keys["vera"]}
    assert client.post("/api/reports", json={"title": "t"}, headers=viewer).status_code == 403
    assert client.patch(f"/api/reports/{made.json['id']}", json={"version": 1}, headers=viewer).status_code == 403
    assert client.get(f"/api/reports/{made.json['id']}", headers=viewer).status_code == 200
    assert client.get("/api/reports").status_code == 401  # no key, no session
    browser = login_app.server.test_client()
    log_in(browser, "vera", "viewer-pass")
    assert browser.get(f"/api/reports/{made.json['id']}").status_code == 200  # a page's link, with the session


def test_hostile_dataset_and_report_names_are_escaped_in_the_file(app, client):
    services = app.server.extensions["dashboard"]
    frame = services.catalog.load("titanic")[["Survived", "Age", "Fare"]].rename(columns={"Fare": "<img src=x>"})
    hostile = "<script>alert(1)</script>"
    info, _ = services.catalog.add_upload("h.csv", frame.to_csv(index=False).encode(), name=hostile)
    report = create(client, title=f"{hostile} review", views=[{"url": f"/data?dataset={info.id}", "note": hostile}])
    page = client.get(f"/api/reports/{report.json['id']}/export").get_data(as_text=True)
    ours = page.replace(plotly_js(cartesian=True), "")
    assert "<script>alert(1)" not in ours and "<img src=x>" not in ours
    assert "&lt;script&gt;alert(1)&lt;/script&gt; review" in ours
    assert "&lt;img src=x&gt;" in ours  # the column, named in the profile table


def test_a_burst_of_pdf_requests_waits_for_a_printer_then_is_refused_by_name(app, client, monkeypatch):
    import threading

    from dashboard.reports import pdf

    monkeypatch.setattr(pdf, "PRINTERS", threading.BoundedSemaphore(1))
    monkeypatch.setattr(pdf, "WAIT_FOR_PRINTER", 0.1)
    monkeypatch.setattr(pdf, "browser", lambda: "/usr/bin/true")
    pdf.PRINTERS.acquire()  # another request is printing
    answer = client.get("/api/export", query_string={"url": DATA, "format": "pdf"})
    assert answer.status_code == 503 and "printing other PDFs" in answer.json["error"]["message"]


def test_a_report_file_edited_by_hand_is_left_out_not_a_crash(app, client):
    report = create(client).json
    folder = app.server.extensions["dashboard"].reports.folder
    (folder / f"{report['id']}.json").write_text('{"id": 3, "views": "x"')
    assert client.get(f"/api/reports/{report['id']}").status_code == 404
    assert client.get("/api/reports").json["reports"] == []
    assert app.server.test_client().get("/data").status_code == 200  # the pin list still draws


def test_a_forged_save_from_the_page_cannot_store_a_view_rest_would_refuse(app, client):
    """The /reports page's draft lives in the browser: a hand-made callback saving another site's URL or a
    malformed draft is refused by name and nothing changes."""
    from tests.unit.web.test_auth import csrf_header

    report = create(client, views=[{"url": DATA}]).json
    key = next(
        k
        for k in app.callback_map
        if "reports-location.href" in k and "reports-save-button" in str(app.callback_map[k]["inputs"])
    )
    for draft in (
        {"id": report["id"], "version": 1, "views": [{"url": "javascript:alert(1)"}]},
        {"id": report["id"], "version": 1, "views": "all"},
        {"id": report["id"], "version": "1", "views": []},
    ):
        body = {
            "output": key,
            "outputs": [
                {"id": "reports-location", "property": "href"},
                {"id": "reports-alert", "property": "children"},
            ],
            "inputs": [{"id": "reports-save-button", "property": "n_clicks", "value": 1}],
            "state": [
                {"id": "reports-title-input", "property": "value", "value": "t"},
                [],
                {"id": "reports-draft-store", "property": "data", "value": draft},
            ],
            "changedPropIds": ["reports-save-button.n_clicks"],
        }
        answer = client.post("/_dash-update-component", json=body, headers=csrf_header(client))
        assert answer.status_code == 200 and "reports-alert" in answer.text
    assert client.get(f"/api/reports/{report['id']}").json["views"] == [{"url": DATA, "note": ""}]


def test_the_reports_door_holds_against_another_site_a_chunked_body_and_a_bad_body(app, client):
    import http.client
    import threading

    from werkzeug.serving import make_server

    for headers in ({"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        refused = client.post("/api/reports", json={"title": "t"}, headers=headers)
        assert refused.status_code == 403 and refused.json["error"]["code"] == "cross_origin"
    assert client.post("/api/reports", json={"title": "t"}, headers={"Host": "attacker.example"}).status_code == 400
    for raw, code in ((b"not json", "invalid_json"), (b'["a list"]', "invalid_input"), (b"", "invalid_json")):
        answer = client.post("/api/reports", data=raw, content_type="application/json")
        assert answer.status_code == 400 and answer.json["error"]["code"] == code, raw
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=60)
        note = b'{"title": "t", "views": [{"url": "/data", "note": "' + b"x" * (12 * 2**20) + b'"}]}'
        connection.request("POST", "/api/reports", body=iter([note]), headers={"Content-Type": "application/json"})
        assert connection.getresponse().status == 413  # chunked, over the JSON limit: refused, never cut and used
    finally:
        server.shutdown()
    assert client.get("/api/reports").json["reports"] == []


def test_a_viewer_s_session_reads_but_a_replayed_cookie_after_logout_does_not(login_app, users):  # noqa: F811
    _, keys = users
    made = login_app.server.test_client().post(
        "/api/reports", json={"title": "t", "views": [{"url": DATA}]}, headers={"X-API-Key": keys["ed"]}
    )
    browser = login_app.server.test_client()
    log_in(browser, "vera", "viewer-pass")
    assert browser.get(f"/api/reports/{made.json['id']}/export").status_code == 200
    assert browser.post("/api/reports", json={"title": "mine"}).status_code == 401  # writes need an editor's key
    cookie = browser.get_cookie("dashboard_session").value
    from tests.unit.web.test_auth import csrf_header

    browser.post("/logout", headers=csrf_header(browser))
    replayed = login_app.server.test_client()
    replayed.set_cookie("dashboard_session", cookie, domain="localhost")
    assert replayed.get(f"/api/reports/{made.json['id']}/export").status_code == 401
