"""Classes of real-file trouble, each tested on its own: flags written as text, decimal commas, numeric
targets that are quantities, identifiers and recodings of the target among the columns, and library
exception text kept from the user."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from dashboard.data import profile
from dashboard.data.catalog import Catalog
from dashboard.data.columns import infer_task
from dashboard.data.defaults import feature_defaults, identifier_columns, named_like_id
from dashboard.errors import FieldError, shown, user_message
from dashboard.serving.tables import read_batch_csv
from dashboard.train.spec import TrainSpec
from model_store import check_records
from model_store.schema import as_flags


def seaborn_titanic(catalog: Catalog) -> pd.DataFrame:
    """seaborn's ``titanic.csv`` rebuilt from the built-in passenger list: lower-case names, ``alive`` as
    yes/no (a recoding of ``survived``), ``class`` as words, ``alone`` as True/False, R-style row names."""
    t = catalog.load("titanic")
    frame = pd.DataFrame(
        {
            "rownames": np.arange(1, len(t) + 1),
            "survived": t["Survived"],
            "pclass": t["Pclass"],
            "sex": t["Sex"],
            "age": t["Age"],
            "sibsp": t["SibSp"],
            "parch": t["Parch"],
            "fare": t["Fare"],
            "embarked": t["Embarked"],
            "class": t["Pclass"].map({1: "First", 2: "Second", 3: "Third"}),
            "alive": t["Survived"].map({1: "yes", 0: "no"}),
            "alone": (t["SibSp"] + t["Parch"]) == 0,
        }
    )
    catalog.add_upload("titanic.csv", frame.to_csv(index=False).encode(), name="seaborn-titanic")
    return frame


@pytest.mark.parametrize(
    ("values", "flags"),
    [
        (["yes", "no", None, "Yes"], [True, False, None, True]),
        (["Y", "n", "y"], [True, False, True]),
        (["t", "f", None], [True, False, None]),
        ([" TRUE", "false "], [True, False]),
    ],
)
def test_flags_written_as_text_are_read_as_booleans(values, flags):
    read = as_flags(pd.Series(values, dtype=object))
    assert [None if v is pd.NA else bool(v) for v in read] == flags
    assert profile.infer_kind(pd.Series(values, dtype=object)) == "boolean"


@pytest.mark.parametrize("values", [["F", "M", "F"], ["yes", "no", "maybe"], ["1", "2"]])
def test_text_that_is_not_flags_stays_text(values):
    assert as_flags(pd.Series(values, dtype=object)) is None
    assert profile.infer_kind(pd.Series(values, dtype=object)) != "boolean"


def test_a_yes_no_feature_trains_and_serves_as_a_flag(training, catalog):
    """seaborn's Titanic stopped cross-validation with scikit-learn's 'Cannot use median strategy with
    non-numeric data: could not convert string to float: 'yes'' on the first click."""
    seaborn_titanic(catalog)
    spec = TrainSpec(
        dataset="seaborn-titanic",
        target="pclass",
        features=("sex", "age", "fare", "alive", "alone", "class"),
        estimator="logistic_regression",
        task="multiclass",
    )
    token, result, _ = training.run(spec)
    assert result.summary["accuracy"]["mean"] > 0.9  # class is pclass in words: it is all there
    version = training.save(spec, token, "pclass")
    schema = {f["name"]: f for f in version.card["schema"]["fields"]}
    assert schema["alive"]["kind"] == "boolean" and schema["alone"]["kind"] == "boolean"
    record = {"sex": "male", "age": 30, "fare": 7.25, "alive": "no", "alone": "True", "class": "Third"}
    frame, _ = check_records(version.card["schema"], [record])
    model = training.store.load("pclass").model
    row = training.prepare(spec).X.iloc[[0]]
    assert (frame["alive"].iloc[0], frame["alone"].iloc[0]) == (False, True)
    assert model.predict_proba(frame).shape == (1, 3) and model.predict_proba(row).shape == (1, 3)


def test_decimal_commas_in_a_semicolon_file_are_numbers_with_a_notice(catalog):
    text = "name;price;weight;count\nA;3,50;1.234,5;7\nB;12;2 000,25;8\nC;;0,5;9\n"
    info, notices = catalog.add_upload("prices.csv", text.encode(), name="prices")
    frame = catalog.load(info.id)
    assert frame["price"].tolist()[:2] == [3.5, 12.0] and pd.isna(frame["price"].iloc[2])
    assert frame["weight"].tolist() == [1234.5, 2000.25, 0.5] and frame["count"].tolist() == [7, 8, 9]
    assert any("decimal commas read as numbers in: price, weight" in n for n in notices)


def test_a_comma_file_keeps_quoted_text_with_commas(catalog):
    info, notices = catalog.add_upload("t.csv", b'code,label\n1,"3,50"\n2,"4,75"\n', name="codes")
    assert catalog.load(info.id)["label"].tolist() == ["3,50", "4,75"]
    assert not any("decimal" in n for n in notices)


@pytest.mark.parametrize(
    ("values", "task"),
    [
        ([0.5, 1.0, 2.0] * 20, "regression"),  # doses: fractional numbers are a quantity
        (list(range(15)) * 4 + [40, 50], "regression"),  # counts with a tail: levels too rare to be classes
        ([1, 2, 3, 4] * 10, "multiclass"),  # codes, each frequent
        ([0, 1] * 10, "binary"),
        (["a", "b", "c"] * 5, "multiclass"),
    ],
)
def test_the_task_a_target_asks_for(values, task):
    y = pd.Series(values)
    assert infer_task(y, profile.infer_kind(y)) == task


@pytest.mark.parametrize(
    ("name", "looks"),
    [
        ("rownames", True),
        ("PassengerId", True),
        ("customer_id", True),
        ("userID", True),
        ("idno", True),
        ("paid", False),
        ("valid", False),
        ("Id", True),
        ("Width", False),
    ],
)
def test_names_like_an_identifier(name, looks):
    assert named_like_id(name) is looks


def test_identifiers_row_counters_and_unique_names_are_found():
    frame = pd.DataFrame(
        {
            "rownames": range(1, 61),
            "state": [f"State {i}" for i in range(60)],
            "year": range(1950, 2010),
            "population": np.random.default_rng(0).integers(10**5, 10**7, 60),
            "region": ["N", "S", "E", "W"] * 15,
        }
    )
    found = identifier_columns(frame, profile.summarize(frame)["profiles"])
    assert set(found) == {"rownames", "state", "year"}  # population is unique too, but a measurement
    assert "one value per row" in found["state"] and "consecutive" in found["year"]


def test_recodings_of_the_target_are_left_out_and_honest_predictors_kept(catalog):
    frame = seaborn_titanic(catalog)
    defaults = feature_defaults(frame, profile.summarize(frame)["profiles"], "survived")
    assert set(defaults.left_out) == {"rownames", "alive"}
    assert "recoded" in defaults.left_out["alive"]
    assert {"sex", "pclass", "age", "fare", "class", "alone"} <= set(defaults.features)  # sex alone: 78 %, kept
    salaries = pd.DataFrame({"salary": np.random.default_rng(1).lognormal(7, 0.5, 200)})
    salaries["lsalary"] = np.log(salaries["salary"])
    salaries["sales"] = salaries["salary"] * np.random.default_rng(2).lognormal(0, 0.8, 200)
    defaults = feature_defaults(salaries, profile.summarize(salaries)["profiles"], "salary", "regression")
    assert list(defaults.left_out) == ["lsalary"] and defaults.features == ["sales"]


def test_the_target_is_never_a_feature_and_an_upload_asks_for_one(training, catalog):
    seaborn_titanic(catalog)
    spec = TrainSpec(dataset="seaborn-titanic", target="", features=("age",), estimator="logistic_regression")
    with pytest.raises(FieldError, match="choose the column to predict") as refused:
        training.prepare(spec)
    assert refused.value.field == "target"
    chosen = spec.model_copy(update={"target": "survived", "features": ("age", "survived", "fare")})
    prepared = training.prepare(chosen)
    assert list(prepared.X.columns) == ["age", "fare"]
    assert "survived is the target, so it is not used as a feature" in prepared.notices


def test_a_class_seen_once_is_left_out_with_a_notice(training, catalog):
    frame = pd.DataFrame({"x": np.arange(61.0), "y": ["a", "b"] * 30 + ["rare"]})
    catalog.add_upload("rare.csv", frame.to_csv(index=False).encode(), name="rare")
    _, result, _ = training.run(TrainSpec(dataset="rare", target="y", features=("x",), estimator="logistic_regression"))
    assert result.classes == ["a", "b"] and result.task == "binary"
    assert any("single row left out ('rare')" in n for n in result.notices)


def test_correlations_leave_out_identifiers_and_say_so(explorer_service):
    from layouts.explorer_views import correlation_pairs

    corr = explorer_service.correlations("titanic")
    assert "PassengerId" not in corr["columns"] and {"Age", "Fare", "Survived"} <= set(corr["columns"])
    assert corr["left_out"] == ["PassengerId"]
    assert "Left out (identifiers or row numbers): PassengerId" in str(correlation_pairs(corr))


def test_clusters_start_without_the_customer_id_and_say_why(explorer_service):
    from layouts.clusters import identifiers_note
    from layouts.clusters_form import default_features

    kinds = explorer_service.kinds("cdnow")
    identifiers = explorer_service.identifiers("cdnow")
    chosen = default_features(kinds, identifiers)
    assert "customer_id" not in chosen and chosen
    assert identifiers_note(identifiers, chosen) == "Left out by default: customer_id (named like an identifier)."


def test_library_text_goes_to_the_log_and_the_user_reads_a_reference(caplog):
    with caplog.at_level(logging.ERROR, logger="dashboard.errors"):
        message = user_message(ValueError("Cannot use median strategy with non-numeric data"), "run", "training")
    assert message.startswith("run: training failed") and "median" not in message
    reference = message.split("reference ")[1].split(")")[0]
    assert any(reference in r.getMessage() and r.exc_info for r in caplog.records)
    assert user_message(FieldError("target", "choose the column to predict")) == "target: choose the column to predict"
    assert [shown(np.int64(19)), shown(np.float64(7.0)), shown(np.str_("L"))] == ["19", "7", "'L'"]


def test_a_ragged_batch_csv_is_named_in_the_apps_words():
    schema = {"fields": [{"name": "x", "kind": "numeric", "nullable": True, "dtype": "float64"}]}
    with pytest.raises(Exception) as refused:
        read_batch_csv(b"x,y\n1,2\n3,4,5\n", schema)
    assert refused.value.errors == {"file": "not a readable CSV: line 3 has 3 fields where the first row has 2"}


@pytest.fixture
def explorer_service(training):
    return training.explorer
