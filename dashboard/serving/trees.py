"""One tree of a fitted tree model, read in the input's own terms: each split as a question about an input
column (a numeric threshold taken back through the pipeline's scaler, a one-hot level as "column = level"),
each node's rows and answer; and the path one row takes through it.

Trees with scikit-learn's ``tree_`` structure are read: a decision tree, the trees of a random forest or of
extra trees, and the regression trees of gradient boosting. Histogram gradient boosting keeps its trees in
another form and is refused by name.
"""

from __future__ import annotations

from typing import Any

from dashboard.errors import NotApplicable
from model_store.lazy import lazy_module

np = lazy_module("numpy")
pd = lazy_module("pandas")

MAX_DEPTH = 5


def trees_of(final: Any) -> list[Any]:
    """The estimators holding a ``tree_`` (each tree of an ensemble, in order)."""
    if hasattr(final, "tree_"):
        return [final]
    estimators = getattr(final, "estimators_", None)
    if estimators is not None:
        flat = np.asarray(estimators, dtype=object).ravel().tolist()
        if flat and all(hasattr(e, "tree_") for e in flat):
            return flat
    raise NotApplicable("model", f"{type(final).__name__} has no trees that can be drawn (tree models only)")


def tree_nodes(model: Any, tree_index: int = 0, depth: int = 3) -> dict[str, Any]:
    """The first ``depth`` levels of tree ``tree_index``: nodes with their question, rows and answer."""
    final = model[-1]
    trees = trees_of(final)
    if not 0 <= tree_index < len(trees):
        raise NotApplicable("tree", f"choose a tree from 1 to {len(trees)}")
    depth = max(1, min(int(depth), MAX_DEPTH))
    tree = trees[tree_index].tree_
    features = readable_features(model[0])
    classes = list(getattr(final, "classes_", []))
    nodes: list[dict[str, Any]] = []

    def visit(node: int, level: int, parent: int | None, answer: str | None) -> None:
        split = tree.children_left[node] != tree.children_right[node]
        shown = split and level < depth
        question, left = _question(features, tree.feature[node], tree.threshold[node]) if split else (None, None)
        nodes.append(
            {
                "id": node,
                "depth": level,
                "parent": parent,
                "answer": answer,  # the parent's answer that leads here
                "question": question if shown else None,
                "rows": int(tree.n_node_samples[node]),
                "value": _value(tree.value[node], classes),
                "cut": split and not shown,  # more of the tree below, not drawn
            }
        )
        if shown:
            visit(tree.children_left[node], level + 1, node, left)
            visit(tree.children_right[node], level + 1, node, "no" if left == "yes" else "yes")

    visit(0, 0, None, None)
    return {"trees": len(trees), "tree": tree_index, "depth": depth, "nodes": nodes, "classes": _plain(classes)}


def row_path(model: Any, row: pd.DataFrame, tree_index: int = 0) -> list[dict[str, Any]]:
    """The questions tree ``tree_index`` asks of one row (a one-row frame), each with the row's answer."""
    prep, final = model[:-1], model[-1]
    trees = trees_of(final)
    if not 0 <= tree_index < len(trees):
        raise NotApplicable("tree", f"choose a tree from 1 to {len(trees)}")
    X = prep.transform(row)
    X = X.toarray() if hasattr(X, "toarray") else np.asarray(X, dtype=float)
    tree = trees[tree_index].tree_
    features = readable_features(model[0])
    classes = list(getattr(final, "classes_", []))
    steps, node = [], 0
    while tree.children_left[node] != tree.children_right[node]:
        question, left = _question(features, tree.feature[node], tree.threshold[node])
        goes_left = X[0, tree.feature[node]] <= tree.threshold[node]
        steps.append({"question": question, "answer": left if goes_left else ("no" if left == "yes" else "yes")})
        node = tree.children_left[node] if goes_left else tree.children_right[node]
    steps.append({"leaf": True, "rows": int(tree.n_node_samples[node]), "value": _value(tree.value[node], classes)})
    return steps


def readable_features(prep: Any) -> list[dict[str, Any]]:
    """For each preprocessed feature: its input column and how to read a threshold on it."""
    width = max(where.stop for where in prep.output_indices_.values())
    out: list[dict[str, Any]] = [{"column": str(n), "kind": "raw"} for n in prep.get_feature_names_out()][:width]
    for name, transformer, columns in prep.transformers_:
        where = prep.output_indices_.get(name, slice(0, 0))
        if where.stop == where.start or transformer == "drop":
            continue
        if isinstance(columns, str):  # text: one feature per n-gram
            for i, term in enumerate(transformer.get_feature_names_out()):
                out[where.start + i] = {"column": columns, "kind": "term", "term": str(term)}
            continue
        steps = getattr(transformer, "steps", [])
        last = steps[-1][1] if steps else transformer
        if hasattr(last, "categories_"):
            i = where.start
            drops = getattr(last, "drop_idx_", None)
            for j, (column, levels) in enumerate(zip(columns, last.categories_, strict=True)):
                for k, level in enumerate(levels):
                    if drops is not None and drops[j] is not None and drops[j] == k:
                        continue
                    out[i] = {"column": str(column), "kind": "level", "level": _plain(level)}
                    i += 1
        else:
            scaler = last if hasattr(last, "inverse_transform") else None
            for j, column in enumerate(columns):
                out[where.start + j] = {"column": str(column), "kind": "number", "scaler": scaler, "index": j}
    return out


def _question(features: list[dict[str, Any]], feature: int, threshold: float) -> tuple[str, str]:
    """The split as a question and the answer that goes left (scikit-learn sends ``x <= threshold`` left)."""
    info = features[feature]
    if info["kind"] == "level":
        return f"{info['column']} = {info['level']}?", "no"
    if info["kind"] == "term":
        return f"{info['column']} weight of '{info['term']}' ≤ {threshold:.3g}?", "yes"
    if info["kind"] == "number":
        value = threshold
        scaler = info["scaler"]
        if scaler is not None:
            row = np.zeros((1, scaler.n_features_in_))
            row[0, info["index"]] = threshold
            value = float(scaler.inverse_transform(row)[0, info["index"]])
        return f"{info['column']} ≤ {value:.4g}?", "yes"
    return f"{info['column']} ≤ {threshold:.4g}?", "yes"


def _value(value: np.ndarray, classes: list[Any]) -> dict[str, Any]:
    """A node's answer: class shares (a classifier's tree) or the mean target (a regression tree)."""
    value = np.asarray(value, dtype=float)
    if classes and value.shape[-1] == len(classes):
        shares = value[0] / value[0].sum() if value[0].sum() else value[0]
        return {"shares": {str(c): float(s) for c, s in zip(classes, shares, strict=True)}}
    return {"mean": float(value.ravel()[0])}


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value.item() if hasattr(value, "item") else value
