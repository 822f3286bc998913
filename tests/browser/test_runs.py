"""/runs in the browser: runs made on Train are listed with the scores their cross-validation computed, a
search narrows them, ticking two compares them (numbers equal the runs' own), ticking one tags it or saves it
as a model (with the run's cross-validated metrics on its card), and the
page opened cold from its permalink shows the same comparison; axe-core and the console stay clean."""

from __future__ import annotations

import os

import pytest

from dashboard.runs.query import RunQuery
from layouts.runs_ids import RunsIds
from tests.browser.helpers import click, wait_for_app_ready, wait_until
from tests.browser.test_accessibility import RUN_AXE, axe_source
from tests.unit.helpers import small_run

pytestmark = pytest.mark.browser


def _grid_rows(driver) -> list[dict[str, str]]:
    """The grid's drawn rows in order, each as {column: text}."""
    return driver.execute_script(
        """
        const rows = [...document.querySelectorAll(arguments[0] + ' .ag-center-cols-container [role=row][row-index]')];
        rows.sort((a, b) => +a.getAttribute('row-index') - +b.getAttribute('row-index'));
        return rows.map(r => Object.fromEntries(
            [...r.querySelectorAll('[col-id]')].map(c => [c.getAttribute('col-id'), c.innerText.trim()])));
        """,
        f"#{RunsIds.GRID}",
    )


def _titles(driver) -> list[str]:
    """The titles of the figures drawn in the comparison."""
    return driver.execute_script(
        "return [...document.querySelectorAll(arguments[0] + ' .gtitle')].map(t => t.textContent);",
        f"#{RunsIds.COMPARE}",
    )


def _tick(dash_duo, row: int) -> None:
    """Tick the grid row's box (a click dispatched on it: the page may still be settling around the grid)."""
    box = dash_duo.driver.find_elements("css selector", f"#{RunsIds.GRID} .ag-selection-checkbox input")[row]
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", box)


def test_runs_are_listed_compared_and_tagged(dash_duo, app):
    services = app.server.extensions["dashboard"]
    logistic = small_run()
    forest = logistic.model_copy(update={"estimator": "random_forest", "params": {"n_estimators": 30}})
    _, first, _ = services.training.run(logistic)
    _, second, _ = services.training.run(forest)
    dash_duo.start_server(app, navigate=False)
    dash_duo.driver.get(dash_duo.server.url + "/runs")
    wait_for_app_ready(dash_duo)
    wait_until(dash_duo, lambda d: len(_grid_rows(d)) == 2, msg="the grid did not list the two runs")
    rows = _grid_rows(dash_duo.driver)
    assert [r["model"] for r in rows] == ["random_forest", "logistic_regression"]  # newest first
    assert [r["score"] for r in rows] == [f"{r.summary['roc_auc']['mean']:.4f}" for r in (second, first)]
    assert all(r["open"] == "Open" for r in rows)

    search = dash_duo.find_element(f"#{RunsIds.SEARCH}")
    search.send_keys("forest\n")
    wait_until(dash_duo, lambda d: [r["model"] for r in _grid_rows(d)] == ["random_forest"], msg="no narrowing")
    search.clear()
    search.send_keys("\n")
    wait_until(dash_duo, lambda d: len(_grid_rows(d)) == 2, msg="clearing the search did not list both")

    _tick(dash_duo, 1)
    wait_until(dash_duo, lambda d: not d.find_element("id", RunsIds.TAGS).get_property("disabled"), msg="no editor")
    dash_duo.find_element(f"#{RunsIds.TAGS}").send_keys("baseline, <b>bold</b>")
    click(dash_duo, f"#{RunsIds.SAVE_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{RunsIds.ALERT}", "saved", timeout=20)
    run = services.runs.page(RunQuery(model="logistic_regression")).rows[0]
    assert run["tags"] == ["baseline", "<b>bold</b>"]

    wait_until(dash_duo, lambda d: d.find_element("id", RunsIds.TAGS).get_property("disabled"), msg="still ticked")
    wait_until(dash_duo, lambda d: "<b>bold</b>" in d.find_element("id", RunsIds.GRID).text, msg="tags not shown")

    _tick(dash_duo, 1)  # the same run, saved to the model store
    named = lambda d: not d.find_element("id", RunsIds.MODEL_NAME).get_property("disabled")  # noqa: E731
    wait_until(dash_duo, named, msg="the model name stayed disabled")
    dash_duo.find_element(f"#{RunsIds.MODEL_NAME}").send_keys("titanic-baseline")
    click(dash_duo, f"#{RunsIds.PROMOTE_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{RunsIds.PROMOTE_ALERT}", "Saved titanic-baseline v1", timeout=60)
    card = services.models.card("titanic-baseline", 1)
    assert card["run"] == run["id"] and card["metrics"]["roc_auc"] == pytest.approx(first.summary["roc_auc"]["mean"])
    wait_until(dash_duo, lambda d: d.find_element("id", RunsIds.TAGS).get_property("disabled"), msg="still ticked")
    _tick(dash_duo, 1)  # logistic first: the reference
    wait_until(dash_duo, lambda d: not d.find_element("id", RunsIds.TAGS).get_property("disabled"), msg="no editor")
    _tick(dash_duo, 0)
    dash_duo.wait_for_contains_text(f"#{RunsIds.COMPARE}", "Comparing 2 runs", timeout=20)
    table = dash_duo.find_element(f"#{RunsIds.COMPARE} table").text
    diff = second.summary["roc_auc"]["mean"] - first.summary["roc_auc"]["mean"]
    assert f"{first.summary['roc_auc']['mean']:.4f}" in table and f"({diff:+.4f})" in table
    link = dash_duo.find_element(f"#{RunsIds.PERMALINK_LINK}").get_attribute("href")
    assert link.endswith(f"ids={run['id']}%2C{run['id'] + 1}")  # logistic first: the reference

    dash_duo.driver.delete_all_cookies()
    dash_duo.driver.get(link)  # cold, from the permalink
    wait_for_app_ready(dash_duo)
    dash_duo.wait_for_contains_text(f"#{RunsIds.COMPARE}", "Comparing 2 runs", timeout=20)
    assert "n_estimators" in dash_duo.find_element(f"#{RunsIds.COMPARE}").text
    # their ROC curves overlaid from the cached results, each named with its run and its AUC
    wait_until(dash_duo, lambda d: "ROC, mean over the same folds" in _titles(d), msg="no overlaid ROC")
    legend = dash_duo.find_element(f"#{RunsIds.COMPARE}").text
    for number, result in ((run["id"], first), (run["id"] + 1, second)):
        assert f"#{number} " in legend and f"AUC {result.summary['roc_auc']['mean']:.3f}" in legend
    assert "roc_auc against the parameters that differ" in " ".join(_titles(dash_duo.driver))
    if shots := os.environ.get("DASHBOARD_SHOTS"):
        dash_duo.driver.set_window_size(1280, dash_duo.driver.execute_script("return document.body.scrollHeight"))
        dash_duo.driver.save_screenshot(os.path.join(shots, "runs-compare.png"))
        dash_duo.driver.set_window_size(1280, 1000)
    wait_until(dash_duo, lambda d: len(_grid_rows(d)) == 2, msg="the grid is empty on a cold load")
    assert _grid_rows(dash_duo.driver)[1]["tags"] == "baseline, <b>bold</b>"  # a tag is text, never markup
    dash_duo.driver.get(dash_duo.server.url + "/runs?dataset=titanic&target=Survived")  # a leaderboard, cold
    wait_for_app_ready(dash_duo)
    dash_duo.wait_for_contains_text(f"#{RunsIds.BOARD}", "roc_auc (higher is better)", timeout=20)
    board = dash_duo.find_element(f"#{RunsIds.BOARD}").text
    assert board.index("logistic_regression") < board.index("random_forest")  # 0.83 above 0.82 here
    assert f"{first.summary['roc_auc']['mean']:.4f}" in board
    budget = dash_duo.find_element(f"#{RunsIds.BOARD_BUDGET}")
    budget.clear()
    budget.send_keys("1")
    click(dash_duo, f"#{RunsIds.TRY_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{RunsIds.TRY_ALERT}", "Tried", timeout=120)
    tried = services.runs.page(RunQuery(sort=("id",))).rows[2:]
    assert tried and {r["group"] for r in tried} == {tried[0]["group"]} and tried[0]["group"].startswith("try:")
    if shots := os.environ.get("DASHBOARD_SHOTS"):
        dash_duo.driver.set_window_size(1280, 1300)
        dash_duo.driver.save_screenshot(os.path.join(shots, "runs.png"))
    dash_duo.driver.execute_script(axe_source())
    violations = dash_duo.driver.execute_async_script(RUN_AXE)
    assert [(v["id"], v["targets"]) for v in violations if v["impact"] in ("critical", "serious")] == []
    assert dash_duo.get_logs() == []


def _headers(driver) -> list[str]:
    return driver.execute_script(
        "return [...document.querySelectorAll(arguments[0] + ' .ag-header-cell-text')]"
        ".map(h => h.textContent).filter(t => t);",
        f"#{RunsIds.GRID}",
    )


def test_the_columns_shown_are_chosen_and_kept_in_the_permalink(dash_duo, app):
    app.server.extensions["dashboard"].training.run(small_run())
    dash_duo.start_server(app, navigate=False)
    hide = "dataset,target,metric,fit_seconds,predict_ms_per_row,status,tags,note,rows,kind,actor,created_at,no-such"
    dash_duo.driver.get(dash_duo.server.url + f"/runs?hide={hide}")
    wait_for_app_ready(dash_duo)
    wait_until(dash_duo, lambda d: len(_grid_rows(d)) == 1, msg="the run was not listed")
    assert _headers(dash_duo.driver) == ["Run", "Result", "Model", "Score"]
    status = dash_duo.driver.find_element("css selector", f"#{RunsIds.COLUMNS} input[value=status]")
    dash_duo.driver.execute_script("arguments[0].click();", status)
    wait_until(dash_duo, lambda d: _headers(d) == ["Run", "Result", "Model", "Score", "Status"], msg="not shown")
    assert _grid_rows(dash_duo.driver)[0]["status"] == "finished"  # the rows stay
    link = dash_duo.find_element(f"#{RunsIds.PERMALINK_LINK}").get_attribute("href")
    assert "hide=" + hide.replace(",status", "").replace(",no-such", "").replace(",", "%2C") in link
    if shots := os.environ.get("DASHBOARD_SHOTS"):
        dash_duo.driver.save_screenshot(os.path.join(shots, "runs-columns.png"))
    dash_duo.driver.execute_script(axe_source())  # the open column list too
    violations = dash_duo.driver.execute_async_script(RUN_AXE)
    assert [(v["id"], v["targets"]) for v in violations if v["impact"] in ("critical", "serious")] == []
    assert dash_duo.get_logs() == []
