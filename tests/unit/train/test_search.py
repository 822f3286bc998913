"""Hyperparameter search and model insights: scores equal scikit-learn's GridSearchCV on the same folds,
the best candidate's CV is cached for the form, random draws respect ranges and scales, cached repeats
and cancel, named errors; coefficients, permutation importance and top n-grams equal independent fits."""

import numpy as np
import pandas as pd
import pytest
from sklearn.inspection import permutation_importance
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from dashboard.errors import Cancelled, FieldError
from dashboard.train.catalog import estimator_spec
from dashboard.train.search import SearchSpec, candidates, parse_values
from dashboard.train.spec import CVSpec, TextSpec, TrainSpec
from tests.unit.helpers import TITANIC, titanic_spec


def test_grid_scores_and_ranks_equal_grid_search_cv(training):
    spec = titanic_spec()
    grid = [0.01, 0.1, 1.0, 10.0]
    _, result, cached = training.search(spec, SearchSpec(grid={"C": grid}, metric="roc_auc"))
    assert not cached and result.rows[0]["defaults"] and len(result.rows) == 5
    prepared = training.prepare(spec)
    reference = GridSearchCV(
        prepared.build(),
        {"model__C": grid},
        cv=StratifiedKFold(5, shuffle=True, random_state=3),
        scoring="roc_auc",
        refit=False,
    ).fit(prepared.X, prepared.y)
    ours = result.rows[1:]
    assert [r["values"]["C"] for r in ours] == grid
    np.testing.assert_allclose([r["mean"] for r in ours], reference.cv_results_["mean_test_score"], atol=1e-9)
    np.testing.assert_allclose([r["std"] for r in ours], reference.cv_results_["std_test_score"], atol=1e-9)
    # ranks among the grid agree (ours also ranks the defaults row, which can only push ranks down by one)
    order = np.argsort([r["rank"] for r in ours], kind="stable")
    assert list(order) == list(np.argsort(reference.cv_results_["rank_test_score"], kind="stable"))
    assert result.best_row()["mean"] == max(r["mean"] for r in result.rows)


def test_defaults_row_is_a_plain_run_and_the_best_candidate_is_cached_for_the_form(training, fit_calls):
    spec = titanic_spec(params={"max_iter": 1000})
    _, result, _ = training.search(spec, SearchSpec(grid={"C": [0.05, 0.5]}))
    fits = len(fit_calls)
    _, plain, cached = training.run(titanic_spec())  # catalog defaults, as the form sends them
    assert cached and plain.summary["roc_auc"]["mean"] == pytest.approx(result.defaults_row()["mean"], abs=1e-12)
    best = result.best_row()
    form_values = {"C": best["values"]["C"], "max_iter": 1000}  # what "use the best parameters" puts in the form
    _, again, cached = training.run(titanic_spec(params=form_values))
    assert cached and len(fit_calls) == fits
    assert again.summary["roc_auc"]["mean"] == pytest.approx(best["mean"], abs=1e-12)


def test_cached_search_repeat_does_no_fitting(training, fit_calls):
    search = SearchSpec(grid={"C": [0.1, 1.0]})
    first, _, _ = training.search(titanic_spec(), search)
    fits = len(fit_calls)
    token, result, cached = training.search(titanic_spec(), search)
    assert cached and token == first and len(fit_calls) == fits and len(result.rows) == 3


def test_random_search_draws_within_ranges_on_the_parameters_scale():
    rf = estimator_spec("random_forest")
    search = SearchSpec(
        mode="random",
        ranges={"n_estimators": (10.0, 1000.0), "max_features": (0.2, 0.9)},
        grid={"max_depth": [0, 5]},
        candidates=60,
        seed=7,
    )
    drawn = candidates(rf, search)
    assert drawn[0] == {} and len(drawn) == 61
    assert all(type(c["n_estimators"]) is int for c in drawn[1:])
    trees = np.array([c["n_estimators"] for c in drawn[1:]])
    assert trees.min() >= 10 and trees.max() <= 1000
    # log scale: about half the draws fall below the geometric middle (100), far more than a uniform draw's 9 %
    assert 0.3 < np.mean(trees < 100) < 0.7
    assert all(0.2 <= c["max_features"] <= 0.9 for c in drawn[1:])
    assert {c["max_depth"] for c in drawn[1:]} == {0, 5}
    assert candidates(rf, search) == drawn  # same seed, same candidates


def test_cancel_stops_the_search_and_caches_nothing(training):
    calls = []

    def cancelled():
        calls.append(1)
        return len(calls) >= 3

    search = SearchSpec(grid={"C": [0.1, 1.0, 10.0]})
    with pytest.raises(Cancelled):
        training.search(titanic_spec(), search, cancelled=cancelled)
    assert len(calls) == 3
    assert training.memo.get(training.search_token(titanic_spec(), search)) is None


@pytest.mark.parametrize(
    ("text", "mode", "field", "message"),
    [
        ("0.1, lots", "grid", "search.C", "not a number"),
        ("0.1..10", "grid", "search.C", "needs random or TPE search"),
        ("10..1", "random", "search.C", "is empty"),
        ("", "grid", "search.C", "enter values"),
        ("-5", "grid", "search.C", "outside"),
        ("nan, 1", "grid", "search.C", "finite"),
        ("1..inf", "random", "search.C", "finite"),
    ],
)
def test_bad_search_values_name_the_parameter(text, mode, field, message):
    with pytest.raises(FieldError, match=message) as info:
        parse_values({p.name: p for p in estimator_spec("logistic_regression").params}["C"], text, mode)
    assert info.value.field == field


@pytest.mark.parametrize(
    ("search", "field", "message"),
    [
        (SearchSpec(grid={"gamma": ["scale"]}), "search.gamma", "not a parameter"),
        (SearchSpec(), "search", "tick at least one"),
        (
            SearchSpec(grid={"C": list(np.linspace(0.1, 10, 15)), "max_iter": list(range(100, 1500, 100))}),
            "search",
            "at most",
        ),
        (SearchSpec(grid={"C": [1.0]}, metric="rmse"), "search.metric", "does not apply"),
    ],
)
def test_bad_searches_give_named_errors(training, search, field, message):
    with pytest.raises(FieldError, match=message) as info:
        training.search(titanic_spec(), search)
    assert info.value.field == field


def _fold_models(training, spec):
    prepared = training.prepare(spec)
    splitter = StratifiedKFold(spec.cv.folds, shuffle=True, random_state=spec.cv.seed)
    for train, test in splitter.split(prepared.X, prepared.y):
        model = prepared.build().fit(prepared.X.iloc[train], prepared.y.iloc[train])
        yield model, prepared.X.iloc[test], prepared.y.iloc[test]


def test_coefficients_and_permutation_importance_equal_independent_fits(training):
    spec = titanic_spec(importance=True)
    _, result, _ = training.run(spec)
    coefficients, permutations = [], []
    for model, X_test, y_test in _fold_models(training, spec):
        names = [n.partition("__")[2] for n in model[:-1].get_feature_names_out()]
        coefficients.append(dict(zip(names, model[-1].coef_[0], strict=True)))
        drop = permutation_importance(model, X_test, y_test.to_numpy(), n_repeats=5, random_state=3)
        permutations.append(dict(zip(X_test.columns, drop.importances_mean, strict=True)))
    native = result.insights["native"]
    assert native["kind"].startswith("coefficient") and "toward 1" in native["kind"]
    expected = pd.DataFrame(coefficients).mean()
    for name, value in native["values"].items():
        assert value == pytest.approx(expected[name], abs=1e-9)
    assert max(native["values"], key=lambda n: abs(native["values"][n])).startswith("Sex_")
    shown = result.insights["permutation"]
    assert set(shown) == set(TITANIC)
    expected = pd.DataFrame(permutations).mean()
    for column, value in shown.items():
        assert value["mean"] == pytest.approx(expected[column], abs=1e-9)
    assert next(iter(shown)) == "Sex"  # sorted, strongest first


def test_importances_by_input_column_equal_independent_fits(training):
    """A linear model's column weighs the spread (std over the fold's held-out rows) of its levels' part of
    the decision function, equal to independent fits; every column of the forest adds up its levels'
    importances, and all of them add up to 1."""
    spec = titanic_spec()
    _, result, _ = training.run(spec)
    spreads = []
    for model, X_test, _ in _fold_models(training, spec):
        names = [n.partition("__")[2] for n in model[:-1].get_feature_names_out()]
        parts = pd.DataFrame(model[:-1].transform(X_test), columns=names) * model[-1].coef_[0]
        mine = {c: [n for n in names if n == c or n.startswith(c + "_")] for c in TITANIC}
        spreads.append({c: parts[levels].sum(axis=1).std(ddof=0) for c, levels in mine.items()})
    groups = result.insights["native"]["groups"]
    assert set(groups) == set(TITANIC)
    expected = pd.DataFrame(spreads).mean()
    for column, group in groups.items():
        assert group["total"] == pytest.approx(expected[column], abs=1e-9)
    assert set(groups["Sex"]["levels"]) == {"Sex_female", "Sex_male"}
    assert next(iter(groups)) == "Sex"

    _, forest, _ = training.run(titanic_spec(estimator="random_forest", params={"n_estimators": 50}))
    groups = forest.insights["native"]["groups"]
    assert sum(g["total"] for g in groups.values()) == pytest.approx(1.0, abs=1e-9)
    for group in groups.values():
        assert group["total"] == pytest.approx(sum(group["levels"].values()), abs=1e-12)
    assert next(iter(groups)) == "Sex" and groups["Sex"]["total"] > max(groups["Sex"]["levels"].values())


def test_text_columns_group_their_ngrams_and_unknown_layouts_group_nothing():
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    from model_store.columns import input_columns

    frame = pd.DataFrame(
        {"body": ["red green", "green blue", "blue pink", "red pink"], "kind": ["x", "y", "x", "z"], "n": [1, 2, 3, 4]}
    )
    prep = ColumnTransformer([("text_body", TfidfVectorizer(), "body"), ("categorical", OneHotEncoder(), ["kind"])])
    model = Pipeline([("prep", prep), ("model", LogisticRegression())]).fit(frame, [0, 1, 0, 1])
    assert list(input_columns(model)) == ["body"] * 4 + ["kind"] * 3
    dropped = OneHotEncoder(drop="first")
    model = Pipeline([("prep", ColumnTransformer([("c", dropped, ["kind"])])), ("m", LogisticRegression())])
    assert list(input_columns(model.fit(frame, [0, 1, 0, 1]))) == ["kind"] * 2
    bare = Pipeline([("m", LogisticRegression())]).fit(frame[["n"]], [0, 1, 0, 1])
    assert input_columns(bare) is None


def test_forest_importances_and_per_class_top_ngrams(training, catalog):
    _, forest, _ = training.run(titanic_spec(estimator="random_forest", params={"n_estimators": 50}))
    assert forest.insights["native"]["kind"] == "impurity importance"
    assert sum(forest.insights["native"]["values"].values()) == pytest.approx(1.0, abs=1e-6)  # all features kept
    spec = TrainSpec(
        dataset="languages",
        target="language",
        features=("text",),
        estimator="multinomial_nb",
        text=TextSpec(analyzer="char_wb", ngram_min=2, ngram_max=3),
        cv=CVSpec(folds=3),
    )
    _, result, _ = training.run(spec)
    terms = result.insights["terms"]
    assert set(terms) == {str(c) for c in result.classes}
    frame = catalog.load("languages")
    for language, weights in terms.items():
        top = next(iter(weights)).partition(": ")[2]
        own = frame.loc[frame["language"] == language, "text"].str.contains(top, regex=False).mean()
        rest = frame.loc[frame["language"] != language, "text"].str.contains(top, regex=False).mean()
        assert own > rest, (language, top)


def _rows(names, values_list):
    return [
        {"values": dict(zip(names, values, strict=True)), "mean": 0.5 + i / 100, "std": 0.01, "defaults": False}
        for i, values in enumerate(values_list)
    ]


def test_search_figure_picks_a_view_for_the_number_of_parameters():
    from dashboard.figures.train import search_figure

    one = search_figure(_rows(["C"], [[0.1], [1.0], [10.0]]), ["C"], "roc_auc", {"C"}, True)
    assert one.data[0].type == "scatter" and one.layout.xaxis.type == "log"
    grid = search_figure(_rows(["C", "k"], [[0.1, 1], [1.0, 1], [0.1, 2], [1.0, 2]]), ["C", "k"], "rmse", set(), True)
    assert grid.data[0].type == "heatmap" and grid.data[0].reversescale  # lower is better for rmse
    assert [list(r) for r in grid.data[0].z] == [[0.5, 0.51], [0.52, 0.53]]
    drawn = search_figure(_rows(["C", "k"], [[0.1, 1], [3.0, 7]]), ["C", "k"], "f1", set(), False)
    assert drawn.data[0].type == "scatter"
    many = search_figure(_rows(["a", "b", "w"], [[1, 2.0, "x"], [3, 4.0, "y"]]), ["a", "b", "w"], "f1", set(), True)
    assert many.data[0].type == "parcoords" and many.data[0].dimensions[2].ticktext == ("x", "y")


def test_stop_words_option_reaches_the_vectorizer(training):
    spec = TrainSpec(
        dataset="reviews",
        target=training.catalog.info("reviews").target,
        features=("review",),
        estimator="logistic_regression",
        text=TextSpec(analyzer="word", stop_words=True),
    )
    vectorizer = training.prepare(spec).build()[0].transformers[0][1]
    assert vectorizer.stop_words == "english"
