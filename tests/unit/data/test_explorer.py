"""Explorer summaries, distributions, correlations, scatter sampling and grid pages on real data."""

import numpy as np
import pandas as pd
import pytest

from dashboard.data import grid, profile
from dashboard.data.explorer import ExplorerService, resolve_view
from dashboard.data.grid import GridRequestError
from dashboard.errors import FieldError
from dashboard.jobs.layer import Memo


@pytest.fixture
def explorer(catalog, tmp_path):
    return ExplorerService(catalog, Memo.local(tmp_path / "memo", 10**8), point_budget=500)


def test_titanic_summary_matches_pandas(explorer, catalog):
    frame = catalog.load("titanic")
    summary = explorer.summary("titanic")
    assert summary["overview"]["rows"] == 1309
    assert summary["overview"]["missing_pct"] == pytest.approx(frame.isna().sum().sum() / frame.size * 100)
    by_column = {p["column"]: p for p in summary["profiles"]}
    assert by_column["Age"]["missing"] == 263 and by_column["Age"]["mean"] == pytest.approx(frame["Age"].mean())
    assert by_column["Sex"]["top_values"][0] == ["male", 843]
    kinds = {c: p["kind"] for c, p in by_column.items()}
    assert kinds["Age"] == "numeric" and kinds["Sex"] == "categorical" and kinds["Survived"] == "boolean"
    assert kinds["PassengerId"] == "id"


def test_summary_is_memoized_by_fingerprint(explorer, catalog, monkeypatch):
    explorer.summary("iris")
    monkeypatch.setattr(profile, "summarize", lambda *_: pytest.fail("recomputed a cached summary"))
    assert explorer.summary("iris")["overview"]["rows"] == 150


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (pd.Series([1.5, 2.0, 3.25] * 10), "numeric"),
        (pd.Series(["a", "b", "a"] * 10), "categorical"),
        (pd.Series([True, False] * 10), "boolean"),
        (pd.Series(pd.date_range("2020", periods=30)), "datetime"),
        (pd.Series(["2021-01-05", "2021-02-11"] * 15), "datetime"),
        (pd.Series(["yes", "no"] * 15), "boolean"),
        (pd.Series(["the quick brown fox jumps over the lazy dog"] * 30), "text"),
        (pd.Series([f"user-{i:05d}" for i in range(100)]), "id"),
    ],
)
def test_infer_kind(values, kind):
    assert profile.infer_kind(values) == kind


def test_distribution_split_counts_add_up(explorer, catalog):
    frame = catalog.load("titanic")
    dist = explorer.distribution("titanic", "Age", "Sex")
    assert sum(sum(t["counts"]) for t in dist["traces"]) == frame["Age"].notna().sum()
    embarked = explorer.distribution("titanic", "Embarked", None)
    assert dict(zip(embarked["x"], embarked["traces"][0]["counts"])) == {"S": 914, "C": 270, "Q": 123, "(missing)": 2}


def test_unknown_column_is_a_named_error(explorer):
    with pytest.raises(FieldError, match="column"):
        explorer.distribution("titanic", "<img src=x>", None)


def test_correlations_equal_pandas(explorer, catalog):
    corr = explorer.correlations("wine")
    expected = catalog.load("wine").select_dtypes("number").corr()
    i, j = corr["columns"].index("alcohol"), corr["columns"].index("proline")
    assert corr["matrix"][i][j] == pytest.approx(expected.loc["alcohol", "proline"], abs=1e-4)


def test_scatter_is_sampled_to_the_point_budget(explorer):
    sample = explorer.scatter("cdnow", "quantity", "amount", None)
    assert sample["shown"] == 500 and sample["total"] == 69659 and len(sample["x"]) == 500
    small = explorer.scatter("iris", "sepal length (cm)", "petal length (cm)", "species")
    assert small["shown"] == small["total"] == 150 and len(set(small["color"])) == 3


def test_resolve_view_defaults_and_permalink():
    profiles = profile.column_profiles(
        pd.DataFrame(
            {
                "id": range(100),
                "age": np.linspace(1, 80, 100),
                "fare": np.linspace(5, 500, 100),
                "klass": [1, 2, 3, 1] * 25,
                "survived": [0, 1] * 50,
            }
        )
    )
    default = resolve_view(profiles, "survived", {})
    assert default == {"column": "age", "split": "survived", "x": "age", "y": "fare", "color": "survived"}
    linked = resolve_view(profiles, "survived", {"column": "fare", "x": "klass", "y": "age", "split": None})
    assert linked == {"column": "fare", "split": None, "x": "klass", "y": "age", "color": None}
    stale = resolve_view(profiles, "survived", {"column": "not-here"})
    assert stale == default


def test_grid_page_sort_and_filter_match_pandas(catalog):
    frame = catalog.load("titanic")
    result = grid.rows_page(
        frame,
        10,
        20,
        [{"colId": "Fare", "sort": "desc"}],
        {
            "Sex": {"filterType": "text", "type": "equals", "filter": "FEMALE"},
            "Age": {"filterType": "number", "type": "greaterThan", "filter": 30},
        },
    )
    expected = frame[(frame.Sex == "female") & (frame.Age > 30)].sort_values("Fare", ascending=False, kind="stable")
    assert result["rowCount"] == len(expected)
    assert [r["PassengerId"] for r in result["rowData"]] == expected["PassengerId"].iloc[10:20].tolist()


def test_grid_combined_conditions_and_blank(catalog):
    frame = catalog.load("titanic")
    spec = {
        "Embarked": {
            "filterType": "text",
            "operator": "OR",
            "conditions": [
                {"filterType": "text", "type": "equals", "filter": "Q"},
                {"filterType": "text", "type": "blank"},
            ],
        }
    }
    assert grid.rows_page(frame, 0, 5, None, spec)["rowCount"] == 123 + 2


def test_grid_never_returns_more_than_a_page_and_json_safe_values(catalog):
    frame = catalog.load("cdnow")
    result = grid.rows_page(frame, 0, 10_000)
    assert len(result["rowData"]) == grid.MAX_PAGE and result["rowCount"] == 69659
    assert isinstance(result["rowData"][0]["date"], str)
    titanic = grid.rows_page(catalog.load("titanic"), 0, 50)["rowData"]
    assert any(r["Cabin"] is None for r in titanic)  # NaN becomes null, not the float nan


@pytest.mark.parametrize(
    ("sort", "filters"),
    [
        ([{"colId": "nope", "sort": "asc"}], None),
        (None, {"nope": {"filterType": "text", "type": "contains", "filter": "x"}}),
        (None, {"Age": {"filterType": "number", "type": "greaterThan", "filter": "abc"}}),
        (None, {"Age": {"filterType": "number", "type": "regex", "filter": 1}}),
        (None, "nope"),  # forged: not an object of filters
        (None, {"Age": "nope"}),
        ("nope", None),
        ([1, 2], None),
    ],
)
def test_grid_bad_requests_are_named_errors(catalog, sort, filters):
    with pytest.raises(GridRequestError):
        grid.rows_page(catalog.load("titanic"), 0, 10, sort, filters)


def test_large_frame_correlations_are_sampled_and_close_to_exact():
    rng = np.random.default_rng(1)
    a = rng.normal(size=30_000)
    frame = pd.DataFrame({"a": a, "b": a + rng.normal(size=30_000), "c": rng.normal(size=30_000), "k": 1.0})
    sampled = profile.correlations(frame, max_rows=10_000)
    exact = profile.correlations(frame)
    assert sampled["sampled_rows"] == 10_000 and exact["sampled_rows"] is None
    assert sampled["columns"] == exact["columns"] == ["a", "b", "c"]  # the constant column is dropped
    assert np.allclose(sampled["matrix"], exact["matrix"], atol=0.03)
    assert exact["matrix"][0][1] == pytest.approx(frame["a"].corr(frame["b"]), abs=1e-4)


def _parquet(table) -> bytes:
    import io

    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def _odd_parquets() -> list[tuple[str, bytes]]:
    import pyarrow as pa

    lie = {b"pandas": b'{"index_columns": ["a"], "columns": [], "pandas_version": "2.2.0"}'}
    return [
        ("uint64.parquet", _parquet(pa.table({"big": pa.array([2**64 - 1, 1, 2], type=pa.uint64()), "y": [1, 2, 3]}))),
        ("lying.parquet", _parquet(pa.table({"a": [1, 2, 3], "b": ["x", "y", "x"]}).replace_schema_metadata(lie))),
    ]


ODD_BUT_ACCEPTED = [
    *_odd_parquets(),
    ("big-ints.csv", b"id,n\n9223372036854775807,1\n9223372036854775808,2\n-3,3\n"),
    ("big-ints.jsonl", b'{"id": 1180591620717411303424, "n": 1}\n{"id": 2, "n": 2}\n{"id": 3, "n": 5}\n'),
    ("long-cell.csv", b"a,b\n1," + b"x" * 3_000_000 + b"\n2,y\n3,z\n"),
]


@pytest.mark.parametrize(("name", "content"), ODD_BUT_ACCEPTED, ids=[n for n, _ in ODD_BUT_ACCEPTED])
def test_every_view_of_an_odd_but_accepted_dataset_answers(explorer, name, content):
    info, _ = explorer.catalog.add_upload(name, content)
    summary = explorer.summary(info.id)
    assert summary["overview"]["rows"] == 3
    columns = list(explorer.kinds(info.id))
    for column in columns:
        explorer.distribution(info.id, column, None)
        for other in columns:
            if other != column:
                explorer.distribution(info.id, column, other)
                explorer.scatter(info.id, column, other, None)
    explorer.correlations(info.id)
    assert explorer.rows(info.id, {"startRow": 0, "endRow": 10})["rowCount"] == 3


def test_the_profile_grid_rows_equal_a_direct_computation_on_a_wide_frame(catalog, tmp_path):
    """One grid row per column of a 2,000-column upload; the numbers are pandas' own (to 4 digits)."""
    from dashboard.data.profile import profile_rows

    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.normal(size=(200, 2000)), columns=[f"s{i}" for i in range(2000)])
    frame.iloc[::7, 3] = np.nan
    info, _ = catalog.add_upload("wide.csv", frame.to_csv(index=False).encode())
    explorer = ExplorerService(catalog, Memo.local(tmp_path / "memo", 2**28), point_budget=1000)
    rows = profile_rows(explorer.summary(info.id)["profiles"])
    assert [r["column"] for r in rows] == list(frame.columns)
    for row in rows[:5] + rows[-5:]:
        series = frame[row["column"]]
        assert row["missing"] == series.isna().sum() and row["distinct"] == series.nunique()
        direct = {"min": series.min(), "max": series.max(), "mean": series.mean(), "std": series.std()}
        for stat, value in direct.items():
            assert row[stat] == pytest.approx(value, rel=1e-3, abs=1e-4), (row["column"], stat)

    # The grid's pages, as the browser asks for them, are that same profile: page by page, searched by
    # name, and sorted by a statistic, never more than a page per answer.
    pages = [explorer.profile_page(info.id, {"startRow": s, "endRow": s + 100}) for s in range(0, 2000, 100)]
    assert all(len(p["rowData"]) == 100 and p["rowCount"] == 2000 for p in pages)
    assert [r for p in pages for r in p["rowData"]] == rows
    search = {"column": {"filterType": "text", "type": "contains", "filter": "s19"}}
    found = explorer.profile_page(info.id, {"startRow": 0, "endRow": 100, "filterModel": search})
    assert [r["column"] for r in found["rowData"]] == [c for c in frame.columns if "s19" in c][:100]
    assert found["rowCount"] == sum("s19" in c for c in frame.columns)
    by_mean = explorer.profile_page(
        info.id, {"startRow": 0, "endRow": 10, "sortModel": [{"colId": "mean", "sort": "desc"}]}
    )
    assert [r["column"] for r in by_mean["rowData"]] == list(frame.mean().sort_values(ascending=False).index[:10])


def test_wide_correlations_are_every_pair_ranked_and_the_columns_nearest_the_focus():
    """Above the column budget: the strongest pairs and the focus column's nearest columns, each r equal to
    pandas' pairwise-complete ``corr`` on the same rows (missing values included)."""
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.normal(size=(300, 120)), columns=[f"s{i}" for i in range(120)])
    frame["s7"] = frame["s3"] * 2 + rng.normal(scale=0.1, size=300)  # the strongest pair
    frame["y"] = frame["s50"] - frame["s60"] + rng.normal(scale=0.5, size=300)
    frame = frame.mask(rng.random(frame.shape) < 0.05)
    exact = frame.corr()
    pairs = exact.where(np.triu(np.ones(exact.shape, dtype=bool), 1)).stack()
    expected = pairs.reindex(pairs.abs().sort_values(ascending=False).index)[: profile.TOP_PAIRS]

    corr = profile.correlations(frame, target="y", max_columns=10)
    assert [(a, b) for a, b, _ in corr["pairs"]] == list(expected.index)
    assert [r for _, _, r in corr["pairs"]] == pytest.approx(expected.to_numpy(), abs=1e-4)
    assert corr["focus"] == "y" and corr["total_columns"] == 121 and corr["columns"][0] == "y"
    nearest = exact["y"].drop("y").abs().sort_values(ascending=False).index[:9]
    assert corr["columns"][1:] == list(nearest) and set(corr["columns"][1:3]) == {"s50", "s60"}
    shown = exact.loc[corr["columns"], corr["columns"]].to_numpy()
    assert np.allclose(np.array(corr["matrix"], dtype=float), shown, atol=1e-4)
    assert profile.correlations(frame, max_columns=10)["focus"] == "s3"  # no target: the strongest pair's
    small = profile.correlations(frame[["s1", "s2", "s3"]])
    assert small["focus"] is None and small["columns"] == ["s1", "s2", "s3"]


@pytest.mark.parametrize("dataset", ["titanic", "ames-housing", "cdnow", "wine"])
def test_block_profiles_equal_the_column_by_column_profiles(catalog, dataset):
    """The numeric statistics taken over the whole block are each column's own (flags, ids, text and
    dates still profiled one by one)."""
    frame = catalog.load(dataset)
    fast, plain = profile.fast_column_profiles(frame), profile.column_profiles(frame)
    assert [p["column"] for p in fast] == [p["column"] for p in plain]
    for a, b in zip(fast, plain, strict=True):
        assert a.keys() == b.keys(), a["column"]
        for key in a:
            expected = b[key]
            assert a[key] == (pytest.approx(expected, rel=1e-12) if isinstance(expected, float) else expected), key


def test_a_wide_datasets_heatmap_follows_the_column_looked_at(catalog, tmp_path):
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(rng.normal(size=(150, 60)), columns=[f"s{i}" for i in range(60)])
    frame["s9"] = frame["s20"] + rng.normal(scale=0.2, size=150)
    info, _ = catalog.add_upload("sixty.csv", frame.to_csv(index=False).encode())
    explorer = ExplorerService(catalog, Memo.local(tmp_path / "memo", 2**28), point_budget=1000)
    looked_at = explorer.correlations(info.id, "s20")
    assert looked_at["focus"] == "s20" and looked_at["columns"][:2] == ["s20", "s9"]
    assert explorer.correlations(info.id)["focus"] == "s9"  # no column: the strongest pair's first
    narrow = explorer.correlations("wine", "alcohol")
    assert narrow["focus"] is None and narrow == explorer.correlations("wine")
    for forged in (["s20"], {"a": 1}, 7):  # what a forged callback may send as the column: the default view
        assert explorer.correlations(info.id, forged)["focus"] == "s9"


@pytest.mark.parametrize("start, end", [("x", 10), (0, {"a": 1}), ([1], 5)])
def test_grid_page_bounds_that_are_not_numbers_are_named_errors(catalog, start, end):
    with pytest.raises(GridRequestError, match="startRow, endRow"):
        grid.rows_page(catalog.load("titanic"), start, end)
