"""The app's own types inside saved models, trusted by the model store (which stands alone and trusts
only scikit-learn's by default). Keep these importable and stable: every saved model names them."""

from model_store.artifacts import module_moved, trust_types

APP_TYPES = (
    # The Titanic IsAlone feature: models saved with it load.
    "dashboard.train.features.add_is_alone",
    # Recommenders are plain arrays in one dataclass whose methods only do arithmetic on them.
    "dashboard.recommend.models.Recommender",
)
# Where these types lived before the feature packages: models saved then still load.
MOVED_MODULES = {
    "dashboard.ml.features": "dashboard.train.features",
    "dashboard.ml.recsys.models": "dashboard.recommend.models",
}


def register() -> None:
    trust_types(*APP_TYPES)
    for old, new in MOVED_MODULES.items():
        module_moved(old, new)
