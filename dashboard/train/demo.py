"""Demo models trained on built-in data, so a new user has something to query at once.

They are train specs run through the same training service as the Train page (cross-validation, refit,
card), so a demo model's card is exactly what a user's model would get. They are trained at start-up in a
child process (``dashboard.startup``); a file lock makes concurrent workers' children wait for the first
one, which trains only what is missing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from dashboard.data.catalog import Catalog
from dashboard.data.explorer import ExplorerService
from dashboard.jobs.layer import Memo
from dashboard.train.service import TrainingService
from dashboard.train.spec import TextSpec, TrainSpec
from model_store import ModelNotFoundError, ModelStore, ModelVersion

log = logging.getLogger(__name__)

TITANIC_FEATURES = ("Pclass", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked")
AMES_FEATURES = (
    "Gr_Liv_Area",
    "Overall_Cond",
    "Year_Built",
    "Year_Remod_Add",
    "Total_Bsmt_SF",
    "Garage_Cars",
    "Lot_Area",
    "Full_Bath",
    "Neighborhood",
    "Bldg_Type",
)


@dataclass(frozen=True)
class DemoModel:
    name: str
    spec: TrainSpec
    description: str

    @property
    def dataset(self) -> str:
        return self.spec.dataset

    @property
    def target(self) -> str:
        return self.spec.target

    @property
    def features(self) -> list[str]:
        return list(self.spec.features)


DEMO_MODELS = (
    DemoModel(
        "titanic-survival",
        TrainSpec(
            dataset="titanic",
            target="Survived",
            features=TITANIC_FEATURES,
            estimator="random_forest",
            # the reference configuration
            params={"n_estimators": 300, "min_samples_leaf": 7, "min_samples_split": 5, "max_features": 0.5},
        ),
        "Who survived the Titanic: the reference random forest on class, sex, age, family and fare.",
    ),
    DemoModel(
        "language-id",
        TrainSpec(
            dataset="languages",
            target="language",
            features=("text",),
            estimator="linear_svc",
            params={"C": 0.5},
            text=TextSpec(analyzer="char_wb", ngram_min=2, ngram_max=3),
        ),
        "Which of 11 languages a sentence is in: character n-gram TF-IDF + linear SVM.",
    ),
    DemoModel(
        "ames-house-price",
        TrainSpec(
            dataset="ames-housing",
            target="Sale_Price",
            features=AMES_FEATURES,
            estimator="hist_gradient_boosting_regressor",
            params={"max_iter": 300},
            task="regression",
        ),
        "Sale price of a house in Ames, Iowa from size, age, condition and neighbourhood.",
    ),
)


def train_demo(demo: DemoModel, training: TrainingService, folds: int = 5) -> ModelVersion:
    """Cross-validate ``demo`` through the training service, refit on all rows, save it with a full card."""
    spec = demo.spec.model_copy(update={"cv": demo.spec.cv.model_copy(update={"folds": folds})})
    token, _, _ = training.run(spec)
    version = training.save(spec, token, demo.name, demo.description)
    log.info("demo model %s v%s: %s", demo.name, version.version, version.card["metrics"])
    return version


def missing_demo_models(store: ModelStore) -> list[str]:
    missing = []
    for demo in DEMO_MODELS:
        try:
            store.resolve(demo.name)
        except ModelNotFoundError:
            missing.append(demo.name)
    return missing


def ensure_demo_models(training: TrainingService) -> list[str]:
    """Train the demo models that the store does not have yet. Returns the names trained."""
    trained = []
    with FileLock(str(training.store.root / ".demo.lock")):
        missing = missing_demo_models(training.store)
        for demo in DEMO_MODELS:
            if demo.name not in missing:
                continue
            try:
                train_demo(demo, training)
                trained.append(demo.name)
            except Exception:  # a missing optional dataset must not stop the others
                log.exception("demo model %s could not be trained", demo.name)
    return trained


def standalone_training(catalog: Catalog, store: ModelStore, cache_dir: Path, n_jobs: int = 1) -> TrainingService:
    """A training service of its own, for tests, benchmarks and scripts: the Train page's code path."""
    memo = Memo.local(Path(cache_dir), 2**30)
    return TrainingService(catalog, ExplorerService(catalog, memo, point_budget=20_000), memo, store, n_jobs=n_jobs)
