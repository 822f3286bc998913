"""Models page in a real browser: card, alias, compare, delete with confirmation, card download."""

import json
from pathlib import Path

import pytest

from layouts.models_ids import ModelsIds
from tests.browser.helpers import wait_until

pytestmark = pytest.mark.browser


def test_models_page_alias_compare_delete(dash_duo, app, demo_models, store, catalog):
    from dashboard.train.demo import DEMO_MODELS

    spec = DEMO_MODELS[0]
    prepared = app.server.extensions["dashboard"].training.prepare(spec.spec)
    pipeline = prepared.build().set_params(model__n_estimators=50).fit(prepared.X, prepared.y)
    store.save(pipeline, spec.name, X_sample=prepared.X, y=prepared.y, metrics={"accuracy": 0.5})
    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/models?model=titanic-survival&version=2&compare=1")
    dash_duo.wait_for_contains_text(f"#{ModelsIds.CARD}", "titanic-survival v2", timeout=15)
    dash_duo.wait_for_contains_text(f"#{ModelsIds.COMPARE_TABLE}", "v1 → v2")
    dash_duo.wait_for_contains_text(f"#{ModelsIds.COMPARE_TABLE}", "n_estimators")
    dash_duo.find_element(f"#{ModelsIds.ALIAS_INPUT}").send_keys("production")
    dash_duo.find_element(f"#{ModelsIds.ALIAS_BUTTON}").click()
    dash_duo.wait_for_contains_text(f"#{ModelsIds.ACTION_ALERT}", "'production' now points at titanic-survival v2")
    assert store.aliases("titanic-survival") == {"production": 2}
    # Deleting an aliased version is refused with the reason.
    dash_duo.find_element(f"#{ModelsIds.DELETE_BUTTON}").click()
    dash_duo.driver.switch_to.alert.accept()
    dash_duo.wait_for_contains_text(f"#{ModelsIds.ACTION_ALERT}", "alias production points at version 2")
    assert [v.version for v in store.versions("titanic-survival")] == [1, 2]
    dash_duo.find_element(f"#{ModelsIds.DOWNLOAD_BUTTON}").click()
    path = Path(dash_duo.download_path) / "titanic-survival-v2-card.json"
    wait_until(dash_duo, lambda _d: path.exists() and path.stat().st_size > 0, timeout=15, msg="no card download")
    assert json.loads(path.read_text())["artifact"]["sha256"] == store.card("titanic-survival", 2)["artifact"]["sha256"]
    link = dash_duo.find_element(f"#{ModelsIds.OPEN_PREDICT_LINK}").get_attribute("href")
    assert link.endswith("/predict?model=titanic-survival&version=2")
    assert dash_duo.get_logs() == []


def test_delete_a_version_after_confirmation(dash_duo, app, demo_models, store):
    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/models?model=ames-house-price&version=1")
    dash_duo.wait_for_contains_text(f"#{ModelsIds.CARD}", "ames-house-price v1", timeout=15)
    dash_duo.find_element(f"#{ModelsIds.DELETE_BUTTON}").click()
    dash_duo.driver.switch_to.alert.accept()
    dash_duo.wait_for_contains_text(f"#{ModelsIds.ACTION_ALERT}", "Deleted ames-house-price v1")
    assert "ames-house-price" not in {m["name"] for m in store.list()}
    assert "titanic-survival" in {m["name"] for m in store.list()}
    assert dash_duo.get_logs() == []
