"""One rule for what answers when no version is named (the production alias when set, else the latest
version), the same at every door, and each door says which version answered and why. A newer version
saved after production was set (a retrain) changes nothing until someone moves the alias."""

from __future__ import annotations

import pytest

from layouts import home, models, predict
from tests.unit.helpers import wait_for_job

NAME = "titanic-survival"
ROW = {"Pclass": 3, "Sex": "female", "Age": 30, "SibSp": 0, "Parch": 0, "Fare": 8.05, "Embarked": "S"}


@pytest.fixture
def two_versions(app, demo_models):
    """v1 in production, then a v2 saved as a retrain would: newer, and on no alias."""
    store = app.server.extensions["dashboard"].models
    store.set_alias(NAME, "production", 1)
    v1 = store.load(NAME, 1)
    store.save(v1.model, NAME, X_sample=store.background(NAME, 1), task=v1.card["task"], target=v1.card["target"])
    assert [v.version for v in store.versions(NAME)] == [1, 2]
    return store


def test_rest_predict_without_a_version_answers_with_production_and_says_so(client, two_versions):
    answer = client.post(f"/api/models/{NAME}/predict", json={"instances": [ROW]}).json
    assert (answer["version"], answer["alias"]) == (1, "production")
    assert "production alias" in answer["chosen_by"] and "default" in answer["chosen_by"]
    latest = client.post(f"/api/models/{NAME}/predict?version=latest", json={"instances": [ROW]}).json
    assert (latest["version"], latest["alias"]) == (2, None) and "latest" in latest["chosen_by"]
    pinned = client.post(f"/api/models/{NAME}/predict?version=2", json={"instances": [ROW]}).json
    assert pinned["version"] == 2 and pinned["chosen_by"] == "version 2, as asked"


def test_a_job_scores_the_default_version_and_says_why(client, two_versions):
    accepted = client.post(f"/api/models/{NAME}/jobs", json={"instances": [ROW, ROW]})
    record = wait_for_job(client, accepted.json["job_id"])
    assert record["status"] == "succeeded"
    assert (record["result"]["version"], record["result"]["alias"]) == (1, "production")
    assert "production alias" in record["result"]["chosen_by"]


def test_without_production_the_latest_answers_and_the_reason_says_no_alias_is_set(client, two_versions):
    two_versions.remove_alias(NAME, "production")
    answer = client.post(f"/api/models/{NAME}/predict", json={"instances": [ROW]}).json
    assert answer["version"] == 2 and answer["alias"] is None and "no production alias" in answer["chosen_by"]


def test_the_pages_name_the_version_that_answers_by_default(app, two_versions):
    summary = next(m for m in two_versions.list() if m["name"] == NAME)
    assert (summary["latest_version"], summary["default_version"]) == (2, 1)
    with app.server.test_request_context("/"):
        home_text = str(home.model_card(summary))
        page = predict.layout(model=NAME)
        rows = models.grid_rows(two_versions)
    assert "answers with v1 (the production alias (the default))" in home_text
    dropdown = next(c for c in page._traverse() if getattr(c, "id", None) == "predict-version-dropdown")
    assert dropdown.value == predict.DEFAULT_CHOICE
    assert dropdown.options[0]["label"] == "default: v1 (production)"
    assert predict.parse_version(dropdown.value) == (None, None)
    marked = {(r["version"], r["answers"]) for r in rows if r["model"] == NAME}
    assert marked == {(1, "by default"), (2, "")}
    line = models.answers_line(two_versions.card(NAME, 2), two_versions.choose(NAME))
    assert "get v1: the production alias" in str(line.children)


def test_the_predict_form_answers_with_the_default_and_names_it(app, client, two_versions):
    from tests.unit.web.test_callback_values import _page_controls, outputs_of

    key = next(k for k, spec in app.callback_map.items() if "predict-result.children" in k)
    known = _page_controls(app)
    spec = app.callback_map[key]
    body = {"output": key, "outputs": outputs_of(key), "changedPropIds": ["predict-submit-button.n_clicks"]}
    for part in ("inputs", "state"):
        body[part] = []
        for item in spec[part]:
            entry = {"id": item["id"], "property": item["property"]}
            component = known.get(item["id"]) if isinstance(item["id"], str) else None
            value = getattr(component, item["property"], None) if component is not None else None
            if "ALL" in str(item["id"]):  # the form's fields: none shown, all held in the form's values
                body[part].append([])
                continue
            entry["value"] = value
            if item["id"] == "predict-submit-button":
                entry["value"] = 1
            if item["id"] == "predict-form-values":
                entry["value"] = ROW
            if item["id"] == "predict-model-dropdown":
                entry["value"] = NAME
            body[part].append(entry)
    answer = client.post("/_dash-update-component", json=body)
    assert answer.status_code == 200, answer.text
    assert "Please fix" not in answer.text, answer.text[:1500]
    assert "titanic-survival v1: the production alias (the default)" in answer.text
