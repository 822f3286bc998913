"""The layers' import rules, read from the source (every import statement, nested ones too) and checked
at run time in a fresh interpreter."""

import ast
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import make_settings

REPO = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def modules_under(folder: str) -> list[Path]:
    return sorted((REPO / folder).rglob("*.py"))


def top(name: str) -> str:
    return name.split(".")[0]


def test_only_the_app_factory_imports_dash():
    offenders = {
        str(path.relative_to(REPO)): sorted(n for n in imported_modules(path) if top(n) in {"dash", "dash_ag_grid"})
        for path in modules_under("dashboard")
        if path.name != "app_factory.py"
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_services_never_import_pages():
    offenders = {
        str(path.relative_to(REPO)): sorted(n for n in imported_modules(path) if top(n) in {"layouts", "callbacks"})
        for path in modules_under("dashboard")
        if path.name != "app_factory.py"
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_model_store_imports_nothing_of_the_app():
    offenders = {
        str(path.relative_to(REPO)): sorted(
            n for n in imported_modules(path) if top(n) in {"dashboard", "layouts", "callbacks", "dash"}
        )
        for path in modules_under("model_store")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


FEATURES = ("train", "clusters", "recommend")


def test_features_do_not_reach_into_each_other_and_serving_knows_none():
    """A feature may use the kernel, the data layer and serving's adapter contract; the composition root
    (dashboard/services.py) is the one place that knows every feature."""
    offenders = {}
    for room in (*FEATURES, "serving"):
        others = {f"dashboard.{f}" for f in FEATURES if f != room}
        for path in modules_under(f"dashboard/{room}"):
            names = sorted(n for n in imported_modules(path) if any(n == o or n.startswith(o + ".") for o in others))
            if names:
                offenders[str(path.relative_to(REPO))] = names
    assert offenders == {}


@pytest.mark.parametrize(
    "module, forbidden",
    [
        ("model_store", ("dashboard", "dash", "flask")),
        ("dashboard.serving.service", ("dash", "layouts", "callbacks")),
        ("dashboard.train.service", ("dash", "layouts", "callbacks")),
        ("dashboard.clusters.service", ("dash", "layouts", "callbacks")),
        ("dashboard.recommend.service", ("dash", "layouts", "callbacks")),
    ],
)
def test_importing_a_service_loads_no_ui(module, forbidden):
    code = f"import sys, {module}; print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(forbidden)!r}))"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


STANDALONE = """
import sys
sys.modules["dashboard"] = None  # the app is not installed here: any import of it fails
import model_store, numpy as np, pandas as pd
from sklearn.linear_model import LogisticRegression
assert model_store.__file__.startswith(sys.argv[1]), model_store.__file__
X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0]})
model = LogisticRegression().fit(X, [0, 0, 1, 1])
store = model_store.ModelStore(sys.argv[2])
store.save(model, "notebook-model", X_sample=X)
again = model_store.ModelStore(sys.argv[2]).load("notebook-model").model
assert np.array_equal(again.predict_proba(X), model.predict_proba(X))
print("ok")
"""


def test_the_model_store_builds_as_its_own_package_and_works_without_the_app(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(REPO / "model_store", source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(tmp_path / "wheel"), str(source)], check=True)
    (wheel,) = (tmp_path / "wheel").glob("model_store-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--target", str(tmp_path / "site"), str(wheel)], check=True)
    run = subprocess.run(
        [sys.executable, "-c", STANDALONE, str(tmp_path / "site"), str(tmp_path / "models")],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path / "site")},
        capture_output=True,
        text=True,
    )
    assert run.stdout.strip() == "ok", run.stderr[-2000:]


def run_fresh(code: str, timeout: int = 180) -> None:
    """Run ``code`` in a fresh interpreter from the repo; it passes when it exits 0."""
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, (result.returncode, result.stderr[-2000:])


HEAVY = ("sklearn", "scipy", "skops", "joblib", "pandas", "numpy", "pyarrow")


def test_the_app_starts_without_the_heavy_libraries(tmp_path):
    """scikit-learn, scipy, skops, joblib, pandas, numpy and pyarrow are imported on first use (lazy
    modules, model_store/lazy.py): building the app and serving its first page loads none of them (the
    imports at start went from 2.4 s to 0.3 s)."""
    code = (
        "import sys\n"
        "from dashboard import create_app\n"
        "from dashboard.settings import Settings\n"
        f"root = {str(tmp_path)!r}\n"
        "app = create_app(Settings(data_dir=root + '/d', cache_dir=root + '/c', model_dir=root + '/m',"
        " demo_models=False, log_level='WARNING'))\n"
        "client = app.server.test_client()\n"
        "assert client.get('/').status_code == 200\n"
        "assert client.get('/_dash-layout').status_code == 200\n"
        "assert client.get('/_dash-dependencies').status_code == 200\n"
        f"heavy = sorted(m for m in {HEAVY!r} if m in sys.modules)\n"
        "assert not heavy, heavy\n"
        # first use imports the library, and the module's name then is the library itself
        "from dashboard.data import profile\n"
        "import pandas\n"
        "assert profile.pd.DataFrame is pandas.DataFrame and 'numpy' in sys.modules\n"
    )
    run_fresh(code)


def _store_lacking(template: Path, root: Path, name: str):
    from model_store import ModelStore

    shutil.copytree(template, root / "models")
    shutil.rmtree(root / "models" / name)
    return ModelStore(root / "models")


def test_missing_demo_models_train_in_a_child_process(tmp_path, demo_store_template):
    """The web process starts a child for missing demo models (it imports nothing for them, and its memory
    stays its own), and starts none when the store has them all."""
    from dashboard.train.demo import missing_demo_models, start_demo_training

    store = _store_lacking(demo_store_template, tmp_path, "ames-house-price")
    assert missing_demo_models(store) == ["ames-house-price"]
    child = start_demo_training(make_settings(tmp_path, log_level="WARNING"), store)
    assert child is not None and child.wait(timeout=300) == 0
    assert missing_demo_models(store) == []
    assert store.card("ames-house-price", store.resolve("ames-house-price"))["metrics"]["r2"] > 0.5
    assert start_demo_training(make_settings(tmp_path), store) is None


def test_the_demo_child_stops_with_its_parent(tmp_path, demo_store_template):
    """A child training demo models for an app that has gone stops, and leaves no half-written version."""
    store = _store_lacking(demo_store_template, tmp_path, "titanic-survival")
    code = (
        "import os, sys\n"
        "from tests.conftest import make_settings\n"
        "from pathlib import Path\n"
        "from dashboard.train.demo import start_demo_training\n"
        "from model_store import ModelStore\n"
        f"root = Path({str(tmp_path)!r})\n"
        "child = start_demo_training(make_settings(root, log_level='WARNING'), ModelStore(root / 'models'))\n"
        "print(child.pid, flush=True)\n"
        "os._exit(0)\n"
    )
    parent = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    child = int(parent.stdout.split()[0])
    deadline = 600
    while deadline and Path(f"/proc/{child}").exists() and "zombie" not in _state(child):
        deadline -= 1
        time.sleep(0.1)
    assert deadline, "the demo child outlived its parent by a minute"
    assert not (store.root / "titanic-survival").exists() or store.versions("titanic-survival") == []


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().lower()
    except OSError:
        return "gone"


def test_a_forked_job_process_inherits_the_job_modules_whole():
    """The diskcache backend forks a process per job; the fork hook imports what jobs use first, so a child
    never imports them itself (a fork during another thread's import would leave it hung)."""
    code = (
        "import os, sys\n"
        "from dashboard import forksafe\n"
        "assert 'sklearn.ensemble' not in sys.modules\n"
        "forksafe.install()\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    os._exit(0 if all(m in sys.modules for m in forksafe.JOB_MODULES) else 3)\n"
        "sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))\n"
    )
    run_fresh(code)


def test_a_job_forked_after_the_parent_ran_joblib_in_parallel_runs_its_own_pool():
    """The demo models train with n_jobs=2 in the web process; a job forked afterwards inherited loky's
    executor without its workers and hung on its first Parallel (a Train run in CI). Not any more."""
    code = (
        "import multiprocess, sys\n"
        "from joblib import Parallel, delayed\n"
        "from dashboard import forksafe\n"
        "forksafe.install()\n"
        "assert Parallel(n_jobs=2)(delayed(abs)(-i) for i in range(4)) == [0, 1, 2, 3]\n"
        "def job():\n"
        "    assert Parallel(n_jobs=2)(delayed(abs)(-i) for i in range(4)) == [0, 1, 2, 3]\n"
        "child = multiprocess.Process(target=job)\n"
        "child.start()\n"
        "child.join(60)\n"
        "hung = child.is_alive()\n"
        "if hung:\n"
        "    child.kill()\n"
        "sys.exit(3 if hung else child.exitcode)\n"
    )
    run_fresh(code)
