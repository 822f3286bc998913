"""Which input column each preprocessed feature of a fitted pipeline comes from (a one-hot column's levels,
a text column's n-grams), read from its ``ColumnTransformer``: importances and explanations are summed
back to the columns a user knows."""

from __future__ import annotations

from model_store.lazy import lazy_module

np = lazy_module("numpy")


def input_columns(model) -> np.ndarray | None:
    """For each feature the pipeline's preprocessing step outputs, the input column it was made from; None
    when that cannot be told exactly (then nothing is grouped)."""
    prep = model[0] if len(model) > 1 else None
    if not hasattr(prep, "transformers_") or not hasattr(prep, "output_indices_"):
        return None
    width = max((where.stop for where in prep.output_indices_.values()), default=0)
    owners = np.empty(width, dtype=object)
    for name, transformer, columns in prep.transformers_:
        where = prep.output_indices_.get(name, slice(0, 0))
        if where.stop == where.start:
            continue
        made = _made_from(transformer, columns)
        if made is None or len(made) != where.stop - where.start:
            return None
        owners[where] = made
    return owners


def _made_from(transformer, columns) -> list[str] | None:
    if isinstance(columns, str):  # a text column: every n-gram comes from it
        return None if transformer == "drop" else [columns] * len(transformer.get_feature_names_out())
    columns = [str(c) for c in columns]
    steps = getattr(transformer, "steps", None)
    encoder = steps[-1][1] if steps else transformer
    if hasattr(encoder, "categories_"):  # one-hot: its input columns are what the steps before it kept
        kept = [str(c) for c in transformer[:-1].get_feature_names_out(columns)] if steps else columns
        drop = getattr(encoder, "drop_idx_", None)
        if getattr(encoder, "infrequent_categories_", None) is not None and any(
            i is not None for i in encoder.infrequent_categories_
        ):
            return None
        made = []
        for i, (column, levels) in enumerate(zip(kept, encoder.categories_, strict=True)):
            dropped = drop is not None and drop[i] is not None
            made += [column] * (len(levels) - dropped)
        return made
    names = [str(n) for n in transformer.get_feature_names_out(columns)]
    return names if set(names) <= set(columns) else None  # impute and scale: one output per input kept
