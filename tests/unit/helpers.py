"""Specs shared by the training and search tests."""

from dashboard.train.spec import CVSpec, TrainSpec

TITANIC = ("Pclass", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked")


def titanic_spec(**changes) -> TrainSpec:
    """Logistic regression on Titanic's passenger columns, 5 stratified shuffled folds (seed 3)."""
    values = {
        "dataset": "titanic",
        "target": "Survived",
        "features": TITANIC,
        "estimator": "logistic_regression",
        "cv": CVSpec(folds=5, seed=3),
    }
    return TrainSpec(**{**values, **changes})
