"""What a model learned, grouped by input column: a column's weight does not grow with its number of
levels, on a constructed table where the truth is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.train.spec import CVSpec, TrainSpec

ROWS = 1200


def _strong_binary_and_noisy_levels(catalog, tmp_path) -> str:
    """``smoker`` decides the outcome (flipped for 15 % of rows); ``branch`` has 60 levels of pure noise and
    ``deck`` 7 levels of noise on the 23 % of rows that have one (like Titanic's cabin deck)."""
    rng = np.random.default_rng(7)
    smoker = rng.choice(["yes", "no"], ROWS)
    outcome = np.where(rng.random(ROWS) < 0.85, smoker == "yes", smoker != "yes").astype(int)
    frame = pd.DataFrame(
        {
            "smoker": smoker,
            "branch": [f"branch-{i:02d}" for i in rng.integers(0, 60, ROWS)],
            "deck": np.where(rng.random(ROWS) < 0.23, rng.choice(list("ABCDEFG"), ROWS), None),
            "age": rng.normal(40, 12, ROWS).round(),
            "outcome": outcome,
        }
    )
    path = tmp_path / "smokers.csv"
    frame.to_csv(path, index=False)
    info, _ = catalog.add_upload("smokers.csv", path)
    return info.id


@pytest.mark.parametrize("estimator", ["logistic_regression", "random_forest"])
def test_a_strong_yes_no_column_outranks_many_levels_of_noise(training, catalog, tmp_path, estimator):
    dataset = _strong_binary_and_noisy_levels(catalog, tmp_path)
    spec = TrainSpec(
        dataset=dataset,
        target="outcome",
        features=("smoker", "branch", "deck", "age"),
        estimator=estimator,
        cv=CVSpec(folds=3, seed=1),
    )
    _, result, _ = training.run(spec)
    groups = result.insights["native"]["groups"]
    assert len(groups["branch"]["levels"]) > 1 and len(groups["deck"]["levels"]) > 1  # really many levels
    assert next(iter(groups)) == "smoker"
    assert groups["smoker"]["total"] > 2 * max(groups["branch"]["total"], groups["deck"]["total"])
