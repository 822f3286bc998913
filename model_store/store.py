"""ModelStore: versioned, immutable, atomically written models with model cards.

Layout: ``<root>/<name>/versions/<n>/{model.skops, card.json}`` and ``<root>/<name>/aliases.json``.
A save builds the version in a temp folder, then, under a per-model file lock, takes the next number
and renames the folder into place: concurrent saves (threads or processes) never collide, and a save
killed half-way leaves only a hidden temp folder that no listing sees.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock

from model_store.artifacts import ARTIFACT_NAME, read_artifact, write_artifact
from model_store.errors import CorruptModelError, InvalidModelNameError, ModelNotFoundError, ModelStoreError
from model_store.files import is_name, sha256_file
from model_store.history import History
from model_store.lazy import lazy_module
from model_store.parsed import ParsedModels
from model_store.schema import infer_schema
from model_store.version_files import (
    atomic_json,
    described,
    fsync_dir_files,
    infer_task,
    jsonable,
    read_card,
    version_warnings,
    write_sample,
)
from model_store.versions import DEFAULT_ALIAS, Choice, LoadedModel, ModelVersion

np = lazy_module("numpy")
pd = lazy_module("pandas")

CARD_NAME = "card.json"
# A sample of the training inputs, kept beside the artifact (Parquet: data, never code) for explanations
# that need a reference distribution (SHAP's linear and kernel explainers).
BACKGROUND_NAME = "background.parquet"
BACKGROUND_ROWS = 100
# A larger random sample of the training inputs: the reference that drift reports compare recent data with.
REFERENCE_NAME = "reference.parquet"
REFERENCE_ROWS = 5000
# Re-verifications of a version on fresh labelled data, one small JSON file each (the card never changes).
EVALUATIONS_DIR = "evaluations"
LAST_VERSION_NAME = "last_version.json"
STALE_TEMP_SECONDS = 3600


def _check_name(value: object, what: str = "name") -> str:
    if not is_name(value):
        raise InvalidModelNameError(
            f"{what}: {str(value)[:40]!r} is not valid (use 1-64 lowercase letters, digits and dashes)"
        )
    return value  # type: ignore[return-value]


class ModelStore:
    """Save, load, list, version, alias and delete models under ``root``. Usable from a notebook."""

    def __init__(
        self,
        root: str | Path,
        *,
        cache_size: int = 8,
        lock: Callable[[str], AbstractContextManager] | None = None,
        actor: Callable[[], str] | None = None,
    ) -> None:
        """``lock(name)`` makes the lock that serialises version numbering and alias changes of one model:
        a file lock per model by default (one machine, or a notebook); the app passes Redis locks when it
        runs on several machines, where file locks on a shared filesystem cannot be trusted."""
        self.root = Path(root)
        self._make_lock = lock
        self.root.mkdir(parents=True, exist_ok=True)
        self._parsed = ParsedModels(cache_size)
        self._cards: OrderedDict[tuple[str, int], dict[str, Any]] = OrderedDict()
        self._cards_lock = threading.Lock()
        self._history = History(actor)  # who saved, moved an alias, deleted: actor() names them
        for model_dir in self.root.iterdir():  # saves killed long ago, of models that may never be saved again
            if model_dir.is_dir() and not model_dir.name.startswith("."):
                self._remove_stale_temps(model_dir)

    # -- paths and locks -------------------------------------------------------------------------
    def _model_dir(self, name: str) -> Path:
        return self.root / _check_name(name)

    def _lock(self, name: str) -> AbstractContextManager:
        model_dir = self._model_dir(name)
        if self._make_lock is not None:
            return self._make_lock(f"model:{name}")
        model_dir.mkdir(parents=True, exist_ok=True)
        return FileLock(str(model_dir / ".lock"))

    def _version_numbers(self, name: str) -> list[int]:
        versions_dir = self._model_dir(name) / "versions"
        if not versions_dir.is_dir():
            return []
        return sorted(int(p.name) for p in versions_dir.iterdir() if p.name.isdigit() and (p / CARD_NAME).exists())

    # -- writing ---------------------------------------------------------------------------------
    def save(
        self,
        model: Any,
        name: str,
        *,
        X_sample: pd.DataFrame | None,
        y: Any = None,
        schema: dict | None = None,
        task: str | None = None,
        target: str | None = None,
        metrics: dict | None = None,
        cv: dict | None = None,
        params: dict | None = None,
        dataset: dict | None = None,
        description: str | None = None,
        evaluation: dict | None = None,
        extra: dict | None = None,
    ) -> ModelVersion:
        """Store ``model`` (one fitted scikit-learn Pipeline or compatible object) as the next version.
        The input schema is inferred from ``X_sample`` unless ``schema`` is given (models whose input is a
        query rather than a feature row, such as recommenders)."""
        model_dir = self._model_dir(name)
        schema = schema if schema is not None else infer_schema(X_sample)
        inferred_task, classes = infer_task(model, y)
        model_dir.mkdir(parents=True, exist_ok=True)
        self._remove_stale_temps(model_dir)
        tmp = Path(tempfile.mkdtemp(dir=model_dir, prefix=".tmp-"))
        try:
            sha = write_artifact(model, tmp / ARTIFACT_NAME)
            background = write_sample(X_sample, tmp / BACKGROUND_NAME, BACKGROUND_ROWS)
            reference = write_sample(X_sample, tmp / REFERENCE_NAME, REFERENCE_ROWS, random=True)
            card = {
                "name": name,
                "task": task or inferred_task,
                "target": target,
                "classes": classes,
                "description": description or "",
                "schema": schema,
                **described(model, metrics=metrics, cv=cv, params=params, dataset=dataset, evaluation=evaluation),
                "artifact": {"file": ARTIFACT_NAME, "sha256": sha, "bytes": (tmp / ARTIFACT_NAME).stat().st_size},
                **({"background": background} if background else {}),
                **({"reference": reference} if reference else {}),
                **(jsonable(extra) if extra else {}),
            }
            with self._lock(name):
                version = self._next_version(name)
                card.update(version=version, created_at=datetime.now(UTC).isoformat(timespec="seconds"))
                (tmp / CARD_NAME).write_text(json.dumps(card, indent=1))
                fsync_dir_files(tmp)
                versions_dir = model_dir / "versions"
                versions_dir.mkdir(exist_ok=True)
                os.replace(tmp, versions_dir / str(version))
                atomic_json(model_dir / LAST_VERSION_NAME, {"last_version": version})
                self._history.record(model_dir, "saved", version=version)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return ModelVersion(name, version, versions_dir / str(version), card)

    def _next_version(self, name: str) -> int:
        """One more than any number this model ever had: a deleted version's number is never reused, so a
        client pinned to ``version=3`` never silently gets another model (the counter outlives deletes)."""
        try:
            last = int(json.loads((self._model_dir(name) / LAST_VERSION_NAME).read_text())["last_version"])
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            last = 0  # a store written before the counter: the highest version on disk
        return max(last, *(self._version_numbers(name) or [0])) + 1

    def _existing(self, name: str) -> None:
        """Refuse a write to a model that does not exist, before anything is created on disk."""
        if not self._version_numbers(name):
            raise ModelNotFoundError(f"model: no model named {str(name)[:40]!r}")

    @staticmethod
    def _remove_stale_temps(model_dir: Path) -> None:
        """Temp folders of saves killed long ago (kill -9, power loss): swept when a store opens and on every
        save (a save in progress elsewhere is younger than ``STALE_TEMP_SECONDS``)."""
        cutoff = time.time() - STALE_TEMP_SECONDS
        for path in model_dir.glob(".tmp-*"):
            if path.is_dir() and path.stat().st_mtime < cutoff:
                shutil.rmtree(path, ignore_errors=True)

    def set_alias(self, name: str, alias: str, version: int) -> None:
        _check_name(alias, "alias")
        self._existing(name)
        with self._lock(name):
            if int(version) not in self._version_numbers(name):
                raise ModelNotFoundError(f"version: model {name!r} has no version {version}")
            aliases = self.aliases(name)
            before, aliases[alias] = aliases.get(alias), int(version)
            atomic_json(self._model_dir(name) / "aliases.json", aliases)
            if before != int(version):
                self._history.record(self._model_dir(name), "alias_set", alias=alias, **{"from": before, "to": version})

    def remove_alias(self, name: str, alias: str) -> None:
        self._existing(name)
        with self._lock(name):
            aliases = self.aliases(name)
            before = aliases.pop(alias, None)
            if before is None:
                raise ModelNotFoundError(f"alias: model {name!r} has no alias {alias!r}")
            atomic_json(self._model_dir(name) / "aliases.json", aliases)
            self._history.record(self._model_dir(name), "alias_removed", alias=alias, **{"from": before, "to": None})

    def delete(self, name: str, version: int) -> None:
        """Delete one version. Refused while an alias points at it (move the alias first)."""
        self._existing(name)
        with self._lock(name):
            version = int(version)
            if version not in self._version_numbers(name):
                raise ModelNotFoundError(f"version: model {name!r} has no version {version}")
            pointing = sorted(a for a, v in self.aliases(name).items() if v == version)
            if pointing:
                raise ModelStoreError(
                    f"version: alias {', '.join(pointing)} points at version {version}; move or remove it first"
                )
            model_dir = self._model_dir(name)
            doomed = model_dir / f".trash-{version}-{os.getpid()}"
            os.replace(model_dir / "versions" / str(version), doomed)  # disappears atomically
            shutil.rmtree(doomed, ignore_errors=True)
            self._history.record(model_dir, "deleted", version=version)
        self._parsed.forget(name, version)

    def history(self, name: str) -> list[dict[str, Any]]:
        """Every save, alias move and delete of ``name``, newest first (who, when, from → to); still there
        when every version was deleted."""
        events = self._history.read(self._model_dir(name))
        if not events:
            self._existing(name)  # a model saved before histories were kept has none: an empty history
        return events

    # -- reading ---------------------------------------------------------------------------------
    def aliases(self, name: str) -> dict[str, int]:
        path = self._model_dir(name) / "aliases.json"
        try:
            return {str(k): int(v) for k, v in json.loads(path.read_text()).items()}
        except FileNotFoundError:
            return {}
        except (ValueError, TypeError, AttributeError, UnicodeDecodeError):
            raise CorruptModelError(f"model: {name}/aliases.json is damaged and cannot be read") from None

    def resolve(self, name: str, version: int | str | None = None, *, alias: str | None = None) -> int:
        return self.choose(name, version, alias=alias).version

    def choose(self, name: str, version: int | str | None = None, *, alias: str | None = None) -> Choice:
        """The one rule for what answers: a version number or an alias when one is named, ``latest`` for
        the newest version, and with neither the ``production`` alias when it is set, else the newest
        version. Saving, retraining or deleting a version never moves an alias, so it never changes what
        answers by default once ``production`` is set."""
        numbers = self._version_numbers(name)
        if not numbers:
            raise ModelNotFoundError(f"model: no model named {name!r}")
        if alias is not None:
            aliases = self.aliases(name)
            if alias not in aliases:
                raise ModelNotFoundError(f"alias: model {name!r} has no alias {str(alias)[:40]!r}")
            return Choice(aliases[alias], alias, f"alias {alias}, as asked")
        if version is None:
            production = self.aliases(name).get(DEFAULT_ALIAS)
            if production in numbers:
                return Choice(production, DEFAULT_ALIAS, f"the {DEFAULT_ALIAS} alias (the default)")
            return Choice(numbers[-1], None, f"the latest version (the default: no {DEFAULT_ALIAS} alias is set)")
        if version == "latest":
            return Choice(numbers[-1], None, "the latest version, as asked")
        try:
            number = int(version)
        except (TypeError, ValueError):
            raise ModelNotFoundError(f"version: {str(version)[:40]!r} is not a version number") from None
        if number not in numbers:
            raise ModelNotFoundError(f"version: model {name!r} has no version {number}")
        return Choice(number, None, f"version {number}, as asked")

    def card(self, name: str, version: int | str | None = None, *, alias: str | None = None) -> dict[str, Any]:
        number = self.resolve(name, version, alias=alias)
        card = dict(self._stored_card(name, number))
        card["aliases"] = sorted(a for a, v in self.aliases(name).items() if v == number)
        return card

    def _stored_card(self, name: str, number: int) -> dict[str, Any]:
        """The card as saved. Versions are immutable, so a parsed card is reused while its file is unchanged."""
        path = self._model_dir(name) / "versions" / str(number) / CARD_NAME
        key = (str(path), path.stat().st_mtime_ns)
        with self._cards_lock:
            card = self._cards.get(key)
        if card is None:
            card = read_card(path, f"{name}/versions/{number}/{CARD_NAME}")
            with self._cards_lock:
                self._cards[key] = card
                while len(self._cards) > 256:
                    self._cards.popitem(last=False)
        return card

    def versions(self, name: str) -> list[ModelVersion]:
        return [
            ModelVersion(name, n, self._model_dir(name) / "versions" / str(n), self.card(name, n))
            for n in self._version_numbers(name)
        ]

    def list(self) -> list[dict[str, Any]]:
        """One summary per healthy model: latest version's card essentials, version count, aliases."""
        return self.scan()[0]

    def scan(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """``(healthy, corrupt)``: a model whose card or alias file is damaged is reported by name with
        ``status: "corrupt"`` and never hides the others."""
        models, corrupt = [], []
        for model_dir in sorted(p for p in self.root.iterdir() if p.is_dir() and is_name(p.name)):
            try:
                summary = self._summary(model_dir.name)
            except CorruptModelError as exc:
                corrupt.append({"name": model_dir.name, "status": "corrupt", "error": str(exc)})
                continue
            if summary is not None:
                models.append(summary)
        return models, corrupt

    def _summary(self, name: str) -> dict[str, Any] | None:
        numbers = self._version_numbers(name)
        if not numbers:
            return None
        for number in numbers[:-1]:
            self._stored_card(name, number)  # every version readable, or the model is reported
        default = self.choose(name)
        card = self.card(name, default.version)
        return {
            "name": name,
            "status": "ok",
            "latest_version": numbers[-1],
            "default_version": default.version,  # what answers when no version is named; its card below
            "default_reason": default.reason,
            "versions": numbers,
            "aliases": self.aliases(name),
            "task": card["task"],
            "target": card.get("target"),
            "estimator": card.get("estimator"),
            "metrics": card.get("metrics", {}),
            "description": card.get("description", ""),
            "created_at": card["created_at"],
            "dataset": card.get("dataset", {}),
        }

    @property
    def cache_size(self) -> int:
        """How many loaded models stay parsed in memory (least recently used first out)."""
        return self._parsed.size

    def load(self, name: str, version: int | str | None = None, *, alias: str | None = None) -> LoadedModel:
        """The fitted model and its card. Refuses a changed artifact or untrusted types (no code runs)."""
        choice = self.choose(name, version, alias=alias)
        number = choice.version
        card = self._stored_card(name, number)
        sha = card["artifact"]["sha256"]
        path = self._model_dir(name) / "versions" / str(number) / ARTIFACT_NAME
        model = self._parsed.get((name, number, sha), lambda: read_artifact(path, sha))
        return LoadedModel(name, number, model, dict(card), version_warnings(card), choice.alias, choice.reason)

    def background(self, name: str, version: int | str | None = None) -> pd.DataFrame | None:
        """The first training inputs saved with a version (None for versions saved before it was kept).
        Refuses a file whose sha256 differs from the card's."""
        return self._sample(name, version, "background")

    def reference(self, name: str, version: int | str | None = None) -> pd.DataFrame | None:
        """A random sample of up to REFERENCE_ROWS training inputs (None for versions saved before it was kept)."""
        return self._sample(name, version, "reference")

    def _sample(self, name: str, version: int | str | None, key: str) -> pd.DataFrame | None:
        number = self.resolve(name, version)
        meta = self._stored_card(name, number).get(key)
        if not meta:
            return None
        path = self._model_dir(name) / "versions" / str(number) / meta["file"]
        if meta["file"] not in (BACKGROUND_NAME, REFERENCE_NAME) or sha256_file(path) != meta["sha256"]:
            raise CorruptModelError(f"{name}/{number}: the {key} sample changed since it was saved")
        return pd.read_parquet(path)

    def add_evaluation(self, name: str, version: int | str, record: dict[str, Any]) -> dict[str, Any]:
        """Keep one evaluation of a version (its metrics on data seen after training) in its history.
        Each is its own file written atomically, so concurrent evaluations never overwrite each other."""
        number = self.resolve(name, version)
        folder = self._model_dir(name) / "versions" / str(number) / EVALUATIONS_DIR
        folder.mkdir(mode=0o700, exist_ok=True)
        stamped = {"evaluated_at": datetime.now(UTC).isoformat(timespec="seconds"), **jsonable(record)}
        atomic_json(folder / f"{time.time_ns()}-{os.urandom(4).hex()}.json", stamped)
        return stamped

    def evaluations(self, name: str, version: int | str | None = None) -> list[dict[str, Any]]:
        """A version's evaluation history, oldest first (an unreadable entry is skipped, never fatal)."""
        number = self.resolve(name, version)
        folder = self._model_dir(name) / "versions" / str(number) / EVALUATIONS_DIR
        history = []
        for path in sorted(folder.glob("[0-9]*.json")) if folder.is_dir() else []:  # never a temp file
            try:
                history.append(json.loads(path.read_text()))
            except (ValueError, UnicodeDecodeError, OSError):
                continue
        return history

    def verify(self, name: str, version: int | str | None = None) -> bool:
        """True when the artifact still has the sha256 recorded in its card."""
        number = self.resolve(name, version)
        card = self.card(name, number)
        return (
            sha256_file(self._model_dir(name) / "versions" / str(number) / ARTIFACT_NAME) == card["artifact"]["sha256"]
        )
