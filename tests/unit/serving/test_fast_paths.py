"""The forest fast path answers bit for bit what scikit-learn's ``predict_proba`` answers, and is used
only after proving it on the model's first answer."""

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from dashboard.serving import fast_paths

FEATURES = ["Pclass", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked"]


def test_the_stored_titanic_forest_answers_identically_through_the_fast_path(store, catalog):
    model = store.load("titanic-survival").model
    rows = catalog.load("titanic")[FEATURES].sample(n=400, random_state=0)  # missing ages and ports included
    assert rows.isna().any().any()
    assert fast_paths._forest_path(model) is not None
    for frame in (rows.iloc[:1], rows.iloc[1:2], rows):
        fast_paths.predict_proba(model, frame)  # the first answer decides
        assert fast_paths._verdicts[model] is True
        assert np.array_equal(fast_paths.predict_proba(model, frame), model.predict_proba(frame))


@pytest.mark.parametrize("forest", [ExtraTreesClassifier, RandomForestClassifier])
def test_sparse_one_hot_input_and_three_classes_are_identical_too(forest, catalog):
    frame = catalog.load("penguins").dropna(subset=["species"])
    X, y = frame.drop(columns=["species"]), frame["species"]
    categorical = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    numeric = [c for c in X.columns if c not in categorical]
    model = make_pipeline(
        make_column_transformer(
            (make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(sparse_output=True)), categorical),
            (SimpleImputer(), numeric),
            sparse_threshold=1.0,
        ),
        forest(n_estimators=50, random_state=0),
    ).fit(X, y)
    fast_paths.predict_proba(model, X)
    assert fast_paths._verdicts[model] is True
    assert np.array_equal(fast_paths.predict_proba(model, X.iloc[:3]), model.predict_proba(X.iloc[:3]))


def test_other_models_and_multithreaded_forests_take_the_librarys_call(catalog):
    frame = catalog.load("iris")
    X, y = frame.drop(columns=["species"]), frame["species"]
    threaded = make_pipeline(SimpleImputer(), RandomForestClassifier(n_estimators=10, n_jobs=2)).fit(X, y)
    assert fast_paths._forest_path(threaded) is None  # threads sum the trees in no fixed order
    assert fast_paths._forest_path(RandomForestClassifier().fit(X, y)) is None  # not a pipeline
    assert np.array_equal(fast_paths.predict_proba(threaded, X), threaded.predict_proba(X))


def test_a_fast_path_that_disagrees_is_never_used(catalog, monkeypatch):
    frame = catalog.load("iris")
    X, y = frame.drop(columns=["species"]), frame["species"]
    model = make_pipeline(SimpleImputer(), RandomForestClassifier(n_estimators=10, random_state=0)).fit(X, y)
    real = fast_paths._forest_path

    def off_by_a_bit(m):
        fast = real(m)
        return lambda f: fast(f) + 1e-15

    monkeypatch.setattr(fast_paths, "_forest_path", off_by_a_bit)
    assert np.array_equal(fast_paths.predict_proba(model, X), model.predict_proba(X))
    assert fast_paths._verdicts[model] is False
    assert np.array_equal(fast_paths.predict_proba(model, X), model.predict_proba(X))
