"""Predict names each input it had to fill in, with the value the model really used: the answer for the
empty field equals the answer with that value typed in."""

from __future__ import annotations

import re

from dashboard.serving.imputed import imputation_notices
from model_store import check_records

ROW = {"Pclass": 3, "Sex": "male", "Age": None, "SibSp": 1, "Parch": 0, "Fare": None, "Embarked": None}


def test_a_filled_in_value_is_named_and_is_what_the_model_used(store):
    loaded = store.load("titanic-survival")
    notices = imputation_notices(loaded.model, ROW)
    assert [n.split(" ")[0] for n in notices] == ["Age", "Fare", "Embarked"]
    age = re.search(r"Age was empty: the model used ([\d.]+) \(the median of the training rows\)", notices[0])
    assert age, notices
    assert "Embarked was empty: the model used (missing) (a level of its own for missing values)" in notices
    fare = float(re.search(r"Fare was empty: the model used ([\d.]+)", notices[1]).group(1))
    schema = loaded.card["schema"]
    empty, _ = check_records(schema, [ROW])
    typed, _ = check_records(schema, [{**ROW, "Age": float(age.group(1)), "Fare": fare}])
    assert (loaded.model.predict_proba(empty) == loaded.model.predict_proba(typed)).all()


def test_nothing_is_said_when_every_field_is_given(store):
    loaded = store.load("titanic-survival")
    full = {**ROW, "Age": 30, "Fare": 7.25, "Embarked": "S"}
    assert imputation_notices(loaded.model, full) == []
