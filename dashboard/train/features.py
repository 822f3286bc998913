"""Feature functions used inside stored pipelines (today only by models saved before the demo models were
trained through the training service). Each one is named on the model store's trusted-type
list, so keep them pure, importable and stable: a rename breaks every saved model that uses it."""

from __future__ import annotations

import pandas as pd


def add_is_alone(frame: pd.DataFrame) -> pd.DataFrame:
    """Titanic: ``IsAlone`` is 1 for passengers with no siblings, spouses, parents or children aboard."""
    out = frame.copy()
    out["IsAlone"] = ((out["SibSp"].fillna(0) + out["Parch"].fillna(0)) == 0).astype(int)
    return out
