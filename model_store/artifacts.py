"""Safe model artifacts with skops: no pickle, no code execution on load.

Loading checks, in order: the file's sha256 equals the one recorded at save time (a changed file is
refused before it is parsed), then every type skops does not trust by default is on our explicit
allow-list. Only then does skops build the objects.
"""

from __future__ import annotations

import hashlib
import importlib
import sys
import threading
from pathlib import Path
from typing import Any

from model_store.errors import UnsafeArtifactError

# Exact type names (never module prefixes: "numpy." would admit numpy.load in a FunctionTransformer).
# These are what scikit-learn pipelines need; an application adds its own with :func:`trust_types`.
BASE_TRUSTED_TYPES: frozenset[str] = frozenset(
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
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "scipy.sparse._csr.csr_matrix",
    }
)
# Process-wide configuration, set once at import by the application (the same in every worker).
_app_types: set[str] = set()
_moved_modules: dict[str, str] = {}


def trust_types(*names: str) -> None:
    """Trust more exact type or function names (``package.module.Name``), e.g. a function your pipelines
    use in a ``FunctionTransformer``. Only name code you wrote and import yourself."""
    _app_types.update(names)


def module_moved(old: str, new: str) -> None:
    """Artifacts saved when a trusted type lived in module ``old`` load it from ``new``."""
    _moved_modules[old] = new


def trusted_types() -> frozenset[str]:
    return BASE_TRUSTED_TYPES | _app_types


def _current_name(type_name: str) -> str:
    module, _, name = type_name.rpartition(".")
    return f"{_moved_modules[module]}.{name}" if module in _moved_modules else type_name


def _alias_moved_modules(found: list[str]) -> None:
    """Let skops import a moved module by its old name (it imports the module a type was saved from)."""
    for type_name in found:
        module = type_name.rpartition(".")[0]
        if module in _moved_modules and module not in sys.modules:
            sys.modules[module] = importlib.import_module(_moved_modules[module])


ARTIFACT_NAME = "model.skops"
# One artifact parse at a time in a process, whichever store asks: numpy reads each array's header with
# ast.literal_eval, and CPython 3.11's AST construction is not thread-safe ("AST constructor recursion depth
# mismatch", python/cpython#106905) when two threads load models at once.
_PARSE_LOCK = threading.Lock()


def write_artifact(obj: Any, path: Path) -> str:
    """Serialise ``obj`` to ``path`` (skops, zip-compressed) and return its sha256. Refuses to write
    an object that could not be loaded back under the allow-list."""
    import skops.io as sio  # here, not at import: skops imports every scikit-learn module it knows

    data = sio.dumps(obj, compression=8)
    untrusted = [t for t in sio.get_untrusted_types(data=data) if _current_name(t) not in trusted_types()]
    if untrusted:
        raise UnsafeArtifactError(
            "the model holds types that are not on the trusted list, so it could not be loaded safely: "
            + ", ".join(sorted(untrusted))
        )
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def read_artifact(path: Path, expected_sha256: str) -> Any:
    """Load an artifact after checking its sha256 and its types; never executes code from the file."""
    import skops.io as sio

    data = path.read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected_sha256:
        raise UnsafeArtifactError(
            f"artifact {path.name}: sha256 {actual[:12]}… does not match the model card ({expected_sha256[:12]}…); "
            "the file was changed after it was saved and will not be loaded"
        )
    found = sio.get_untrusted_types(data=data)
    trusted = trusted_types()
    untrusted = sorted(t for t in found if _current_name(t) not in trusted)
    if untrusted:
        raise UnsafeArtifactError(f"artifact {path.name}: refusing untrusted types: {', '.join(untrusted)}")
    _alias_moved_modules(found)
    with _PARSE_LOCK:
        return sio.loads(data, trusted=found)
