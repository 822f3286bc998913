"""The layers' import rules, read from the source (every import statement, nested ones too) and checked
at run time in a fresh interpreter."""

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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


def test_the_app_starts_without_the_heavy_libraries(tmp_path):
    """scikit-learn, scipy.stats, skops and joblib are imported where they are used: building the app and
    serving its first page loads none of them (cold start: 2.4 s of imports became 1.3 s). scipy.sparse
    (60 ms) stays: the recommenders' types are sparse matrices."""
    code = (
        "import sys\n"
        "from dashboard import create_app\n"
        "from dashboard.settings import Settings\n"
        f"root = {str(tmp_path)!r}\n"
        "app = create_app(Settings(data_dir=root + '/d', cache_dir=root + '/c', model_dir=root + '/m',"
        " demo_models=False, log_level='WARNING'))\n"
        "assert app.server.test_client().get('/').status_code == 200\n"
        "heavy = sorted(m for m in ('sklearn', 'scipy.stats', 'skops', 'joblib') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    run_fresh(code)


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
