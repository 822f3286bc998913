import os
import stat

import pytest

from dashboard.jobs.layer import Memo, cache_key, create_job_layer
from dashboard.safety import UnsafeNameError, child_path, is_slug, private_dir, slugify
from dashboard.settings import Settings, SettingsError


def test_settings_defaults_run_from_a_fresh_clone():
    settings = Settings.from_env({})
    assert str(settings.data_dir) == "var/data" and settings.port == 8050 and settings.max_upload_mb == 200


def test_settings_from_env():
    settings = Settings.from_env(
        {
            "DASHBOARD_PORT": "9001",
            "DASHBOARD_MAX_UPLOAD_MB": "5",
            "DASHBOARD_API_KEY": "k",
            "DASHBOARD_FRAME_ANCESTORS": "https://a.example, https://b.example",
            "DASHBOARD_LOG_LEVEL": "DEBUG",
        }
    )
    assert settings.port == 9001 and settings.max_upload_bytes == 5 * 1024 * 1024
    assert settings.frame_ancestors == ("https://a.example", "https://b.example")
    assert settings.api_key == "k" and settings.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DASHBOARD_PORT", "eighty"),
        ("DASHBOARD_PORT", "70000"),
        ("DASHBOARD_MAX_UPLOAD_MB", "-1"),
        ("DASHBOARD_LOG_LEVEL", "LOUD"),
        ("DASHBOARD_FRAME_ANCESTORS", "https://x.example; script-src *"),
        ("DASHBOARD_FRAME_ANCESTORS", "javascript:alert(1)"),
        ("DASHBOARD_JOB_BACKEND", "homemade"),
    ],
)
def test_bad_setting_names_its_variable(name, value):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


@pytest.mark.parametrize(
    ("raw", "slug"),
    [
        ("My Data 2024.csv", "my-data-2024-csv"),
        ("../../etc/passwd", "etc-passwd"),
        ("Ünïcödé", "unicode"),
        ("<script>alert(1)</script>", "script-alert-1-script"),
        ("a" * 100, "a" * 64),
    ],
)
def test_slugify(raw, slug):
    assert slugify(raw) == slug and is_slug(slug)


@pytest.mark.parametrize("raw", ["", "...", "///", "日本語", 42])
def test_slugify_refuses_names_without_letters(raw):
    with pytest.raises(UnsafeNameError):
        slugify(raw)


@pytest.mark.parametrize("name", ["..", "../x", "a/b", "", ".hidden", "x" * 65, "A"])
def test_child_path_refuses_non_slugs(tmp_path, name):
    with pytest.raises(UnsafeNameError):
        child_path(tmp_path, name)


def test_private_dir_is_owner_only(tmp_path):
    path = private_dir(tmp_path / "a" / "cache")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o700
    os.chmod(path, 0o777)
    private_dir(path)  # an existing dir is tightened too
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o700


def test_job_layer_dirs_are_owner_only(settings):
    create_job_layer(settings)
    for sub in ("", "memo", "jobs"):
        assert stat.S_IMODE(os.stat(settings.cache_dir / sub).st_mode) == 0o700


def test_memo_computes_once_and_keys_on_every_part(tmp_path):
    memo = Memo.local(tmp_path / "memo", 10 * 1024 * 1024)
    calls = []

    def compute():
        calls.append(1)
        return {"value": len(calls)}

    assert memo.get_or_compute("ns", ("fp1", "a"), compute) == {"value": 1}
    assert memo.get_or_compute("ns", ("fp1", "a"), compute) == {"value": 1}
    assert memo.get_or_compute("ns", ("fp2", "a"), compute) == {"value": 2}
    assert memo.get_or_compute("other", ("fp1", "a"), compute) == {"value": 3}
    assert len(calls) == 3
    assert memo.get(memo.key_for("ns", ("fp1", "a"))) == {"value": 1}


def test_memo_is_shared_between_instances_on_the_same_dir(tmp_path):
    Memo.local(tmp_path / "m", 10**7).get_or_compute("ns", ("k",), lambda: 41)
    assert Memo.local(tmp_path / "m", 10**7).get_or_compute("ns", ("k",), lambda: 0) == 41


def test_memo_evicts_beyond_its_size_limit(tmp_path):
    memo = Memo.local(tmp_path / "m", 2 * 1024 * 1024)
    for i in range(40):
        memo.get_or_compute("blob", (i,), lambda: b"x" * 200_000)
    memo.backend.cache.cull()
    assert memo.backend.cache.volume() <= 3 * 1024 * 1024
    assert memo.get(memo.key_for("blob", (39,))) is not None
    assert memo.get(memo.key_for("blob", (0,))) is None


def test_cache_key_depends_on_code_version(monkeypatch):
    import dashboard.jobs.layer as jobs

    before = cache_key("ns", "fp", {"a": 1})
    assert before == cache_key("ns", "fp", {"a": 1})
    monkeypatch.setattr(jobs, "CODE_VERSION", "next")
    assert cache_key("ns", "fp", {"a": 1}) != before


def test_identical_computations_at_once_compute_once_and_the_others_wait(tmp_path):
    import threading
    import time

    memo = Memo.local(tmp_path / "m", 10**7)
    calls, started = [], threading.Event()

    def slow():
        calls.append(1)
        started.set()
        time.sleep(0.3)  # long enough for the second caller to arrive while this one computes
        return {"value": 7}

    results = []
    first = threading.Thread(target=lambda: results.append(memo.compute_once("k", slow)))
    first.start()
    started.wait(5)
    second = memo.compute_once("k", slow)
    first.join()
    assert calls == [1]
    assert sorted([results[0], second], key=lambda r: r[1]) == [({"value": 7}, False), ({"value": 7}, True)]


def test_a_failed_computation_caches_nothing_and_frees_the_lock(tmp_path):
    memo = Memo.local(tmp_path / "m", 10**7)

    def broken():
        raise RuntimeError("cancelled")

    with pytest.raises(RuntimeError):
        memo.compute_once("k", broken)
    assert memo.compute_once("k", lambda: 3) == (3, True)


def test_batch_results_expire_after_the_ttl(tmp_path):
    import time

    from dashboard.files import expire_files

    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    old.write_text("a")
    new.write_text("b")
    past = time.time() - 7200
    os.utime(old, (past, past))
    assert expire_files(tmp_path, 3600, "*.csv") == 1
    assert not old.exists() and new.exists()


def test_the_memos_lock_files_live_where_retention_sweeps_them(tmp_path):
    from tests.conftest import make_settings

    layer = create_job_layer(make_settings(tmp_path))
    layer.memo.compute_once("k", lambda: 1)
    assert layer.memo.locks is layer.locks
    assert list(layer.locks.directory.glob("*.lock"))  # swept by JobQueue.maybe_sweep with the jobs
