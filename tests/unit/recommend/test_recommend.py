"""Recommendations: no seen item is ever recommended, metrics equal a brute-force implementation, item-kNN
equals scikit-learn's cosine similarity, MF beats popularity on MovieLens, named errors for bad mappings,
cached and cancellable evaluation, and a saved recommender that answers identically through the store,
the REST API and batch CSV."""

import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.metrics.pairwise import cosine_similarity

from dashboard.errors import Cancelled, FieldError
from dashboard.recommend import evaluation, queries
from dashboard.recommend.evaluation import HoldoutSpec, holdout, ranking_metrics
from dashboard.recommend.interactions import Mapping, build
from dashboard.recommend.models import RecSpec, fit, top_neighbours

MOVIELENS = Mapping(
    dataset="movielens", user="userId", item="movieId", value="rating", timestamp="timestamp", title="title"
)
KINDS = ("popularity", "item_knn", "user_knn", "als", "svd")


@pytest.fixture
def recommend(app):
    return app.server.extensions["dashboard"].recommend


@pytest.fixture(scope="module")
def movielens():
    from dashboard.data.builtin import load_movielens

    return build(load_movielens(), MOVIELENS)


def brute_force(recommended: list[list[int]], relevant: list[set[int]], k: int) -> dict[str, float]:
    """Textbook definitions, one user at a time."""
    sums = dict.fromkeys(("precision", "recall", "ndcg", "map"), 0.0)
    for ranked, liked in zip(recommended, relevant, strict=True):
        ranked = ranked[:k]
        hits = [item in liked for item in ranked]
        sums["precision"] += sum(hits) / k
        sums["recall"] += sum(hits) / len(liked)
        dcg = sum(1 / math.log2(rank + 2) for rank, hit in enumerate(hits) if hit)
        idcg = sum(1 / math.log2(rank + 2) for rank in range(min(len(liked), k)))
        sums["ndcg"] += dcg / idcg
        precisions = [sum(hits[: rank + 1]) / (rank + 1) for rank, hit in enumerate(hits) if hit]
        sums["map"] += sum(precisions) / min(len(liked), k)
    return {name: total / len(recommended) for name, total in sums.items()}


def test_ranking_metrics_equal_a_brute_force_implementation():
    rng = np.random.default_rng(7)
    n_users, n_items, k = 60, 40, 10
    recommended = np.array([rng.permutation(n_items)[:k] for _ in range(n_users)])
    relevant = [set(rng.choice(n_items, size=rng.integers(1, 15), replace=False).tolist()) for _ in range(n_users)]
    rows = [u for u, liked in enumerate(relevant) for _ in liked]
    cols = [i for liked in relevant for i in liked]
    matrix = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_users, n_items))
    ours = ranking_metrics(recommended, matrix, np.arange(n_users), k)
    expected = brute_force(recommended.tolist(), relevant, k)
    for name in expected:
        assert ours[name] == pytest.approx(expected[name], abs=1e-12), name


def test_evaluation_on_movielens_equals_brute_force_on_the_same_lists(movielens):
    spec = HoldoutSpec(method="last", n=5, k=10)
    split = holdout(movielens, spec)
    model = fit(RecSpec(kind="item_knn"), split.train, users=movielens.users, items=movielens.items, explicit=True)
    rows = np.flatnonzero(np.diff(split.test.indptr) > 0)
    scores = evaluation.evaluate_model(model, split, split.test, spec, rows)
    recommended, _ = model.top_n(rows, 10, seen=split.train)
    relevant = [set(split.test[r].indices.tolist()) for r in rows]
    expected = brute_force(recommended.tolist(), relevant, 10)
    for name in expected:
        assert scores[name] == pytest.approx(expected[name], abs=1e-12), name
    assert scores["coverage"] == len(set(recommended.ravel().tolist())) / movielens.n_items
    # the held-out interactions are each user's latest ones
    user = rows[0]
    times = dict(
        zip(
            movielens.matrix[user].indices,
            movielens.times[movielens.matrix.indptr[user] : movielens.matrix.indptr[user + 1]],
            strict=True,
        )
    )
    held = split.test[user].indices
    kept = split.train[user].indices
    assert min(times[i] for i in held) >= max(times[i] for i in kept)


def test_item_knn_similarities_equal_scikit_learn_cosine_similarity():
    rng = np.random.default_rng(3)
    dense = rng.integers(0, 6, size=(30, 12)).astype(float) * (rng.random((30, 12)) < 0.4)
    dense[:, 5] = 0.0  # an item nobody rated has no neighbours
    matrix = sp.csr_matrix(dense)
    model = fit(RecSpec(kind="item_knn", neighbours=11), matrix, users=range(30), items=range(12))
    expected = cosine_similarity(dense.T)
    np.fill_diagonal(expected, 0.0)
    np.testing.assert_allclose(model.item_neighbours_.toarray(), expected, atol=1e-6)
    # fewer neighbours keep each row's largest similarities
    top3 = top_neighbours(matrix.T.tocsr(), 3).toarray()
    for row in range(12):
        kept = np.flatnonzero(top3[row])
        assert len(kept) <= 3 and set(kept) <= set(np.argsort(-expected[row])[: len(kept) + 1])
        if len(kept):
            assert top3[row, kept].min() >= np.sort(expected[row])[-3] - 1e-6


@pytest.mark.parametrize("kind", KINDS)
def test_recommended_lists_never_contain_seen_items(movielens, kind):
    model = fit(RecSpec(kind=kind), movielens.matrix, users=movielens.users, items=movielens.items, explicit=True)
    rows = np.arange(movielens.n_users)
    recommended, scores = model.top_n(rows, 10)
    for row in rows:
        assert not set(recommended[row].tolist()) & set(movielens.matrix[row].indices.tolist())
        assert (np.diff(scores[row]) <= 0).all()  # best first


def test_matrix_factorisation_beats_popularity_on_movielens_ndcg(recommend, capsys):
    specs = [RecSpec(kind="als"), RecSpec(kind="svd")]
    result, cached = recommend.evaluate(MOVIELENS, specs, HoldoutSpec(method="last", n=5, k=10))
    ndcg = {row["spec"]["kind"]: row["ndcg"] for row in result.rows}
    with capsys.disabled():
        print(f"\nMovieLens NDCG@10, last 5 per user held out: {ndcg}")
    assert not cached and result.users == 671
    assert ndcg["als"] > ndcg["popularity"] and ndcg["svd"] > ndcg["popularity"]
    assert result.rows[0]["rmse"] is not None and result.rows[1]["rmse"] is None  # explicit ratings


def test_evaluation_is_cached_and_cancel_caches_nothing(recommend, monkeypatch):
    fits = []
    original = evaluation.fit
    monkeypatch.setattr(evaluation, "fit", lambda *a, **kw: fits.append(1) or original(*a, **kw))
    specs, spec = [RecSpec(kind="user_knn")], HoldoutSpec(method="random", n=3, seed=1)
    with pytest.raises(Cancelled):
        recommend.evaluate(MOVIELENS, specs, spec, cancelled=lambda: len(fits) >= 1)
    assert recommend.cached_evaluation(MOVIELENS, specs, spec) is None
    seen = []
    first, cached = recommend.evaluate(MOVIELENS, specs, spec, on_model=lambda r, done: seen.append(done))
    assert not cached and seen == [1, 2]
    fits.clear()
    again, cached = recommend.evaluate(MOVIELENS, specs, spec)
    assert cached and fits == [] and again.rows == first.rows


def test_because_you_liked_names_the_users_own_items_and_sums_to_the_score(movielens):
    model = fit(
        RecSpec(kind="item_knn"),
        movielens.matrix,
        users=movielens.users,
        items=movielens.items,
        titles=movielens.titles,
    )
    row = model.row_of("15")
    columns, scores = model.top_n(np.array([row]), 5)
    history = set(movielens.matrix[row].indices.tolist())
    for column, score in zip(columns[0], scores[0], strict=True):
        everything = model.because(row, column, n=10_000)
        assert {j for j, _ in everything} <= history
        assert sum(c for _, c in everything) == pytest.approx(score, rel=1e-4)
    answer = queries.recommend(model, "15", 5, history=3)
    assert answer["items"][0]["reason"].startswith("because you liked ") and len(answer["history"]) == 3


def test_unknown_user_gets_the_labelled_popularity_fallback(movielens):
    model = fit(RecSpec(kind="svd"), movielens.matrix, users=movielens.users, items=movielens.items)
    answer = queries.recommend(model, "no-such-user", 5)
    assert answer["fallback"] == "popularity" and "no history" in answer["notice"]
    top = np.argsort(-model.popularity_, kind="stable")[:5]
    assert [e["item"] for e in answer["items"]] == [str(movielens.items[j]) for j in top]


def test_similar_items_and_compare(movielens):
    knn = fit(RecSpec(kind="item_knn"), movielens.matrix, users=movielens.users, items=movielens.items)
    pop = fit(RecSpec(kind="popularity"), movielens.matrix, users=movielens.users, items=movielens.items)
    similar = queries.similar(knn, "1", 5)  # Toy Story
    assert len(similar["items"]) == 5 and "1" not in [e["item"] for e in similar["items"]]
    unit = movielens.matrix.T.tocsr()
    exact = cosine_similarity(unit[movielens.items.tolist().index("1")], unit).ravel()
    assert similar["items"][0]["score"] == pytest.approx(np.sort(exact)[-2], rel=1e-5)
    both = queries.compare(knn, pop, "15", 10)
    shared = {e["item"] for e in both["first"]["items"]} & {e["item"] for e in both["second"]["items"]}
    assert set(both["shared"]) == shared
    with pytest.raises(FieldError, match="item"):
        queries.similar(knn, "no-such-movie", 5)
    for bad in (0, 101, 2.5, "ten", True):
        with pytest.raises(FieldError, match="k"):
            queries.recommend(knn, "15", bad)


def frame(**columns):
    base = {"user": ["a", "a", "b", "b", "c"], "item": ["x", "y", "x", "z", "y"], "rating": [4, 5, 3, 2, 5]}
    return pd.DataFrame({**base, **columns})


@pytest.mark.parametrize(
    ("data", "mapping", "field", "message"),
    [
        (frame(rating=["4", "five", "3", "2", "5"]), {"value": "rating"}, "value", "must be numeric"),
        (frame(user=["a"] * 5), {"value": "rating"}, "user", "only one user"),
        (frame(), {"value": "stars"}, "value", "not a column"),
        (frame(), {"item": "user"}, "item", "must differ"),
        (frame(), {"value": "item"}, "value", "already mapped"),
        (frame(when=["2020-01-01", "soon", "x", "y", "z"]), {"timestamp": "when"}, "timestamp", "not a date"),
    ],
)
def test_bad_mappings_name_the_field(data, mapping, field, message):
    with pytest.raises(FieldError) as error:
        build(data, Mapping(**{"dataset": "d", "user": "user", "item": "item", **mapping}))
    assert error.value.field == field and message in error.value.message


def test_duplicates_keep_the_latest_rating_or_add_up_counts():
    data = pd.DataFrame({"user": [1, 1, 2, 2], "item": [9, 9, 9, 8], "stars": [1.0, 4.5, 3.0, 2.0], "t": [5, 9, 1, 2]})
    ratings = build(data, Mapping(dataset="d", user="user", item="item", value="stars", timestamp="t"))
    assert ratings.explicit and ratings.matrix[0, ratings.items.tolist().index("9")] == 4.5
    counts = build(data, Mapping(dataset="d", user="user", item="item", feedback="implicit"))
    assert not counts.explicit and counts.matrix[0, counts.items.tolist().index("9")] == 2
    with pytest.raises(FieldError, match="timestamp"):
        holdout(counts, HoldoutSpec(method="last"))


def test_saved_recommender_reloads_and_answers_identically(recommend, client):
    spec = RecSpec(kind="item_knn", neighbours=30)
    version = recommend.save(MOVIELENS, spec, "movie-recs", metrics={"ndcg@10": 0.05})
    assert version.card["task"] == "recommendation" and version.card["estimator"] == spec.label
    stored = recommend.store.load("movie-recs").model
    fitted, _ = recommend.model(MOVIELENS, spec)
    rows = np.arange(50)
    np.testing.assert_array_equal(stored.top_n(rows, 10)[0], fitted.top_n(rows, 10)[0])
    direct = queries.recommend(fitted, "15", 10)

    body = client.post("/api/models/movie-recs/predict", json={"user": 15, "k": 10}).json
    assert body["predictions"][0] == [e["item"] for e in direct["items"]]
    assert body["results"][0]["items"][0]["reason"].startswith("because you liked")
    body = client.post("/api/models/movie-recs/predict", json={"item": "1", "k": 3}).json
    assert body["results"][0]["kind"] == "similar" and len(body["predictions"][0]) == 3
    body = client.post("/api/models/movie-recs/predict", json={"user": "stranger"}).json
    assert body["results"][0]["fallback"] == "popularity" and len(body["predictions"][0]) == 10

    for payload, field in (
        ({"user": 15, "k": 0}, "k"),
        ({"item": "nope"}, "item"),
        ({}, "user"),
        ({"user": [1]}, "user"),
    ):
        response = client.post("/api/models/movie-recs/predict", json=payload)
        assert response.status_code == 400 and response.json["error"]["field"] == field, payload


def test_batch_csv_scores_recommenders_row_by_row(recommend):
    from dashboard.recommend.serving import RecommendAdapter
    from dashboard.serving.service import Serving
    from dashboard.serving.tables import read_batch_csv

    recommend.save(MOVIELENS, RecSpec(kind="popularity"), "movie-pop")
    loaded = recommend.store.load("movie-pop")
    batch = read_batch_csv(b"user,k\n15,3\n,3\n671,200\n", loaded.card["schema"])
    scored = Serving({"recommendation": RecommendAdapter()}).score(loaded, batch)
    assert len(scored.loc[0, "prediction"].split()) == 3
    assert scored.loc[1, "error"].startswith("user:") and scored.loc[2, "error"].startswith("k:")


def test_page_controls_become_specs_with_named_errors():
    from callbacks.recommend import holdout_from_controls, mapping_from_controls, spec_from_controls

    spec = spec_from_controls("item_knn", 20, 32, 0.1, 5, 2.0)
    specs, holdout = holdout_from_controls(spec, ["item_knn", "svd"], "random", 3, 5, None, 1)
    assert specs[0].key() == spec.key() == {"kind": "item_knn", "neighbours": 20}
    assert specs[1].key() == {"kind": "svd", "factors": 32, "iterations": 5, "seed": 0}  # the page's factors
    assert (holdout.method, holdout.n, holdout.k, holdout.seed) == ("random", 3, 5, 1)
    for params, field in (
        ((None, 32, 0.1, 5, 2.0), "neighbours"),
        ((20, 1, 0.1, 5, 2.0), "factors"),
        ((20, 32, 0.1, 5, float("nan")), "alpha"),
    ):
        with pytest.raises(FieldError) as error:
            spec_from_controls("als", *params)
        assert error.value.field == field
    with pytest.raises(FieldError, match="item"):
        mapping_from_controls("movielens", "userId", None, "rating", None, None, None, "auto")
    with pytest.raises(FieldError, match="k"):
        holdout_from_controls(spec, ["svd"], "last", 5, None, None, 0)


def test_permalink_mapping_keeps_a_deliberately_empty_role():
    from layouts.recommend import mapping_from_query

    columns = ["userId", "movieId", "rating", "timestamp", "title"]
    assert mapping_from_query("m", columns, {})["value"] == "rating"  # guessed from the name
    chosen = mapping_from_query("m", columns, {"value": "-", "user": "movieId", "item": "nope"})
    assert chosen["value"] is None and chosen["user"] == "movieId" and chosen["item"] == "movieId"


def test_explore_queries_reuse_the_fitted_model_in_memory(recommend, monkeypatch):
    spec = RecSpec(kind="popularity")
    first, cached = recommend.model(MOVIELENS, spec)
    reads = []
    original = recommend.memo.get
    monkeypatch.setattr(recommend.memo, "get", lambda key, default=None: reads.append(key) or original(key, default))
    again, cached = recommend.model(MOVIELENS, spec)
    assert cached and again is first and not [k for k in reads if k.startswith("rec.fit")]
    both = recommend.compare(MOVIELENS, RecSpec(kind="item_knn"), spec, "15", 5)
    assert len(both["first"]["history"]) == 10 and both["second"]["history"] == []


def test_permalink_relevance_threshold():
    from layouts.recommend import holdout_from_query

    assert [
        holdout_from_query(q).relevant_from for q in ({}, {"relevant": "4"}, {"relevant": "nan"}, {"relevant": "x"})
    ] == [None, 4.0, None, None]


def test_a_model_fitted_in_another_process_is_read_once_then_served_from_memory(recommend, settings):
    from dashboard.recommend.service import FIT
    from dashboard.services import build_services

    worker = build_services(settings).recommend  # a background process: same memo, its own memory
    spec = RecSpec(kind="item_knn")
    fitted, cached = worker.model(MOVIELENS, spec)
    assert not cached
    reads = []
    original = recommend.memo.get
    recommend.memo.get = lambda key, default=None: reads.append(key) or original(key, default)
    assert recommend.cached_model(MOVIELENS, spec) is not None  # the web process finds it in the shared memo
    first = recommend.recommend(MOVIELENS, spec, "15", 10)
    again = recommend.recommend(MOVIELENS, spec, "15", 10)
    assert first == again and first["items"] == queries.recommend(fitted, "15", 10)["items"]
    assert len([k for k in reads if k.startswith(FIT + ":")]) == 1  # read once, then from memory
