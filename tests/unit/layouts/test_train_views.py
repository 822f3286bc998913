"""The search table says what a person means: no limit is "no limit", and a pruned candidate's partial mean
is never read as a result that beats the winner."""

from __future__ import annotations

from layouts.common import format_value
from layouts.train_views import results_table


def _row(candidate, mean, folds, *, pruned=False, rank=None, depth=0):
    row = {
        "candidate": candidate,
        "defaults": False,
        "values": {"max_depth": depth},
        "mean": mean,
        "std": 0.01,
        "fit_time": 0.1,
        "folds": folds,
        "of": 5,
        "pruned": pruned,
    }
    return {**row, "rank": rank} if rank else row


def test_a_depth_of_zero_or_none_reads_no_limit():
    assert format_value(0, "max_depth") == format_value(None, "max_depth") == "no limit"
    assert format_value(8, "max_depth") == "8" and format_value(0, "min_samples_leaf") == "0"


def test_a_pruned_candidate_is_listed_after_the_ranked_ones_and_says_its_mean_is_partial():
    rows = [_row(1, 0.80, 5, rank=1, depth=8), _row(2, 0.90, 2, pruned=True)]
    table = str(results_table(rows, ["max_depth"], "roc_auc", best=1))
    assert table.index("0.8000 ± 0.0100") < table.index("stopped after 2 of 5 folds (partial mean 0.9000), not ranked")
    assert "no limit" in table
