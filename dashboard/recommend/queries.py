"""Questions asked of a fitted :class:`Recommender`: a user's top-N with reasons, similar items, two
models side by side. Shared by the Recommend page, the Predict page and the REST API."""

from __future__ import annotations

from typing import Any

from dashboard.errors import FieldError
from dashboard.recommend.models import Recommender
from model_store.lazy import lazy_module

np = lazy_module("numpy")

MAX_K = 100


def _item(model: Recommender, column: int, score: float | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"item": str(model.items_[column]), "title": model.title(column)}
    if model.genres_ is not None:
        entry["genres"] = model.genres(column)
    if score is not None:
        entry["score"] = round(float(score), 6)
    return entry


def _name(model: Recommender, column: int) -> str:
    return model.title(column) or str(model.items_[column])


def _reason(model: Recommender, row: int, column: int) -> tuple[str, list[dict[str, Any]]]:
    if model.kind == "popularity":
        return f"popular: {int(model.popularity_[column]):,} interactions", []
    if model.kind == "user_knn":
        count = model.neighbours_who_liked(row, column)
        total = model.user_neighbours_[row].nnz
        return f"{count} of your {total} most similar users chose it", []
    because = model.because(row, column)
    if not because:
        return "", []
    names = ", ".join(_name(model, j) for j, _ in because)
    return f"because you liked {names}", [_item(model, j, c) for j, c in because]


def check_k(k: Any) -> int:
    """A list length from a form, a URL or JSON: 10, 10.0 and "10" pass; 2.5, "ten" and True do not."""
    whole_number = isinstance(k, int | np.integer) and not isinstance(k, bool)
    if (isinstance(k, str) and k.strip().isdigit()) or whole_number or (isinstance(k, float) and k.is_integer()):
        value = int(k)
    else:
        raise FieldError("k", f"{str(k)[:20]!r} is not a whole number")
    if not 1 <= value <= MAX_K:
        raise FieldError("k", f"must be from 1 to {MAX_K}, got {value}")
    return value


def recommend(model: Recommender, user: Any, k: int = 10, *, history: int = 0) -> dict[str, Any]:
    """Top-``k`` unseen items for ``user`` with a reason each. An unknown user gets the most popular
    items, marked ``fallback``. ``history`` adds the user's own top-rated (then latest) items."""
    k = check_k(k)
    row = model.row_of(user)
    if row is None:
        best = np.argsort(-model.popularity_, kind="stable")[:k]
        return {
            "user": str(user),
            "known": False,
            "fallback": "popularity",
            "notice": f"user {str(user)[:40]!r} has no history in this model: showing the most popular items",
            "items": [
                {**_item(model, j, model.popularity_[j]), "reason": "popular with everyone", "because": []}
                for j in best
            ],
            "history": [],
        }
    columns, scores = model.top_n(np.array([row]), k)
    items = []
    for column, score in zip(columns[0], scores[0], strict=True):
        if not np.isfinite(score):
            continue  # the user has seen (nearly) everything
        reason, because = _reason(model, row, int(column))
        items.append({**_item(model, int(column), score), "reason": reason, "because": because})
    out = {"user": str(user), "known": True, "fallback": None, "notice": "", "items": items}
    out["history"] = user_history(model, row, history) if history else []
    return out


def user_history(model: Recommender, row: int, n: int) -> list[dict[str, Any]]:
    seen = model.seen_[row]
    order = np.argsort(-seen.data, kind="stable")[:n]
    return [{**_item(model, int(seen.indices[i])), "value": float(seen.data[i])} for i in order]


def similar(model: Recommender, item: Any, k: int = 10) -> dict[str, Any]:
    k = check_k(k)
    column = model.column_of(item)
    if column is None:
        raise FieldError("item", f"{str(item)[:40]!r} is not an item this model knows")
    columns, scores = model.similar(column, k)
    return {
        "item": str(item),
        "title": model.title(column),
        "items": [_item(model, int(j), s) for j, s in zip(columns, scores, strict=True)],
    }


def compare(first: Recommender, second: Recommender, user: Any, k: int = 10, *, history: int = 0) -> dict[str, Any]:
    """Both models' lists for one user and what they share (``first`` carries the history, if asked)."""
    a, b = recommend(first, user, k, history=history), recommend(second, user, k)
    shared = sorted({i["item"] for i in a["items"]} & {i["item"] for i in b["items"]})
    union = {i["item"] for i in a["items"]} | {i["item"] for i in b["items"]}
    return {"first": a, "second": b, "shared": shared, "jaccard": len(shared) / len(union) if union else 0.0}


def answer(model: Recommender, record: dict[str, Any]) -> dict[str, Any]:
    """One API/Predict query: ``{"user": ..., "k": 10}`` -> top-N, or ``{"item": ..., "k": 10}`` -> similar."""
    user, item, k = record.get("user"), record.get("item"), record.get("k")
    k = k if _given(k) else 10
    if _given(user):
        return {"kind": "recommend", **recommend(model, user, k)}
    if _given(item):
        return {"kind": "similar", **similar(model, item, k)}
    raise FieldError("user", "give a user (for recommendations) or an item (for similar items)")


def _given(value: Any) -> bool:
    """Not None, not blank, not NaN (what a CSV's empty cell becomes)."""
    return not (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, float) and np.isnan(value))
    )
