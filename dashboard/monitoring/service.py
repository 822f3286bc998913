"""Monitoring service: where a version's recent data comes from, and what is done with it.

A *source* is either a dataset of the catalog (built in, uploaded) or ``LOG_SOURCE``: the version's own
prediction log (its inputs and answers; for re-verification and retraining, only the rows whose label
came back through feedback). The *reference* is the training sample saved with the version.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dashboard.data.catalog import Catalog
from dashboard.errors import FieldError, NotEnoughData, UnknownSource
from dashboard.monitoring import diagnose
from dashboard.monitoring import drift as drift_stats
from dashboard.monitoring.log import MAX_FEEDBACK, PredictionLog
from dashboard.monitoring.verify import labels_as_classes, reverify
from dashboard.serving.adapters import labels_and_probabilities
from dashboard.serving.tables import check_batch, csv_problem
from dashboard.train.service import TrainingService
from dashboard.train.spec import TrainSpec
from model_store import LoadedModel, ModelStore, ModelVersion
from model_store.lazy import lazy_module

pd = lazy_module("pandas")

LOG_SOURCE = "@log"  # never a dataset id ('@' is not allowed in names)
LABEL_COLUMN = "label"
MIN_DRIFT_ROWS = 100  # fewer recent rows than this: the report says its numbers are only a hint


class MonitoringService:
    def __init__(self, store: ModelStore, catalog: Catalog, log: PredictionLog, training: TrainingService) -> None:
        self.store, self.catalog, self.log, self.training = store, catalog, log, training

    # -- data ----------------------------------------------------------------------------------------
    def reference(self, loaded: LoadedModel) -> tuple[pd.DataFrame, str]:
        """The training sample saved with the version (the first rows, for versions saved before the
        random sample was kept)."""
        sample = self.store.reference(loaded.name, loaded.version)
        if sample is not None:
            return sample, f"training sample ({len(sample):,} random rows)"
        sample = self.store.background(loaded.name, loaded.version)
        if sample is None:
            raise FieldError("reference", "this version was saved without a training sample; retrain it to get one")
        return sample, f"training sample (first {len(sample):,} rows)"

    def current(self, loaded: LoadedModel, source: str) -> tuple[pd.DataFrame, str]:
        """The recent inputs (and, from the log, the logged answers) of ``source``."""
        fields = _fields(loaded.card)
        if source == LOG_SOURCE:
            frame = self.log.table(loaded.name, loaded.version, fields)
            return frame, f"prediction log of v{loaded.version} ({len(frame):,} rows)"
        return self._dataset(source), f"dataset {source}"

    def _require_dataset(self, source: object) -> str:
        if not isinstance(source, str) or not self.catalog.exists(source):
            message = f"no dataset named {str(source)[:64]!r} (or {LOG_SOURCE!r}: the prediction log)"
            raise UnknownSource("data", message)
        return source

    def _dataset(self, source: object) -> pd.DataFrame:
        return self.catalog.load(self._require_dataset(source))

    def labelled(self, loaded: LoadedModel, source: str) -> tuple[pd.DataFrame, pd.Series, str]:
        """Inputs and true labels: a dataset's target column, or the log's rows that got feedback."""
        if source == LOG_SOURCE:
            frame = self.log.labelled(loaded.name, loaded.version, _fields(loaded.card))
            return frame, frame[LABEL_COLUMN], f"logged predictions with feedback ({len(frame):,})"
        frame, target = self._dataset(source), loaded.card.get("target")
        if not target or target not in frame.columns:
            raise FieldError("data", f"dataset {source!r} has no column {target!r}, the model's target")
        return frame, frame[target], f"dataset {source}"

    def feedback_file(self, name: str, path: Path) -> dict[str, int]:
        """Labels from a CSV with ``request_id``, ``label`` and optionally ``row`` (0 when absent)."""
        try:
            frame = pd.read_csv(path, dtype={"request_id": str}, nrows=MAX_FEEDBACK + 1)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as exc:
            raise FieldError("file", csv_problem(exc)) from None
        missing = [c for c in ("request_id", "label") if c not in frame.columns]
        if missing:
            raise FieldError("file", f"the CSV needs the column(s) {', '.join(missing)}")
        if "row" not in frame.columns:
            frame["row"] = 0
        rows = pd.to_numeric(frame["row"], errors="coerce")
        if rows.isna().any() or (rows % 1 != 0).any():
            bad = int(rows.isna().idxmax() if rows.isna().any() else (rows % 1 != 0).idxmax())
            raise FieldError("row", f"line {bad + 2}: row must be a whole number")
        labels = frame.assign(row=rows.astype("int64"))[["request_id", "row", "label"]].to_dict("records")
        return self.log.add_feedback(name, labels)

    # -- re-verify -----------------------------------------------------------------------------------
    def reverify(self, name: str, version: int | str, source: str) -> dict[str, Any]:
        """Metrics now, on ``source``'s labelled rows, beside the card's; kept in the version's history."""
        loaded = self.store.load(name, version)
        inputs, labels, label = self.labelled(loaded, source)
        result = reverify(loaded, inputs, labels)
        return self.store.add_evaluation(
            loaded.name, loaded.version, {**result, "source": {"id": source, "label": label, **self._stamp(source)}}
        )

    def _stamp(self, source: str) -> dict[str, Any]:
        return {"fingerprint": self.catalog.fingerprint(source)} if source != LOG_SOURCE else {}

    # -- diagnostics of a version on data ------------------------------------------------------------
    def calibration(self, name: str, version: int | str, source: str) -> dict[str, Any]:
        loaded = self.store.load(name, version)
        inputs, labels, label = self.labelled(loaded, source)
        return {**self._named(loaded, label), **diagnose.calibration_report(loaded, inputs, labels)}

    def subgroups(
        self, name: str, version: int | str, source: str, by: list[str], threshold: float | None
    ) -> dict[str, Any]:
        loaded = self.store.load(name, version)
        inputs, labels, label = self.labelled(loaded, source)
        return {**self._named(loaded, label), **diagnose.subgroup_report(loaded, inputs, labels, by, threshold)}

    def shap(self, name: str, version: int | str, source: str, rows: int, seed: int = 0) -> dict[str, Any]:
        loaded = self.store.load(name, version)
        frame, label = self.current(loaded, source)
        background = self.store.background(loaded.name, loaded.version)
        return {**self._named(loaded, label), **diagnose.shap_report(loaded, frame, background, rows, seed)}

    def shap_summary(
        self, loaded: LoadedModel, source: str, rows: int, seed: int = 0, on_progress=None
    ) -> dict[str, Any]:
        """The same SHAP values as arrays, for the Predict page's figures."""
        frame, label = self.current(loaded, source)
        background = self.store.background(loaded.name, loaded.version)
        summary = diagnose.shap_summary(loaded, frame, background, rows, seed, on_progress)
        return {**self._named(loaded, label), **summary}

    @staticmethod
    def _named(loaded: LoadedModel, label: str) -> dict[str, Any]:
        return {"model": loaded.name, "version": loaded.version, "data": label}

    # -- drift ---------------------------------------------------------------------------------------
    def drift(self, name: str, version: int | str, source: str) -> dict[str, Any]:
        """Per-column drift between the training sample and ``source``, most drifted first, and the drift of
        the model's answers (the reference answered now; the log's answers as logged)."""
        loaded = self.store.load(name, version)
        reference, reference_label = self.reference(loaded)
        current, current_label = self.current(loaded, source)
        if current.empty:
            raise NotEnoughData("data", f"{current_label} has no rows to compare")
        kinds = {f["name"]: f["kind"] for f in loaded.card["schema"]["fields"]}
        columns = drift_stats.drift_report(reference, current, kinds)
        if not columns:
            raise FieldError("data", f"{current_label} shares no input column with the model")
        prediction = self._prediction_drift(loaded, reference, current, logged=source == LOG_SOURCE)
        return {
            "model": loaded.name,
            "version": loaded.version,
            "reference": reference_label,
            "current": current_label,
            "columns": [c.to_dict() for c in columns],
            "prediction": prediction.to_dict() if prediction else None,
            "warnings": _sample_warnings(len(current)),
        }

    def _prediction_drift(self, loaded: LoadedModel, reference, current, *, logged: bool):
        ref_answer, kind = answers(loaded, reference)
        if ref_answer is None:
            return None
        if logged:
            cur_answer = _logged_answer(loaded.card, current, kind)
        else:
            cur_answer, _ = answers(loaded, current)
        if cur_answer is None or cur_answer.empty:
            return None
        return drift_stats.column_drift(str(ref_answer.name), kind, ref_answer, cur_answer)

    # -- retrain -------------------------------------------------------------------------------------
    def retrain(
        self,
        name: str,
        version: int | str,
        source: str,
        *,
        union: bool = False,
        on_fold: Callable | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> ModelVersion:
        """The version's training spec run again on ``source`` (or on its training data plus ``source``),
        cross-validated the same way and saved as the model's next version, its card naming its parent.
        No alias moves: promoting it is the user's decision."""
        card = self.check_retrain(name, version, source)
        spec = TrainSpec.model_validate(card["train_spec"])
        # the columns the model really uses (its schema): identifier or date columns the spec named were skipped
        used = tuple(f for f in spec.features if f in _fields(card))
        spec = spec.model_copy(update={"features": used})
        dataset = self._training_data(card, spec, source, union)
        new_spec = spec.model_copy(update={"dataset": dataset})
        token, _, _ = self.training.run(new_spec, on_fold=on_fold, cancelled=cancelled)
        parent = {"model": name, "version": card["version"], "source": source, "union": union, "dataset": dataset}
        description = f"{card.get('description', '')} · retrained from v{card['version']} on {dataset}"
        return self.training.save(new_spec, token, name, description[:300], parent=parent)

    def check_retrain(self, name: str, version: int | str, source: object) -> dict[str, Any]:
        """The card of a version that can be retrained on ``source``; FieldError naming what is wrong."""
        card = self.store.card(name, version)
        if not card.get("train_spec"):
            raise FieldError("model", "this version was not trained on the Train page, so there is no spec to rerun")
        if source != LOG_SOURCE:
            self._require_dataset(source)
            spec = TrainSpec.model_validate(card["train_spec"])
            used = [f for f in spec.features if f in _fields(card)]
            # refused now, as re-verification refuses it, not accepted and then failed as a job
            _require_columns(self._dataset(source), [*used, spec.target], source)
        elif not self.log.has_feedback(name):
            raise NotEnoughData("data", "no logged prediction of this model has a label yet (send them as feedback)")
        return card

    def in_use(self, name: str, fallback: int) -> tuple[str | None, int]:
        """The version users get now, to compare a retrained one with: the ``production`` alias's, else
        another alias's, else ``fallback`` (the parent)."""
        aliases = self.store.aliases(name)
        alias = "production" if "production" in aliases else next(iter(sorted(aliases)), None)
        return alias, aliases[alias] if alias else fallback

    def _training_data(self, card: dict[str, Any], spec: TrainSpec, source: str, union: bool) -> str:
        """A dataset id holding the new rows (a derived dataset for log feedback or a union)."""
        columns = [*spec.features, spec.target]
        if source == LOG_SOURCE:
            loaded = self.store.load(card["name"], card["version"])
            frame, labels, _ = self.labelled(loaded, source)
            labels, _ = labels_as_classes(labels.reset_index(drop=True), card)
            checked = check_batch(frame.reset_index(drop=True), card["schema"])
            fresh = checked.frame.assign(**{spec.target: labels}).loc[checked.valid & labels.notna().to_numpy()]
            if fresh.empty:  # retraining "with the new rows" on none of them would only repeat the old training
                raise NotEnoughData("data", "no logged prediction with a label fits the model's schema yet")
        else:
            fresh = self._dataset(source)
            if not union:
                _require_columns(fresh, columns, source)
                return source
        _require_columns(fresh, columns, source)
        frames = [fresh[columns]]
        if union:
            frames.insert(0, self._dataset(spec.dataset)[columns])
        combined = pd.concat(frames, ignore_index=True)
        return self._derived(card["name"], combined, source, union)

    def _derived(self, model: str, frame: pd.DataFrame, source: str, union: bool) -> str:
        """Store ``frame`` as a dataset named after the model and its content (built once per content)."""
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        content = buffer.getvalue()
        digest = hashlib.sha256(content).hexdigest()[:8]
        name = f"{model}-{'union' if union else 'feedback'}-{digest}"[:60]
        if not self.catalog.exists(name):
            self.catalog.add_upload(f"{name}.parquet", content, name=name)
        return name


def _fields(card: dict[str, Any]) -> list[str]:
    return [f["name"] for f in card["schema"]["fields"]]


def _sample_warnings(rows: int) -> list[str]:
    if rows >= MIN_DRIFT_ROWS:
        return []
    return [
        f"only {rows:,} recent rows: below {MIN_DRIFT_ROWS} a single row moves a bin's share by a percent or "
        "more and empty bins dominate PSI, so read these numbers as a hint and collect more data"
    ]


def _require_columns(frame: pd.DataFrame, columns: list[str], source: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise FieldError("data", f"{source!r} lacks the model's column(s) {', '.join(missing[:5])}")


def answers(loaded: LoadedModel, frame: pd.DataFrame) -> tuple[pd.Series | None, str]:
    """What the model answers for ``frame``'s valid rows, as one column whose drift can be measured: the
    positive class's probability (binary with probabilities), else the predicted value or class."""
    card = loaded.card
    batch = check_batch(frame.reset_index(drop=True), card["schema"])
    rows = batch.frame.loc[batch.valid]
    if rows.empty:
        return None, "numeric"
    labels, probabilities = labels_and_probabilities(loaded.model, rows)
    classes = card.get("classes") or []
    if card["task"] == "binary" and probabilities is not None:
        return pd.Series(probabilities[:, 1], name=f"answer: probability of {classes[1]}"), "numeric"
    kind = "numeric" if card["task"] == "regression" else "categorical"
    return pd.Series(labels, name="answer: prediction"), kind


def _logged_answer(card: dict[str, Any], logged: pd.DataFrame, kind: str) -> pd.Series | None:
    if kind == "numeric" and card["task"] == "binary":
        column = f"probability_{card['classes'][1]}"
        return logged[column] if column in logged.columns else None
    return logged["prediction"] if "prediction" in logged.columns else None
