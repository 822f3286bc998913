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


def _type_checking_only(tree: ast.AST) -> set[int]:
    """Nodes under ``if TYPE_CHECKING:``: annotations, not imports that run."""
    return {
        id(sub)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for sub in ast.walk(node)
    }


def imported_modules(path: Path, *, runtime_only: bool = True) -> set[str]:
    """Every module an import statement of ``path`` names, nested ones too (not those only for types)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    skipped = _type_checking_only(tree) if runtime_only else set()
    names = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def modules_under(folder: str) -> list[Path]:
    return sorted((REPO / folder).rglob("*.py"))


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")


KERNEL = {"settings", "errors", "files", "safety", "metrics", "artifact_types", "actors", "journal"}
WIRING = {"__init__", "startup", "app_factory"}
FEATURES = {"train", "clusters", "recommend"}


def room(name: str) -> str:
    """The layer a module belongs to (ARCHITECTURE.md, "The house we want")."""
    parts = name.split(".")
    if parts[0] in ("layouts", "callbacks"):
        return parts[0]
    if parts[0] == "model_store":
        return "model_store"
    if parts[0] != "dashboard":
        return "library"
    inner = parts[1] if len(parts) > 1 else "__init__"
    if inner == "services":  # the composition root, whose types the web layer and the pages are handed
        return "services"
    return "kernel" if inner in KERNEL else "wiring" if inner in WIRING else inner


# layer -> the layers it may import (besides itself and libraries); one table for every package
BELOW_FEATURES = {"model_store", "kernel", "jobs", "data", "serving"}
MAY_IMPORT = {
    "model_store": set(),
    "kernel": {"model_store"},
    "jobs": {"model_store", "kernel"},
    "data": {"model_store", "kernel", "jobs"},
    "serving": {"model_store", "kernel", "jobs", "data"},
    **{feature: BELOW_FEATURES for feature in FEATURES},
    "monitoring": BELOW_FEATURES | FEATURES,
    "runs": BELOW_FEATURES | FEATURES,
    "figures": {"model_store", "kernel"},
    "services": BELOW_FEATURES | FEATURES | {"monitoring", "runs"},
    "web": BELOW_FEATURES | FEATURES | {"monitoring", "runs", "services"},
    "api": BELOW_FEATURES | FEATURES | {"monitoring", "runs", "services", "web"},
    # a view out of the app: read as its page reads its permalink (layouts), drawn by the page's figures
    "reports": BELOW_FEATURES
    | FEATURES
    | {"monitoring", "runs", "services", "figures", "web", "api", "layouts", "dash"},
    "wiring": BELOW_FEATURES
    | FEATURES
    | {"monitoring", "runs", "services", "figures", "web", "api", "reports", "layouts", "callbacks", "dash"},
    # a page reads who is asking (``web.auth.identity``) to show editors' controls only to editors
    "layouts": BELOW_FEATURES | FEATURES | {"monitoring", "runs", "services", "figures", "web", "dash"},
    # /reports checks a pinned permalink as an export reads it (``reports.views.permalink``)
    "callbacks": BELOW_FEATURES
    | FEATURES
    | {"monitoring", "runs", "services", "figures", "web", "layouts", "reports", "dash"},
}
DASH = {"dash", "dash_ag_grid", "dash_bootstrap_components"}


def layer_of_import(name: str) -> str:
    return "dash" if name.split(".")[0] in DASH else room(name)


def test_every_module_imports_only_the_layers_below_it():
    """One table for every package, no exemption by file name: a layer imports itself, libraries and what
    its row allows (only the wiring, the pages and their callbacks import Dash)."""
    offenders = {}
    for folder in ("dashboard", "model_store", "layouts", "callbacks"):
        for path in modules_under(folder):
            here = room(module_name(path))
            assert here in MAY_IMPORT, f"{path} is in no layer of the table"
            wrong = sorted(
                n for n in imported_modules(path) if layer_of_import(n) not in {here, "library", *MAY_IMPORT[here]}
            )
            if wrong:
                offenders[str(path.relative_to(REPO))] = wrong
    assert offenders == {}


def _page(name: str) -> str:
    """A page's modules share its name: train, train_ids, train_views, train_search... belong to 'train'."""
    leaf = name.split(".")[-1]
    return leaf.split("_")[0]


def test_a_page_never_imports_another_pages_callbacks_or_layout_internals():
    """Layouts share only ``common``/``widgets``/``shell``/ids; callbacks never import another page's."""
    shared = {"common", "widgets", "shell", "pages", "layouts", "callbacks"}
    offenders = {}
    for folder in ("layouts", "callbacks"):
        for path in modules_under(folder):
            mine = _page(module_name(path))
            for name in imported_modules(path):
                if name.split(".")[0] != folder or len(name.split(".")) < 2:
                    continue
                leaf = name.split(".")[1]
                if _page(name) != mine and leaf not in shared and not leaf.endswith("_ids") and mine not in shared:
                    offenders.setdefault(str(path.relative_to(REPO)), []).append(name)
    assert offenders == {}


def test_no_import_cycles_between_modules():
    """Imports (lazy ones too, not those only for type annotations) form no cycle between modules."""
    graph = {}
    for folder in ("dashboard", "model_store", "layouts", "callbacks"):
        for path in modules_under(folder):
            tree = ast.parse(path.read_text())
            skipped = _type_checking_only(tree)
            names = set()
            for node in ast.walk(tree):  # nested ones too: a lazy import is still a dependency
                if id(node) in skipped:
                    continue
                if isinstance(node, ast.Import):
                    names.update(a.name for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.update(f"{node.module}.{a.name}" for a in node.names)  # a submodule, or a name of
            graph[module_name(path)] = names

    def target(name: str) -> str | None:  # ... the module it is defined in (a package's __init__)
        return name if name in graph else name.rpartition(".")[0] if name.rpartition(".")[0] in graph else None

    edges = {m: {target(n) for n in names} - {None, m} for m, names in graph.items()}
    planted = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycles(planted) == [["a", "b", "c", "a"]]  # the finder itself finds what it should
    assert find_cycles(edges) == []


def find_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = "done"

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    return cycles


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
    from dashboard.startup import start_demo_training
    from dashboard.train.demo import missing_demo_models

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
        "from dashboard.startup import start_demo_training\n"
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
        "from dashboard.jobs import forksafe\n"
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
        "from dashboard.jobs import forksafe\n"
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
