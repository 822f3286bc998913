"""The estimator catalog: every trainable model family as data. Adding a model is one entry.

Each parameter spec says its type, range, default, scale and meaning, so the Train page can build
controls and the search can sample values without knowing any estimator.
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass, field
from typing import Any, Literal

from dashboard.errors import FieldError

ParamKind = Literal["int", "float", "choice", "bool"]


@dataclass(frozen=True)
class ParamSpec:
    name: str
    kind: ParamKind
    default: Any
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple[Any, ...] = ()
    help: str = ""
    suggest: tuple[Any, ...] = ()  # grid values offered first in a search; derived from the range if empty

    def suggested_values(self) -> list[Any]:
        """A small grid around the default: the spec's own, all choices, x0.1/x1/x10 on log scale, else thirds."""
        if self.suggest:
            return list(self.suggest)
        if self.kind in ("choice", "bool"):
            return list(self.choices) if self.kind == "choice" else [False, True]
        if self.log and self.default:
            values = [self.default * f for f in (0.1, 1, 10)]
        else:
            values = [self.low + (self.high - self.low) * f for f in (0, 0.5, 1)]
        values = [min(max(v, self.low), self.high) for v in values]
        values = [int(round(v)) if self.kind == "int" else float(f"{v:.4g}") for v in values]
        return list(dict.fromkeys(values))

    def check(self, value: Any) -> Any:
        """The value coerced to this parameter's type, or a FieldError naming the parameter."""
        if self.kind == "choice":
            if value not in self.choices:
                raise FieldError(self.name, f"{value!r} is not one of {', '.join(map(str, self.choices))}")
            return value
        if self.kind == "bool":
            return bool(value)
        try:
            number = int(value) if self.kind == "int" else float(value)
        except (TypeError, ValueError):
            raise FieldError(self.name, f"expected {'a whole number' if self.kind == 'int' else 'a number'}") from None
        if not math.isfinite(number):  # NaN passes every range comparison; infinity is never a setting
            raise FieldError(self.name, f"expected a finite number, got {value!r}")
        if self.kind == "int" and float(value) != number:
            raise FieldError(self.name, f"expected a whole number, got {value!r}")
        if (self.low is not None and number < self.low) or (self.high is not None and number > self.high):
            raise FieldError(self.name, f"{number:g} is outside {self.low:g} to {self.high:g}")
        return number


@dataclass(frozen=True)
class EstimatorSpec:
    key: str
    label: str
    task: Literal["classification", "regression"]
    factory: str  # "module:Class"
    params: tuple[ParamSpec, ...] = ()
    fixed: dict[str, Any] = field(default_factory=dict)  # always passed (e.g. a seed)
    sparse_ok: bool = True  # accepts the sparse matrix that text features produce
    needs_nonnegative: bool = False  # multinomial NB: no scaling to negative values

    def build(self, params: dict[str, Any] | None = None):
        module, name = self.factory.split(":")
        cls = getattr(importlib.import_module(module), name)
        values = self.checked_params(params or {})
        if values.get("max_depth") == 0:
            values["max_depth"] = None  # the control's 0 means "unlimited" (NO_LIMIT_AT_ZERO)
        return cls(**{**self.fixed, **values})

    def checked_params(self, params: dict[str, Any]) -> dict[str, Any]:
        specs = {p.name: p for p in self.params}
        if "random_state" in self.fixed:  # the seed of a seeded estimator may be chosen too
            specs["random_state"] = ParamSpec("random_state", "int", self.fixed["random_state"], 0, 2**31 - 1)
        unknown = sorted(set(params) - set(specs))
        if unknown:
            raise FieldError(unknown[0], f"not a parameter of {self.label}")
        out = {p.name: p.default for p in self.params}
        if "random_state" in params:
            out["random_state"] = self.fixed["random_state"]
        out.update({name: specs[name].check(value) for name, value in params.items()})
        return out


SEED = {"random_state": 0}
_C = ParamSpec("C", "float", 1.0, 1e-4, 1e4, log=True, help="inverse regularisation strength: smaller is simpler")
_TREES = ParamSpec("n_estimators", "int", 200, 10, 2000, log=True, help="number of trees", suggest=(50, 200, 500))
NO_LIMIT_AT_ZERO = frozenset({"max_depth"})  # parameters whose 0 (scikit-learn's None) means no limit
_DEPTH = ParamSpec("max_depth", "int", 0, 0, 100, help="deepest split; 0 means unlimited", suggest=(0, 4, 8, 16))
_LEAF = ParamSpec("min_samples_leaf", "int", 1, 1, 500, log=True, help="fewest samples in a leaf", suggest=(1, 5, 20))
_SPLIT = ParamSpec(
    "min_samples_split", "int", 2, 2, 500, log=True, help="fewest samples to split a node", suggest=(2, 10, 40)
)
_FEATURES = ParamSpec(
    "max_features", "float", 1.0, 0.05, 1.0, help="share of features tried at each split", suggest=(0.3, 0.5, 1.0)
)
_LR = ParamSpec("learning_rate", "float", 0.1, 1e-3, 1.0, log=True, help="shrinkage of each boosting step")
_ITER = ParamSpec("max_iter", "int", 100, 10, 2000, log=True, help="boosting iterations", suggest=(50, 100, 300))
_LEAVES = ParamSpec("max_leaf_nodes", "int", 31, 2, 512, log=True, help="leaves per tree", suggest=(15, 31, 63))
_L2 = ParamSpec(
    "l2_regularization", "float", 0.0, 0.0, 100.0, help="L2 penalty on leaf values", suggest=(0.0, 0.1, 1.0, 10.0)
)
_ALPHA = ParamSpec("alpha", "float", 1.0, 1e-4, 1e4, log=True, help="regularisation strength")

ESTIMATORS: tuple[EstimatorSpec, ...] = (
    EstimatorSpec(
        "logistic_regression",
        "Logistic regression",
        "classification",
        "sklearn.linear_model:LogisticRegression",
        (_C, ParamSpec("max_iter", "int", 1000, 100, 10000, help="solver iterations", suggest=(200, 1000))),
        {},
    ),
    EstimatorSpec(
        "random_forest",
        "Random forest",
        "classification",
        "sklearn.ensemble:RandomForestClassifier",
        (_TREES, _DEPTH, _LEAF, _SPLIT, _FEATURES),
        SEED,
    ),
    EstimatorSpec(
        "hist_gradient_boosting",
        "Histogram gradient boosting",
        "classification",
        "sklearn.ensemble:HistGradientBoostingClassifier",
        (_LR, _ITER, _LEAVES, _L2),
        SEED,
        sparse_ok=False,
    ),
    EstimatorSpec(
        "decision_tree",
        "Decision tree",
        "classification",
        "sklearn.tree:DecisionTreeClassifier",
        (_DEPTH, _LEAF, _SPLIT),
        SEED,
    ),
    EstimatorSpec(
        "knn",
        "k-nearest neighbours",
        "classification",
        "sklearn.neighbors:KNeighborsClassifier",
        (
            ParamSpec("n_neighbors", "int", 15, 1, 500, log=True, help="neighbours that vote", suggest=(5, 15, 50)),
            ParamSpec(
                "weights",
                "choice",
                "uniform",
                choices=("uniform", "distance"),
                help="equal votes, or closer neighbours count more",
            ),
        ),
    ),
    EstimatorSpec(
        "svc",
        "Support vector machine (RBF)",
        "classification",
        "sklearn.svm:SVC",
        (_C, ParamSpec("gamma", "choice", "scale", choices=("scale", "auto"), help="kernel width rule")),
        {"probability": True, **SEED},
    ),
    EstimatorSpec("linear_svc", "Linear SVM", "classification", "sklearn.svm:LinearSVC", (_C,), SEED),
    EstimatorSpec(
        "gaussian_nb",
        "Gaussian naive Bayes",
        "classification",
        "sklearn.naive_bayes:GaussianNB",
        (ParamSpec("var_smoothing", "float", 1e-9, 1e-12, 1.0, log=True, help="variance added for stability"),),
        sparse_ok=False,
    ),
    EstimatorSpec(
        "multinomial_nb",
        "Multinomial naive Bayes (text)",
        "classification",
        "sklearn.naive_bayes:MultinomialNB",
        (ParamSpec("alpha", "float", 0.1, 1e-4, 10.0, log=True, help="additive smoothing"),),
        needs_nonnegative=True,
    ),
    EstimatorSpec(
        "bernoulli_nb",
        "Bernoulli naive Bayes (text)",
        "classification",
        "sklearn.naive_bayes:BernoulliNB",
        (ParamSpec("alpha", "float", 1.0, 1e-4, 10.0, log=True, help="additive smoothing"),),
    ),
    EstimatorSpec("linear", "Linear regression", "regression", "sklearn.linear_model:LinearRegression"),
    EstimatorSpec("ridge", "Ridge", "regression", "sklearn.linear_model:Ridge", (_ALPHA,)),
    EstimatorSpec(
        "elastic_net",
        "Elastic net",
        "regression",
        "sklearn.linear_model:ElasticNet",
        (
            ParamSpec("alpha", "float", 0.1, 1e-5, 100.0, log=True, help="overall penalty"),
            ParamSpec("l1_ratio", "float", 0.5, 0.0, 1.0, help="share of L1 in the penalty"),
        ),
        {"max_iter": 5000, **SEED},
    ),
    EstimatorSpec(
        "random_forest_regressor",
        "Random forest",
        "regression",
        "sklearn.ensemble:RandomForestRegressor",
        (_TREES, _DEPTH, _LEAF, _SPLIT, _FEATURES),
        SEED,
    ),
    EstimatorSpec(
        "hist_gradient_boosting_regressor",
        "Histogram gradient boosting",
        "regression",
        "sklearn.ensemble:HistGradientBoostingRegressor",
        (_LR, _ITER, _LEAVES, _L2),
        SEED,
        sparse_ok=False,
    ),
)
BY_KEY = {spec.key: spec for spec in ESTIMATORS}


def estimator_spec(key: str) -> EstimatorSpec:
    try:
        return BY_KEY[key]
    except KeyError:
        raise FieldError("model", f"unknown model family {str(key)[:40]!r}") from None


def for_task(task: str) -> list[EstimatorSpec]:
    family = "regression" if task == "regression" else "classification"
    return [spec for spec in ESTIMATORS if spec.task == family]
