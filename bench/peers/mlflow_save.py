"""Run by the MLflow venv's Python: save the benchmark's pipeline as an MLflow model that answers
``predict_proba`` (the same work our endpoint does). argv: the pipeline as a skops file written by the
bench from our model store, and the MLflow model path. Nothing is unpickled: the file is loaded by skops,
and only if every type in it beyond skops' defaults is one of the two a forest needs."""

import sys

import mlflow.sklearn
import skops.io as sio

FOREST_TYPES = ["numpy.dtype", "sklearn.tree._tree.Tree"]  # as our store's allow-list names them

untrusted = sio.get_untrusted_types(file=sys.argv[1])
unexpected = sorted(set(untrusted) - set(FOREST_TYPES))
if unexpected:
    sys.exit(f"refusing to load types the bench does not expect: {unexpected}")
pipeline = sio.load(sys.argv[1], trusted=untrusted)
mlflow.sklearn.save_model(pipeline, sys.argv[2], pyfunc_predict_fn="predict_proba", skops_trusted_types=FOREST_TYPES)
