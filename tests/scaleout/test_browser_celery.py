"""The Train page in a real browser against the gunicorn "machines", its CV running on Celery workers."""

from __future__ import annotations

import pytest
from selenium.webdriver.support.ui import WebDriverWait
from sklearn.metrics import roc_auc_score

from dashboard.jobs.layer import RedisMemo, memo_secret
from layouts.explorer_ids import ExplorerIds
from layouts.train_ids import TrainIds
from tests.browser.helpers import click

pytestmark = [pytest.mark.scaleout, pytest.mark.browser, pytest.mark.xdist_group("scaleout")]

TRAIN = "/train?dataset=titanic&target=Survived&features=Pclass,Sex,Age,SibSp,Parch,Fare,Embarked"
SLOW = "&model=random_forest&p_n_estimators=800&folds=10"  # seconds per fold on 2 cores


def _cv_keys(cluster) -> set[str]:
    import redis

    client = redis.Redis.from_url(cluster.redis_url)
    return {
        key.decode()
        for key in client.scan_iter("dashboard:memo:train.cv:*")
        if ":threshold" not in key.decode()[len("dashboard:memo:train.cv:") :]
    }


def _cv_result(cluster, key: str):
    import redis

    memo = RedisMemo(redis.Redis.from_url(cluster.redis_url), memo_secret(cluster.root / "cache"))
    return memo.get(key.removeprefix("dashboard:memo:"))


def _fold_rows(dash_br) -> int:
    return len(dash_br.find_elements(".fold-row"))


def test_cv_streams_through_celery_and_its_repeat_on_the_other_machine_fits_nothing(dash_br, cluster, wait_until):
    before = _cv_keys(cluster)
    dash_br.server_url = cluster.web["web-a"] + TRAIN + "&model=logistic_regression&folds=5"
    click(dash_br, f"#{TrainIds.RUN_BUTTON}")
    WebDriverWait(dash_br.driver, 120).until(lambda d: _fold_rows(dash_br) == 5, "fold rows did not stream in")
    dash_br.wait_for_contains_text("#train-summary-roc_auc", "roc_auc", timeout=60)
    new = _cv_keys(cluster) - before
    assert len(new) == 1  # the one result the worker wrote to the shared memo
    result = _cv_result(cluster, new.pop())
    expected = sum(roc_auc_score((f["y_true"] == 1).astype(int), f["scores"]) for f in result.folds) / 5
    shown = dash_br.find_element("#train-summary-roc_auc").text.split()[1]
    assert abs(float(shown) - expected) < 5e-5
    link = dash_br.find_element(f"#{TrainIds.PERMALINK_LINK}").get_attribute("href")
    assert dash_br.get_logs() == []

    # the same run from the other machine: the permalink opens on the result, Run fits nothing
    dash_br.server_url = link.replace(cluster.web["web-a"], cluster.web["web-b"])
    dash_br.wait_for_contains_text("#train-summary-roc_auc", shown, timeout=60)
    click(dash_br, f"#{TrainIds.RUN_BUTTON}")
    dash_br.wait_for_contains_text(f"#{TrainIds.MESSAGES}", "no model was fitted", timeout=60)
    assert len(_cv_keys(cluster) - before) == 1  # still the one result: nothing new was computed
    assert dash_br.get_logs() == []


def test_cancel_revokes_the_celery_task_and_caches_nothing(dash_br, cluster, wait_until):
    before = _cv_keys(cluster)
    dash_br.server_url = cluster.web["web-a"] + TRAIN + SLOW
    click(dash_br, f"#{TrainIds.RUN_BUTTON}")
    WebDriverWait(dash_br.driver, 120).until(lambda d: _fold_rows(dash_br) >= 1, "no fold streamed in")
    assert cluster.active_tasks(), "the CV should be running on a Celery worker"
    click(dash_br, f"#{TrainIds.CANCEL_BUTTON}")
    WebDriverWait(dash_br.driver, 60).until(
        lambda d: d.find_element("css selector", f"#{TrainIds.RUN_BUTTON}").is_enabled(),
        "the run button did not come back",
    )
    wait_until(lambda: not cluster.active_tasks(), 60, "the revoked task leaving the worker")
    assert _cv_keys(cluster) == before  # a cancelled run leaves no result behind
    assert dash_br.get_logs() == []


def test_switching_page_mid_job_leaves_no_console_error_and_no_orphan_task(dash_br, cluster, wait_until):
    before = _cv_keys(cluster)
    dash_br.server_url = cluster.web["web-a"] + TRAIN + SLOW.replace("800", "300")
    click(dash_br, f"#{TrainIds.RUN_BUTTON}")
    wait_until(lambda: bool(cluster.active_tasks()), 60, "the CV starting on a worker")
    click(dash_br, "a.nav-link[href='/data']")
    dash_br.wait_for_element(f"#{ExplorerIds.OVERVIEW}", timeout=30)
    # The job is not abandoned mid-way: it runs to its end and its result is kept for the next visit.
    wait_until(lambda: not cluster.active_tasks(), 240, "the task finishing")
    assert len(_cv_keys(cluster) - before) == 1
    assert dash_br.get_logs() == []
