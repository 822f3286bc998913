"""Safe model artifacts with skops: no pickle, no code execution on load.

Loading checks, in order: the file's sha256 equals the one recorded at save time (a changed file is
refused before it is parsed), then every type skops does not trust by default is on our explicit
allow-list. Only then does skops build the objects.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import skops.io as sio

from model_store.errors import UnsafeArtifactError

# Exact type names (never module prefixes: "numpy." would admit numpy.load in a FunctionTransformer).
# Add a name only for a type the app's own pipelines need; tests fail when a demo model needs one more.
TRUSTED_TYPES: frozenset[str] = frozenset(
    {
        "numpy.dtype",
        "sklearn.tree._tree.Tree",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
        "sklearn._loss.loss.HalfBinomialLoss",
        "sklearn._loss.loss.HalfMultinomialLoss",
        "sklearn._loss.loss.HalfSquaredError",
        "sklearn._loss.link.IdentityLink",
        "sklearn._loss.link.LogitLink",
        "sklearn._loss.link.MultinomialLogit",
        "sklearn._loss._loss.CyHalfBinomialLoss",
        "sklearn._loss._loss.CyHalfMultinomialLoss",
        "sklearn._loss._loss.CyHalfSquaredError",
        "sklearn.utils._bunch.Bunch",
        "dashboard.ml.features.add_is_alone",
        # Recommenders are plain arrays in one dataclass whose methods only do arithmetic on them.
        "dashboard.ml.recsys.models.Recommender",
        "scipy.sparse._csr.csr_matrix",
    }
)
ARTIFACT_NAME = "model.skops"


def write_artifact(obj: Any, path: Path) -> str:
    """Serialise ``obj`` to ``path`` (skops, zip-compressed) and return its sha256. Refuses to write
    an object that could not be loaded back under the allow-list."""
    data = sio.dumps(obj, compression=8)
    untrusted = [t for t in sio.get_untrusted_types(data=data) if t not in TRUSTED_TYPES]
    if untrusted:
        raise UnsafeArtifactError(
            "the model holds types that are not on the trusted list, so it could not be loaded safely: "
            + ", ".join(sorted(untrusted))
        )
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def read_artifact(path: Path, expected_sha256: str) -> Any:
    """Load an artifact after checking its sha256 and its types; never executes code from the file."""
    data = path.read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected_sha256:
        raise UnsafeArtifactError(
            f"artifact {path.name}: sha256 {actual[:12]}… does not match the model card ({expected_sha256[:12]}…); "
            "the file was changed after it was saved and will not be loaded"
        )
    found = sio.get_untrusted_types(data=data)
    untrusted = sorted(t for t in found if t not in TRUSTED_TYPES)
    if untrusted:
        raise UnsafeArtifactError(f"artifact {path.name}: refusing untrusted types: {', '.join(untrusted)}")
    return sio.loads(data, trusted=found)
