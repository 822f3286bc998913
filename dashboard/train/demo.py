"""Demo models trained on built-in data, so a new user has something to query at once.

``ensure_demo_models`` runs in a background thread at start-up (never blocking it), once per model
store: a file lock makes concurrent workers wait for the first one, which trains only what is missing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from filelock import FileLock
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.model_selection import KFold, StratifiedKFold, cross_validate
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder
from sklearn.svm import LinearSVC

from dashboard.data.catalog import Catalog
from dashboard.train.features import add_is_alone
from model_store import ModelNotFoundError, ModelStore

log = logging.getLogger(__name__)

TITANIC_FEATURES = ["Pclass", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked"]
AMES_FEATURES = [
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
]


def titanic_pipeline() -> Pipeline:
    """The reference configuration: RandomForest(300, min_samples_leaf=7, min_samples_split=5,
    max_features=0.5) on Pclass, Sex, Age, SibSp, Parch, Fare, Embarked + IsAlone."""
    numeric = ["Pclass", "Age", "SibSp", "Parch", "Fare", "IsAlone"]
    categorical = ["Sex", "Embarked"]
    prep = ColumnTransformer(
        [
            ("numeric", SimpleImputer(strategy="median"), numeric),
            (
                "categorical",
                make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")),
                categorical,
            ),
        ]
    )
    forest = RandomForestClassifier(
        n_estimators=300, min_samples_leaf=7, min_samples_split=5, max_features=0.5, random_state=42
    )
    return Pipeline([("features", FunctionTransformer(add_is_alone)), ("prep", prep), ("model", forest)])


def language_pipeline() -> Pipeline:
    """Character 2-3-gram TF-IDF + LinearSVC."""
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3), sublinear_tf=True, min_df=2)
    return Pipeline(
        [("prep", ColumnTransformer([("text", vectorizer, "text")])), ("model", LinearSVC(C=0.5, random_state=0))]
    )


def house_pipeline() -> Pipeline:
    numeric = [c for c in AMES_FEATURES if c not in ("Overall_Cond", "Neighborhood", "Bldg_Type")]
    prep = ColumnTransformer(
        [
            ("numeric", "passthrough", numeric),
            (
                "categorical",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                ["Overall_Cond", "Neighborhood", "Bldg_Type"],
            ),
        ]
    )
    return Pipeline([("prep", prep), ("model", HistGradientBoostingRegressor(max_iter=300, random_state=0))])


@dataclass(frozen=True)
class DemoModel:
    name: str
    dataset: str
    target: str
    features: list[str]
    build: Callable[[], Pipeline]
    description: str
    classification: bool = True


DEMO_MODELS = (
    DemoModel(
        "titanic-survival",
        "titanic",
        "Survived",
        TITANIC_FEATURES,
        titanic_pipeline,
        "Who survived the Titanic: the reference random forest on class, sex, age, family and fare.",
    ),
    DemoModel(
        "language-id",
        "languages",
        "language",
        ["text"],
        language_pipeline,
        "Which of 11 languages a sentence is in: character n-gram TF-IDF + linear SVM.",
    ),
    DemoModel(
        "ames-house-price",
        "ames-housing",
        "Sale_Price",
        AMES_FEATURES,
        house_pipeline,
        "Sale price of a house in Ames, Iowa from size, age, condition and neighbourhood.",
        classification=False,
    ),
)


def train_demo(spec: DemoModel, catalog: Catalog, store: ModelStore, folds: int = 5):
    """Cross-validate ``spec`` on its dataset, refit on all rows, save to ``store``."""
    frame = catalog.load(spec.dataset)
    X, y = frame[spec.features], frame[spec.target]
    if spec.classification:
        splitter = StratifiedKFold(folds, shuffle=True, random_state=0)
        scoring = {"accuracy": "accuracy", "balanced_accuracy": "balanced_accuracy"}
    else:
        splitter = KFold(folds, shuffle=True, random_state=0)
        scoring = {"r2": "r2", "rmse": "neg_root_mean_squared_error", "mae": "neg_mean_absolute_error"}
    scores = cross_validate(spec.build(), X, y, cv=splitter, scoring=scoring)
    summary = {}
    for metric in scoring:
        values = np.abs(scores[f"test_{metric}"]) if metric in ("rmse", "mae") else scores[f"test_{metric}"]
        summary[metric] = {"mean": float(values.mean()), "std": float(values.std()), "folds": values.tolist()}
    pipeline = spec.build().fit(X, y)
    version = store.save(
        pipeline,
        spec.name,
        X_sample=X,
        y=y,
        target=spec.target,
        metrics={k: v["mean"] for k, v in summary.items()},
        cv={"folds": folds, "shuffle": True, "seed": 0, "scores": summary},
        dataset={"id": spec.dataset, "fingerprint": catalog.fingerprint(spec.dataset), "rows": len(frame)},
        description=spec.description,
        extra={"demo": True},
    )
    log.info("demo model %s v%s: %s", spec.name, version.version, version.card["metrics"])
    return version


def ensure_demo_models(catalog: Catalog, store: ModelStore) -> list[str]:
    """Train the demo models that the store does not have yet. Returns the names trained."""
    trained = []
    with FileLock(str(store.root / ".demo.lock")):
        for spec in DEMO_MODELS:
            try:
                store.resolve(spec.name)
                continue
            except ModelNotFoundError:
                pass
            try:
                train_demo(spec, catalog, store)
                trained.append(spec.name)
            except Exception:  # a missing optional dataset must not stop the others
                log.exception("demo model %s could not be trained", spec.name)
    return trained
