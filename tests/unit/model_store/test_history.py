"""The registry's history: every save, alias move and delete with who and when, newest first; it survives a
restart, reads the same from every store object on the folder (another process, another machine), outlives the
versions it names, and a line cut short by a crash hides no other event."""

from __future__ import annotations

import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from dashboard.actors import acting_as, current_actor
from model_store import ModelNotFoundError, ModelStore
from model_store.history import HISTORY_NAME

X = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})


def _save(store: ModelStore, name: str = "churn"):
    return store.save(LogisticRegression().fit(X, [0, 0, 1, 1]), name, X_sample=X)


def _what(events):
    return [(e["actor"], e["event"], e.get("version"), e.get("alias"), e.get("from"), e.get("to")) for e in events]


def test_saves_alias_moves_and_deletes_are_events_with_who_in_order(tmp_path):
    store = ModelStore(tmp_path / "models", actor=current_actor)
    with acting_as("ed"):
        _save(store)
        _save(store)
        store.set_alias("churn", "production", 1)
        store.set_alias("churn", "production", 1)  # no move: no event
    with acting_as("ann"):
        store.set_alias("churn", "production", 2)
        store.remove_alias("churn", "production")
        store.delete("churn", 1)
    assert _what(ModelStore(tmp_path / "models").history("churn")) == [  # a new store: a restart
        ("ann", "deleted", 1, None, None, None),
        ("ann", "alias_removed", None, "production", 2, None),
        ("ann", "alias_set", None, "production", 1, 2),
        ("ed", "alias_set", None, "production", None, 1),
        ("ed", "saved", 2, None, None, None),
        ("ed", "saved", 1, None, None, None),
    ]


def test_two_stores_on_one_folder_write_one_history_and_it_outlives_the_versions(tmp_path):
    first, second = ModelStore(tmp_path / "m"), ModelStore(tmp_path / "m")  # two machines, one shared store
    _save(first)
    _save(second)
    second.set_alias("churn", "staging", 2)
    first.delete("churn", 1)
    assert first.history("churn") == second.history("churn")
    assert [e["event"] for e in first.history("churn")] == ["deleted", "alias_set", "saved", "saved"]
    second.remove_alias("churn", "staging")
    second.delete("churn", 2)
    assert first.versions("churn") == [] and first.history("churn")[0]["event"] == "deleted"


def test_a_line_cut_short_by_a_crash_hides_no_other_event_and_unknown_models_are_404(tmp_path):
    store = ModelStore(tmp_path / "m")
    _save(store)
    with open(tmp_path / "m" / "churn" / HISTORY_NAME, "a") as handle:
        handle.write('{"event": "saved", "vers')  # killed mid-write
    _save(store)
    assert [e.get("version") for e in store.history("churn")] == [2, 1]
    with pytest.raises(ModelNotFoundError):
        store.history("never-saved")
