"""One tree read in the input's terms: a numeric split's threshold is the scaler's inverse (rows on each side
agree with it), a one-hot split asks "column = level", rows add up down the tree, and a row's path ends in
the leaf whose class shares are the tree's own prediction for that row."""

import numpy as np
import pytest

from dashboard.errors import NotApplicable
from dashboard.serving.trees import row_path, tree_nodes
from tests.unit.helpers import titanic_spec


@pytest.fixture
def decision_tree(training):
    spec = titanic_spec(estimator="decision_tree", params={"max_depth": 4})
    training.run(spec)
    return training.refitted(spec), training.prepare(spec).X


def test_rows_add_up_and_questions_are_in_input_terms(decision_tree):
    model, X = decision_tree
    view = tree_nodes(model, 0, depth=3)
    nodes = {n["id"]: n for n in view["nodes"]}
    assert nodes[0]["rows"] == len(X) and nodes[0]["question"] in ("Sex = male?", "Sex = female?")
    for node in view["nodes"]:
        children = [c for c in view["nodes"] if c["parent"] == node["id"]]
        if children:
            assert sum(c["rows"] for c in children) == node["rows"]
            assert {c["answer"] for c in children} == {"yes", "no"}
    assert max(n["depth"] for n in view["nodes"]) == 3 and any(n["cut"] for n in view["nodes"])


def test_a_numeric_threshold_is_read_back_through_the_scaler(decision_tree):
    model, X = decision_tree
    tree = model[-1].tree_
    scaled = model[:-1].transform(X)
    numeric = [n for n in tree_nodes(model, 0, depth=4)["nodes"] if n["question"] and "≤" in n["question"]]
    assert numeric, "the tree has a numeric split in its first levels"
    node = numeric[0]
    column, shown = node["question"].rstrip("?").split(" ≤ ")
    position = list(X.columns).index(column)
    feature = tree.feature[node["id"]]
    original = X.iloc[:, position].fillna(X.iloc[:, position].median()).to_numpy(float)
    goes_left = scaled[:, feature] <= tree.threshold[node["id"]]
    assert np.array_equal(goes_left, original <= float(shown) + 1e-9)


def test_a_rows_path_ends_in_the_leaf_the_tree_predicts_with(decision_tree):
    model, X = decision_tree
    for i in (0, 5, 17):
        row = X.iloc[[i]]
        steps = row_path(model, row)
        leaf = steps[-1]
        assert leaf["leaf"] and len(steps) - 1 <= 4
        shares = [leaf["value"]["shares"][str(c)] for c in model[-1].classes_]
        np.testing.assert_allclose(shares, model.predict_proba(row)[0])


def test_a_forest_s_trees_are_numbered_and_other_models_are_refused(training):
    spec = titanic_spec(estimator="random_forest", params={"n_estimators": 12})
    training.run(spec)
    forest = training.refitted(spec)
    assert tree_nodes(forest, 11, depth=2)["trees"] == 12
    with pytest.raises(NotApplicable, match="from 1 to 12"):
        tree_nodes(forest, 12)
    spec = titanic_spec()
    training.run(spec)
    with pytest.raises(NotApplicable, match="no trees"):
        tree_nodes(training.refitted(spec))
