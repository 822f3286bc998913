"""Real tables nobody here wrote, through the public doors, as a new user would push them.

For each table of ``tables.json`` (R datasets exported with their row names, see ``sample.py``): upload the
CSV over REST, open every explorer view, train on the Train page's defaults for a chosen target, save, and
predict its first 5 labelled rows over REST with the values as the file holds them. The answers must equal
the in-process pipeline on the same rows as training read them, exactly. A table may be refused only by a
named error this file expects (``EXPECTED_REFUSALS``); any other exception, a 5xx or a library's own text
in a message fails. Fifteen tables are also uploaded as a European CSV, a TSV, an .xlsx and a Parquet file:
every format must give the same column kinds as the plain CSV and go through the same steps.
"""

from __future__ import annotations

import io
import json
import math
import re

import numpy as np
import pandas as pd
import pytest

from dashboard import create_app
from dashboard.data.columns import infer_task
from dashboard.data.explorer import resolve_view
from dashboard.errors import FieldError
from dashboard.train.spec import CVSpec, TrainSpec
from layouts.train_form import model_options
from tests.conftest import make_settings
from tests.realdata import sample

LISTING = json.loads(sample.LISTING.read_text())
# Tables refused on the Train page's defaults, each by a named error on the field the user must change.
EXPECTED_REFUSALS = {
    # a code list: every column but the target names its row (country, ISO code), so nothing is left to learn
    # from and Train asks for a feature, listing why each column was left out
    "stevedata/eurostat_codes": "features",
}
# What a library's own message looks like: numpy reprs, pandas/scikit-learn phrases, Python internals.
RAW_TEXT = re.compile(
    r"np\.(int|float|str)\d*\(|dtype\(|Traceback|could not convert|Supported target types|Cannot use (median|mean)"
    r"|Input contains|object of type|has no attribute|unhashable|invalid literal|Expected \d+ fields"
)
FORMATS = ("european.csv", "tab.tsv", "book.xlsx", "table.parquet")


@pytest.fixture(autouse=True)
def _reset_dash_pages():
    """One app serves this whole module (Dash's page registry must stay as its ``create_app`` left it)."""
    yield


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app(make_settings(tmp_path_factory.mktemp("gauntlet")))


@pytest.fixture(scope="module")
def services(app):
    return app.server.extensions["dashboard"]


@pytest.fixture(scope="module")
def client(app):
    return app.server.test_client()


def export(frame: pd.DataFrame, form: str) -> tuple[str, bytes]:
    """The file a user would make of ``frame`` (``to_csv(index=False)`` after R's row names became a column)."""
    if form == "csv":
        return "table.csv", frame.to_csv(index=False).encode()
    if form == "european.csv":
        return form, frame.to_csv(index=False, sep=";", decimal=",").encode()
    if form == "tab.tsv":
        return form, frame.to_csv(index=False, sep="\t").encode()
    buffer = io.BytesIO()
    if form == "book.xlsx":
        frame.to_excel(buffer, index=False)
    else:
        frame.to_parquet(buffer, index=False)
    return form, buffer.getvalue()


def upload(client, name: str, content: bytes) -> str:
    answer = client.post(
        "/api/datasets", data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data"
    )
    assert answer.status_code == 201, answer.json
    assert_plain(json.dumps(answer.json["notices"]))
    return answer.json["dataset"]["id"]


def assert_plain(message: str) -> None:
    assert not RAW_TEXT.search(message), f"a library's own text reached the user: {message}"


def explore(services, dataset: str) -> dict[str, str]:
    """Every explorer view on the page's default choices; returns the column kinds."""
    explorer = services.explorer
    summary = explorer.summary(dataset)
    view = resolve_view(summary["profiles"], services.catalog.info(dataset).target, {})
    explorer.distribution(dataset, view["column"], view["split"])
    explorer.correlations(dataset, view["column"])
    if view["x"] and view["y"]:
        explorer.scatter(dataset, view["x"], view["y"], view["color"])
    explorer.rows(dataset, {"startRow": 0, "endRow": 100, "sortModel": [{"colId": view["column"], "sort": "desc"}]})
    explorer.profile_page(dataset, {"startRow": 0, "endRow": 100})
    return explorer.kinds(dataset)


def json_value(value):
    """A cell as a JSON client sends it: missing as null, numbers and text as they are."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def train_save_predict(services, client, dataset: str, target: str, name: str) -> str:
    """Train on the page's defaults, save, predict 5 rows over REST; 'ok' or the refused field."""
    defaults = services.explorer.feature_defaults(dataset, target)
    raw = services.catalog.load(dataset)
    task = infer_task(raw[target].dropna(), services.explorer.kinds(dataset)[target])
    spec = TrainSpec(
        dataset=dataset,
        target=target,
        features=tuple(defaults.features),
        estimator=model_options(task)[0]["value"],
        cv=CVSpec(),
    )
    training = services.training
    try:
        token, result, _ = training.run(spec)
    except FieldError as exc:
        assert_plain(str(exc))
        return exc.field
    for notice in result.notices:
        assert_plain(notice)
    version = training.save(spec, token, name)
    prepared = training.prepare(spec)
    rows = prepared.X.index[:5]
    records = [{c: json_value(raw.at[row, c]) for c in prepared.X.columns} for row in rows]
    answer = client.post(f"/api/models/{name}/predict?version={version.version}", json={"instances": records})
    assert answer.status_code == 200, answer.json
    model = services.models.load(name, version.version).model
    expected_rows = prepared.X.loc[rows]
    if prepared.task == "regression":
        assert answer.json["predictions"] == model.predict(expected_rows).tolist()
    elif "probabilities" in answer.json:
        classes = [str(c) for c in model.classes_]
        served = np.array([[p[c] for c in classes] for p in answer.json["probabilities"]])
        assert np.array_equal(served, model.predict_proba(expected_rows)), "served differs from the trained model"
    else:
        assert answer.json["predictions"] == [json_value(v) for v in model.predict(expected_rows)]
    return "ok"


def model_name(table: str, form: str = "csv") -> str:
    return re.sub(r"[^a-z0-9-]+", "-", f"{table}-{form}".lower()).strip("-")[:60]


@pytest.mark.parametrize("table", LISTING["tables"])
def test_table_end_to_end(table, services, client):
    frame = sample.load(*table.split("/"))
    name, content = export(frame, "csv")
    dataset = upload(client, name, content)
    explore(services, dataset)
    outcome = train_save_predict(services, client, dataset, sample.target_for(table, frame), model_name(table))
    assert outcome == EXPECTED_REFUSALS.get(table, "ok")


@pytest.mark.parametrize("form", FORMATS)
@pytest.mark.parametrize("table", LISTING["variants"])
def test_table_in_every_format(table, form, services, client):
    frame = sample.load(*table.split("/"))
    plain_kinds = explore(services, upload(client, *export(frame, "csv")))
    dataset = upload(client, *export(frame, form))
    kinds = explore(services, dataset)
    assert kinds == plain_kinds, f"{form} reads columns as other kinds than the plain CSV"
    outcome = train_save_predict(services, client, dataset, sample.target_for(table, frame), model_name(table, form))
    assert outcome == EXPECTED_REFUSALS.get(table, "ok")


def test_the_listing_follows_its_rules():
    """tables.json is what sample.py's rules choose (regenerate it with ``python -m tests.realdata.sample``)."""
    assert sample.choose() == LISTING
