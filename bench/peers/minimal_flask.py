"""The floor for serving one pipeline over HTTP: Flask, one route, ``predict_proba`` on the posted row
(an object) or rows (a list).
Served by ``gunicorn bench.peers.minimal_flask:app``; the model dir comes from ``BENCH_MODEL_DIR``."""

import os

import pandas as pd
from flask import Flask, jsonify, request

from model_store import ModelStore

model = ModelStore(os.environ["BENCH_MODEL_DIR"]).load("titanic-survival").model
app = Flask(__name__)


@app.post("/predict")
def predict():
    body = request.get_json()
    probabilities = model.predict_proba(pd.DataFrame(body if isinstance(body, list) else [body]))
    return jsonify({"probabilities": probabilities.tolist()})
