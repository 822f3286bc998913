"""The model store: identical predictions after reload, refused tampering, concurrency, crashes."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from dashboard.train.demo import DEMO_MODELS
from model_store import (
    CorruptModelError,
    InvalidModelNameError,
    ModelNotFoundError,
    ModelStore,
    ModelStoreError,
    UnsafeArtifactError,
)
from model_store.artifacts import read_artifact


@pytest.mark.parametrize("spec", DEMO_MODELS, ids=[s.name for s in DEMO_MODELS])
def test_save_load_predicts_identically(spec, training, tmp_path):
    prepared = training.prepare(spec.spec)
    X, y = prepared.X, prepared.y
    fitted = prepared.build().fit(X, y)
    store = ModelStore(tmp_path / "models")
    version = store.save(fitted, spec.name, X_sample=X, y=y, target=spec.target)
    reloaded = ModelStore(tmp_path / "models").load(spec.name, version.version)  # a fresh store: no cache
    assert reloaded.model is not fitted
    np.testing.assert_array_equal(reloaded.model.predict(X), fitted.predict(X))
    if hasattr(fitted, "predict_proba"):
        np.testing.assert_array_equal(reloaded.model.predict_proba(X), fitted.predict_proba(X))
    assert reloaded.warnings == []


def test_card_records_everything(store):
    card = store.card("titanic-survival")
    assert card["task"] == "binary" and card["classes"] == [0, 1] and card["target"] == "Survived"
    fields = {f["name"]: f for f in card["schema"]["fields"]}
    assert fields["Sex"] == {**fields["Sex"], "kind": "categorical", "categories": ["female", "male"]}
    assert fields["Age"]["kind"] == "numeric" and fields["Age"]["nullable"] and fields["Age"]["max"] == 80
    assert set(card["schema"]["example"]) == set(fields)
    assert card["params"]["n_estimators"] == 300 and card["params"]["min_samples_leaf"] == 7
    assert card["dataset"]["id"] == "titanic" and len(card["dataset"]["fingerprint"]) == 64
    assert {"sklearn", "numpy", "skops", "pandas"} <= set(card["library_versions"])
    assert len(card["artifact"]["sha256"]) == 64 and 0.7 < card["metrics"]["accuracy"] < 0.9
    assert store.card("language-id")["schema"]["fields"][0]["kind"] == "text"
    assert store.card("ames-house-price")["task"] == "regression"


def test_tampered_artifact_is_refused(store):
    path = store.root / "titanic-survival" / "versions" / "1" / "model.skops"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(UnsafeArtifactError, match="sha256"):
        ModelStore(store.root).load("titanic-survival")
    assert not store.verify("titanic-survival")


def test_untrusted_type_is_refused_and_no_code_runs(tmp_path):
    """An attacker who can write both files (artifact and card) still cannot run code."""
    sentinel = tmp_path / "pwned"
    evil = make_pipeline(FunctionTransformer(os.system), LogisticRegression())
    data = sio.dumps(evil)
    path = tmp_path / "model.skops"
    path.write_bytes(data)
    import hashlib

    with pytest.raises(UnsafeArtifactError, match="untrusted types: .*system"):
        read_artifact(path, hashlib.sha256(data).hexdigest())
    assert not sentinel.exists()


def double(values):
    return values * 2


def test_saving_a_model_with_untrusted_types_is_refused_up_front(tmp_path):
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0]})
    model = make_pipeline(FunctionTransformer(double), StandardScaler(), LogisticRegression()).fit(X, [0, 1, 0, 1])
    store = ModelStore(tmp_path)
    with pytest.raises(UnsafeArtifactError, match="test_model_store.double"):
        store.save(model, "logs", X_sample=X)
    assert store.list() == [] and not list((tmp_path / "logs").glob(".tmp-*"))


def test_versions_aliases_and_delete(store, training):
    spec = DEMO_MODELS[0]
    prepared = training.prepare(spec.spec)
    v2 = store.save(prepared.build().fit(prepared.X, prepared.y), spec.name, X_sample=prepared.X, y=prepared.y)
    assert v2.version == 2 and [v.version for v in store.versions(spec.name)] == [1, 2]
    store.set_alias(spec.name, "production", 1)
    assert store.load(spec.name, alias="production").version == 1
    assert store.load(spec.name, "latest").version == 2
    default = store.load(spec.name)  # no version, no alias: production, though v2 is newer
    assert (default.version, default.alias) == (1, "production") and "default" in default.chosen_by
    assert store.card(spec.name, 1)["aliases"] == ["production"]
    with pytest.raises(ModelStoreError, match="production"):
        store.delete(spec.name, 1)
    store.set_alias(spec.name, "production", 2)  # move it
    store.delete(spec.name, 1)
    assert [v.version for v in store.versions(spec.name)] == [2]
    v3 = store.save(store.load(spec.name).model, spec.name, X_sample=prepared.X)
    assert v3.version == 3  # numbers are never reused
    with pytest.raises(ModelNotFoundError):
        store.load(spec.name, 1)
    with pytest.raises(ModelNotFoundError):
        store.load(spec.name, alias="staging")
    with pytest.raises(ModelNotFoundError):
        store.set_alias(spec.name, "staging", 99)


def test_a_deleted_latest_versions_number_is_never_given_again(tmp_path):
    """Issue 19: save v1-v3, delete v3, save again -> v4 (a client pinned to v3 never gets another model)."""
    from sklearn.linear_model import LogisticRegression

    store = ModelStore(tmp_path / "models")
    X = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
    for c in (1.0, 2.0, 3.0):
        store.save(LogisticRegression(C=c).fit(X, [0, 0, 1, 1]), "pinned", X_sample=X)
    sha3 = store.card("pinned", 3)["artifact"]["sha256"]
    store.delete("pinned", 3)
    v = store.save(LogisticRegression(C=9.0).fit(X, [0, 1, 0, 1]), "pinned", X_sample=X)
    assert v.version == 4 and [m.version for m in store.versions("pinned")] == [1, 2, 4]
    with pytest.raises(ModelNotFoundError):
        store.card("pinned", 3)
    assert store.card("pinned", 4)["artifact"]["sha256"] != sha3
    # a fresh store object on the same folder (another process) agrees
    assert ModelStore(tmp_path / "models").save(store.load("pinned").model, "pinned", X_sample=X).version == 5


def test_writes_to_an_unknown_model_create_nothing(tmp_path):
    store = ModelStore(tmp_path / "models")
    for write in (
        lambda: store.delete("ghost", 1),
        lambda: store.set_alias("ghost", "production", 1),
        lambda: store.remove_alias("ghost", "production"),
    ):
        with pytest.raises(ModelNotFoundError):
            write()
    assert list((tmp_path / "models").iterdir()) == []


@pytest.mark.parametrize("bad", ["../../etc", "<script>alert(1)</script>", "", "A", "a/b", ".hidden", "x" * 65])
def test_hostile_model_names_are_refused(tmp_path, bad):
    store = ModelStore(tmp_path / "models")
    X = pd.DataFrame({"a": [1.0, 2.0]})
    with pytest.raises(InvalidModelNameError, match="name"):
        store.save(LogisticRegression().fit(X, [0, 1]), bad, X_sample=X)
    with pytest.raises(InvalidModelNameError):
        store.load(bad)
    assert list((tmp_path / "models").iterdir()) == []
    assert not (tmp_path / "etc").exists()


def test_library_version_mismatch_is_reported(store):
    card_path = store.root / "titanic-survival" / "versions" / "1" / "card.json"
    card = json.loads(card_path.read_text())
    card["library_versions"]["sklearn"] = "0.0.1"
    card_path.write_text(json.dumps(card))
    warnings = ModelStore(store.root).load("titanic-survival").warnings
    assert any("sklearn 0.0.1" in w for w in warnings)


SAVER = textwrap.dedent("""
    import os, sys, time
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from model_store import ModelStore
    X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0]})
    store = ModelStore(sys.argv[1])
    if len(sys.argv) > 3:  # barrier: say "ready", then wait so that all saves start together
        open(f"{sys.argv[3]}.ready-{os.getpid()}", "w").close()
        while not os.path.exists(sys.argv[3]):
            time.sleep(0.005)
    for _ in range(int(sys.argv[2])):
        store.save(LogisticRegression().fit(X, [0, 0, 1, 1]), "shared", X_sample=X)
""")


def test_twenty_concurrent_saves_from_processes_get_distinct_versions(tmp_path):
    root = tmp_path / "models"
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", SAVER, str(root), "1", str(go)], env=env) for _ in range(20)]
    while len(list(tmp_path.glob("go.ready-*"))) < 20 and all(p.poll() is None for p in procs):
        time.sleep(0.05)
    go.touch()
    assert [p.wait(120) for p in procs] == [0] * 20
    store = ModelStore(root)
    assert [v.version for v in store.versions("shared")] == list(range(1, 21))
    assert all(store.verify("shared", n) for n in range(1, 21))


def test_kill_9_during_saves_leaves_a_consistent_store(tmp_path):
    """SIGKILL a process that saves in a loop until three kills have landed inside a save (each leaves a
    new half-written ``.tmp-*`` folder, which only a save creates), then the store must be whole."""
    root = tmp_path / "models"
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    pauses = [0.02, 0.05, 0.08, 0.13, 0.21, 0.34] * 4  # at most 24 attempts
    landed_inside = 0
    for pause in pauses:
        temps_before = set((root / "shared").glob(".tmp-*")) if (root / "shared").exists() else set()
        before = len(ModelStore(root).versions("shared")) if (root / "shared").exists() else 0
        proc = subprocess.Popen([sys.executable, "-c", SAVER, str(root), "1000"], env=env)
        deadline = time.monotonic() + 60
        while not (root / "shared" / "versions").exists() or len(ModelStore(root).versions("shared")) == before:
            assert time.monotonic() < deadline and proc.poll() is None, "the saver never reached its save loop"
            time.sleep(0.01)
        time.sleep(pause)
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(30) == -signal.SIGKILL
        landed_inside += bool(set((root / "shared").glob(".tmp-*")) - temps_before)
        if landed_inside == 3:
            break
    assert landed_inside == 3, f"only {landed_inside} of {len(pauses)} kills landed inside a save"
    store = ModelStore(root)
    versions = [v.version for v in store.versions("shared")]
    assert versions == list(range(1, len(versions) + 1))  # no gaps, no partial version visible
    for number in versions:
        assert store.verify("shared", number)
        store.load("shared", number)
    leftovers = [p for p in (root / "shared" / "versions").iterdir() if not p.name.isdigit()]
    assert leftovers == []
    assert store.save(store.load("shared").model, "shared", X_sample=pd.DataFrame({"a": [0.0]})).version == (
        versions[-1] + 1
    )


def test_compare_cards_reports_metric_deltas_schema_and_params(store, training):
    from model_store.compare import compare_cards

    spec = DEMO_MODELS[0]
    smaller = spec.spec.model_copy(
        update={
            "features": tuple(f for f in spec.features if f != "Embarked"),
            "params": {**spec.spec.params, "n_estimators": 40},
        }
    )
    prepared = training.prepare(smaller)
    v2 = store.save(
        prepared.build().fit(prepared.X, prepared.y),
        spec.name,
        X_sample=prepared.X,
        metrics={"accuracy": 0.9, "balanced_accuracy": 0.7},
    )
    diff = compare_cards(store.card(spec.name, 1), v2.card)
    accuracy = next(m for m in diff["metrics"] if m["metric"] == "accuracy")
    assert accuracy["delta"] == pytest.approx(0.9 - store.card(spec.name, 1)["metrics"]["accuracy"])
    assert diff["schema"]["removed"] == ["Embarked"] and diff["schema"]["added"] == []
    assert {"param": "n_estimators", "a": 300, "b": 40} in diff["params"]


def test_concurrent_first_loads_parse_the_artifact_once(demo_models, monkeypatch):
    import threading

    import model_store.store as store_module

    parses = []
    original = store_module.read_artifact
    monkeypatch.setattr(store_module, "read_artifact", lambda *a: parses.append(1) or original(*a))
    store = ModelStore(demo_models)
    results, barrier = [], threading.Barrier(6)

    def load():
        barrier.wait()
        results.append(store.load("titanic-survival").model)

    threads = [threading.Thread(target=load) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 6 and all(r is results[0] for r in results) and parses == [1]


def test_a_model_saved_before_its_type_moved_still_loads(tmp_path, monkeypatch):
    """Recommenders lived in ``dashboard.ml.recsys.models``; artifacts naming that module load the class
    from its new home (the app declares the move), and an unknown old module is still refused."""
    import scipy.sparse as sp

    from dashboard.recommend.models import Recommender, RecSpec, fit

    matrix = sp.csr_matrix(np.array([[1, 0, 1], [0, 1, 1], [1, 1, 0]], dtype=float))
    model = fit(RecSpec(kind="popularity"), matrix, users=np.array(["1", "2", "3"]), items=np.array(["a", "b", "c"]))
    schema = {"fields": [{"name": "user", "kind": "identifier", "nullable": False}], "example": {"user": "1"}}
    monkeypatch.setattr(Recommender, "__module__", "dashboard.ml.recsys.models")
    saved = ModelStore(tmp_path).save(model, "old-home", X_sample=None, schema=schema, task="recommendation")
    monkeypatch.undo()
    assert "dashboard.ml.recsys.models.Recommender" in sio.get_untrusted_types(file=saved.path / "model.skops")
    loaded = ModelStore(tmp_path).load("old-home").model
    assert type(loaded) is Recommender and np.array_equal(loaded.popularity_, model.popularity_)

    monkeypatch.setattr(Recommender, "__module__", "somewhere.else")
    with pytest.raises(UnsafeArtifactError):
        ModelStore(tmp_path).save(model, "nowhere", X_sample=None, schema=schema, task="recommendation")


def test_a_training_sample_is_kept_beside_the_artifact_and_checked(tmp_path):
    from model_store.store import BACKGROUND_NAME

    X = pd.DataFrame({"a": np.arange(150.0), "b": ["x", "y", "z"] * 50})
    store = ModelStore(tmp_path)
    version = store.save(make_pipeline(StandardScaler(), LogisticRegression()).fit(X[["a"]], X["a"] > 70), "m",
                         X_sample=X[["a"]], y=X["a"] > 70)  # fmt: skip
    pd.testing.assert_frame_equal(store.background("m"), X[["a"]].head(100))
    (version.path / BACKGROUND_NAME).write_bytes(b"PAR1 changed")
    with pytest.raises(CorruptModelError, match="background sample changed"):
        store.background("m")
    # a sample that cannot be stored as plain columns: the model is saved without one
    odd = pd.DataFrame({"a": [{"nested": 1}, [1, 2]] * 5})
    store.save(make_pipeline(StandardScaler(), LogisticRegression()).fit(X[["a"]], X["a"] > 70), "n",
               X_sample=odd, schema={"fields": [], "example": {}}, y=X["a"] > 70)  # fmt: skip
    assert store.background("n") is None and "background" not in store.card("n")
