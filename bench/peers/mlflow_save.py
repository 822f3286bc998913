"""Run by the MLflow venv's Python: save the benchmark's pipeline as an MLflow model that answers
``predict_proba`` (the same work our endpoint does). argv: the pipeline (a pickle the bench itself wrote
a moment ago in its own temp dir, never a user's file) and the MLflow model path."""

import pickle
import sys

import mlflow.sklearn

with open(sys.argv[1], "rb") as fh:
    pipeline = pickle.load(fh)  # noqa: S301 - written by the bench in this run, see the docstring
# skops, as our store: the two types a forest needs beyond the defaults are named, as our store names them.
mlflow.sklearn.save_model(
    pipeline,
    sys.argv[2],
    pyfunc_predict_fn="predict_proba",
    skops_trusted_types=["numpy.dtype", "sklearn.tree._tree.Tree"],
)
