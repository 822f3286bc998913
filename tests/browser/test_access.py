"""Login and roles in a real browser: a viewer explores and predicts but sees no write control, and a
write callback forged from their own page (their cookies, their CSRF token) answers 403; an editor trains
and saves. Also the browser-side upload limit."""

import shutil

import pytest
from werkzeug.security import generate_password_hash

from dashboard import create_app
from dashboard.runs.query import RunQuery
from dashboard.web import auth
from dashboard.web.users import write_users
from layouts.explorer_ids import ExplorerIds
from layouts.models_ids import ModelsIds, MonitorIds
from layouts.predict_ids import PredictIds
from layouts.shell_ids import ShellIds
from layouts.train_ids import TrainIds
from tests.browser.helpers import click, free_port, serve_folder, upload_file, wait_for_explorer, wait_until
from tests.conftest import make_settings

pytestmark = pytest.mark.browser

FORGE_WRITE = """
const [output, done] = arguments;
const token = document.cookie.split("; ").find(c => c.startsWith("_csrf_token=")).split("=").slice(1).join("=");
fetch("/_dash-update-component", {
  method: "POST",
  headers: {"Content-Type": "application/json", "X-CSRFToken": token},
  body: JSON.stringify({output: output, outputs: {id: "train-save-alert", property: "children"},
    inputs: [{id: "train-save-button", property: "n_clicks", value: 1}], state: [], changedPropIds: []}),
}).then(r => r.json().then(body => done([r.status, body.error.code])));
"""


@pytest.fixture
def login_app(tmp_path, demo_store_template):
    users = tmp_path / "users.json"
    write_users(
        users,
        {
            "vera": {"role": "viewer", "password": generate_password_hash("viewer-pass")},
            "ed": {"role": "editor", "password": generate_password_hash("editor-pass")},
        },
    )
    settings = make_settings(tmp_path, users_file=users)
    shutil.copytree(demo_store_template, settings.model_dir)
    return create_app(settings)


def log_in(dash_duo, name: str, password: str, path: str) -> None:
    dash_duo.driver.get(f"{dash_duo.server.url}{path}")
    dash_duo.wait_for_element("#login-name", timeout=15).send_keys(name)
    dash_duo.find_element("#login-password").send_keys(password)
    dash_duo.find_element("#login-button").click()


def test_viewer_sees_no_write_controls_and_cannot_forge_one_editor_saves_and_uploads(dash_duo, login_app, tmp_path):
    dash_duo.start_server(login_app, navigate=False)  # "/" answers with the login page, not the app
    base = dash_duo.server.url
    log_in(dash_duo, "vera", "viewer-pass", "/data?dataset=titanic")
    wait_for_explorer(dash_duo, "1,309")
    dash_duo.wait_for_text_to_equal(f"#{ShellIds.USER_BADGE}", "vera · viewer")
    assert not dash_duo.find_element(f"#{ExplorerIds.UPLOAD}").is_displayed()
    assert not dash_duo.find_element(f"#{ExplorerIds.DELETE_BUTTON}").is_displayed()

    dash_duo.driver.get(f"{base}/models")
    dash_duo.wait_for_contains_text(f"#{ModelsIds.GRID}", "titanic-survival", timeout=20)
    assert not dash_duo.find_element(f"#{ModelsIds.ALIAS_BUTTON}").is_displayed()
    assert not dash_duo.find_element(f"#{ModelsIds.DELETE_BUTTON}").is_displayed()
    tabs = [t.text for t in dash_duo.find_elements(f"#{MonitorIds.TABS} .nav-link") if t.is_displayed()]
    assert tabs == ["Prediction log", "Drift"]  # the write-only tabs are not offered, empty, to a viewer

    dash_duo.driver.get(f"{base}/predict?model=titanic-survival")
    click(dash_duo, f"#{PredictIds.SUBMIT_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{PredictIds.RESULT}", "titanic-survival v1", timeout=20)

    dash_duo.driver.get(f"{base}/train?dataset=titanic")
    dash_duo.wait_for_element(f"#{TrainIds.RUN_BUTTON}", timeout=15)
    # no Save for a viewer (and before a result, no result views at all)
    assert not any(b.is_displayed() for b in dash_duo.find_elements(f"#{TrainIds.SAVE_BUTTON}"))
    save = auth.write_callbacks(login_app.callback_map, [TrainIds.SAVE_BUTTON]).pop()
    assert dash_duo.driver.execute_async_script(FORGE_WRITE, save) == [403, "forbidden"]
    # Chrome logs the refused request itself; nothing else may be in the console.
    assert [entry["message"] for entry in dash_duo.get_logs()] == [
        f"{base}/_dash-update-component - Failed to load resource: the server responded with a "
        "status of 403 (FORBIDDEN)"
    ]
    assert login_app.server.extensions["dashboard"].models.list() != []  # the demo models, untouched
    click(dash_duo, f"#{ShellIds.LOGOUT_BUTTON}")
    dash_duo.wait_for_element("#login-name", timeout=15)

    log_in(
        dash_duo,
        "ed",
        "editor-pass",
        "/train?dataset=titanic&target=Survived&features=Pclass,Sex,Age,Fare&model=logistic_regression&folds=3",
    )
    dash_duo.wait_for_text_to_equal(f"#{ShellIds.USER_BADGE}", "ed · editor", timeout=15)
    click(dash_duo, f"#{TrainIds.RUN_BUTTON}")
    wait_until(
        dash_duo,
        lambda d: len(d.find_elements("css selector", ".fold-row")) == 3,
        timeout=90,
        msg="fold rows did not appear",
    )
    dash_duo.find_element(f"#{TrainIds.SAVE_NAME_INPUT}").send_keys("titanic-by-ed")
    click(dash_duo, f"#{TrainIds.SAVE_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{TrainIds.SAVE_ALERT}", "Saved titanic-by-ed v1", timeout=60)
    services = login_app.server.extensions["dashboard"]
    assert services.models.card("titanic-by-ed", 1)["task"] == "binary"
    # recorded in the job process that ran it, and saved from the web process: both for who pressed the button
    (run,) = services.runs.page(RunQuery(kind="cv")).rows
    assert run["actor"] == "ed" and run["status"] == "finished"
    assert [(e["actor"], e["event"]) for e in services.models.history("titanic-by-ed")] == [("ed", "saved")]

    # A page upload with login on: the file is posted with the session and the CSRF header.
    dash_duo.driver.get(f"{base}/data?dataset=iris")
    wait_for_explorer(dash_duo, "150")
    sales = tmp_path / "sales.csv"
    sales.write_text("region,amount\nnorth,10\nsouth,20\n")
    upload_file(dash_duo, sales)
    dash_duo.wait_for_contains_text(f"#{ExplorerIds.UPLOAD_ALERT}", "Added 'sales': 2 rows × 2 columns", timeout=30)
    assert login_app.server.extensions["dashboard"].catalog.load("sales")["amount"].tolist() == [10, 20]
    assert dash_duo.get_logs() == []


def test_a_file_over_the_upload_limit_is_named_in_the_page_before_it_is_sent(dash_duo, tmp_path):
    app = create_app(make_settings(tmp_path, max_upload_mb=0.05))
    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/data?dataset=iris")
    wait_for_explorer(dash_duo, "150")
    big = tmp_path / "big.csv"
    big.write_text("a,b\n" + "1,2\n" * 50_000)  # 0.2 MiB
    upload_file(dash_duo, big)
    dash_duo.wait_for_text_to_equal(".file-drop-status", "big.csv: 0.2 MiB is over the 0.05 MiB upload limit")
    assert not any(info.id == "big" for info in app.server.extensions["dashboard"].catalog.list())
    assert dash_duo.get_logs() == []


def test_a_logged_in_viewer_sees_an_embedded_view_in_a_report(dash_duo, tmp_path, demo_store_template):
    users = tmp_path / "users.json"
    write_users(users, {"vera": {"role": "viewer", "password": generate_password_hash("viewer-pass")}})
    # The report is another origin on the same site (as reports.example.com embedding dash.example.com would
    # be): browsers that block third-party cookies still send the viewer's session to a same-site frame.
    report_port = free_port()
    settings = make_settings(tmp_path, users_file=users, frame_ancestors=(f"http://localhost:{report_port}",))
    dash_duo.start_server(create_app(settings), navigate=False)
    log_in(dash_duo, "vera", "viewer-pass", "/data?dataset=titanic")
    wait_for_explorer(dash_duo, "1,309")
    src = f"{dash_duo.server.url}/data?dataset=titanic&column=Age&embed=1"
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text(
        f'<!doctype html><html><head><link rel="icon" href="data:,"></head><body>'
        f'<iframe id="view" src="{src}" style="width:100%;height:900px;border:0"></iframe></body></html>'
    )
    server = serve_folder(tmp_path / "site", report_port)
    try:
        dash_duo.driver.get(f"http://localhost:{report_port}/index.html")
        dash_duo.driver.switch_to.frame("view")
        wait_for_explorer(dash_duo, "1,309")
        dash_duo.wait_for_contains_text(f"#{ExplorerIds.DISTRIBUTION_GRAPH} .xtitle", "Age")
        dash_duo.driver.switch_to.default_content()
        assert dash_duo.get_logs() == []
    finally:
        server.shutdown()
