"""The background-callback managers the app builds: a job that writes its result and ends between Dash's two
checks of a poll (read the result, then ask whether the job runs) still has its result fetched."""

import time

import dash
import diskcache
import psutil
from dash._callback import _handle_rest_background_callback

from dashboard.app_factory import _JobProcesses


def write_result_and_end(manager):
    def job(key, _progress_key, _args, _context):
        manager.handle.set(key, ["the result"])  # a job's last act: its result, then the process ends

    return job


def ended(job) -> bool:
    return not psutil.pid_exists(job) or psutil.Process(job).status() == psutil.STATUS_ZOMBIE


def finished_job(manager, key: str) -> int:
    job = manager.call_job_fn(key, write_result_and_end(manager), [], {})
    deadline = time.monotonic() + 30
    while not ended(job) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert ended(job)
    return job


def poll_that_read_before_the_result(manager, key: str, job: int):
    """What Dash's poll answers when its read of the result came just before the job wrote it."""
    answer, _has_update, keep_polling = _handle_rest_background_callback(
        manager.UNDEFINED, manager, {}, None, None, False, cache_key=key, job_id=job
    )
    return answer, keep_polling


def test_dash_s_own_manager_loses_a_result_written_between_its_two_checks(tmp_path):
    """The race itself, on Dash's manager: the poll takes the ended job for a cancelled one."""
    manager = dash.DiskcacheManager(diskcache.Cache(tmp_path / "jobs"))
    job = finished_job(manager, "k1")
    answer, keep_polling = poll_that_read_before_the_result(manager, "k1", job)
    assert dash.no_update.is_no_update(answer) and not keep_polling  # the page would stop polling here


def test_the_apps_manager_keeps_polling_and_the_next_poll_takes_the_result(tmp_path):
    manager = _JobProcesses(diskcache.Cache(tmp_path / "jobs"), expire=60)
    job = finished_job(manager, "k1")
    _answer, keep_polling = poll_that_read_before_the_result(manager, "k1", job)
    assert keep_polling
    assert manager.get_result("k1", job) == ["the result"]
    assert not manager.job_running(job)  # fetched: the job is over


def test_a_job_that_ended_without_a_result_is_not_running(tmp_path):
    """A cancelled (killed) or crashed job wrote nothing: the poll ends as Dash intends."""
    manager = _JobProcesses(diskcache.Cache(tmp_path / "jobs"), expire=60)
    job = manager.call_job_fn("k2", lambda *_args: None, [], {})
    deadline = time.monotonic() + 30
    while not ended(job) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not manager.job_running(job)
    answer, keep_polling = poll_that_read_before_the_result(manager, "k2", job)
    assert dash.no_update.is_no_update(answer) and not keep_polling


def test_a_new_job_never_serves_a_result_left_under_its_key(tmp_path):
    """An earlier job with the same arguments, superseded but finished, left its result: the new job's first
    poll must not take that one for its own."""
    manager = _JobProcesses(diskcache.Cache(tmp_path / "jobs"), expire=60)
    manager.handle.set("k3", ["left by an earlier job"])
    job = manager.call_job_fn("k3", lambda *_args: time.sleep(5), [], {})
    try:
        assert manager.get_result("k3", job) is manager.UNDEFINED
    finally:
        manager.terminate_job(job)
