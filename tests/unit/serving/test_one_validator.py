"""One validator behind every door: the same records sent through the form's service call, the REST
predict endpoint, the Predict page's batch CSV and the async jobs API (JSON and CSV) get the same verdict,
field by field, and the rows every door accepts get the same predictions."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from dashboard.serving.batch import score_upload
from model_store import ModelStore, SchemaError
from model_store.validation import check_records
from tests.unit.helpers import wait_for_job

SCHEMA = {
    "fields": [
        {"name": "age", "kind": "numeric", "nullable": False, "integer": False, "min": 0.0, "max": 80.0},
        {"name": "klass", "kind": "categorical", "nullable": False, "categories": ["1", "2", "3"]},
        {"name": "member", "kind": "boolean", "nullable": True},
        {"name": "uid", "kind": "identifier", "nullable": True},
        {"name": "note", "kind": "text", "nullable": True},
    ],
    "example": {"age": 30, "klass": "1", "member": True, "uid": "7", "note": "hello"},
}

# (record, the fields every door must refuse)
CASES = [
    ({"age": 30, "klass": 3, "member": True, "uid": " 15 ", "note": "hi"}, set()),
    ({"age": "31.5", "klass": "3.0", "member": "yes", "uid": 15.0, "note": 42}, set()),
    ({"age": 200, "klass": "2", "member": "no", "uid": "a-1", "note": None}, set()),  # out of range: a warning
    ({"age": "abc", "klass": "1"}, {"age"}),
    ({"age": True, "klass": "1"}, {"age"}),
    ({"age": 1e300, "klass": "1"}, {"age"}),
    ({"age": None, "klass": "1"}, {"age"}),
    ({"age": "  ", "klass": "robot"}, {"age", "klass"}),
    ({"age": 40, "klass": "1", "member": "maybe"}, {"member"}),
    ({"age": 40, "klass": None, "uid": 15.5}, {"klass"}),
]


@pytest.fixture
def api(demo_models, app):
    return app.server.test_client()


@pytest.fixture
def small_model(demo_models, settings):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"age": rng.uniform(0, 80, 200), "klass": rng.choice(["1", "2", "3"], 200)})
    target = (frame["age"] > 40).astype(int)
    prepare = ColumnTransformer(
        [("age", SimpleImputer(), ["age"]), ("klass", OneHotEncoder(handle_unknown="ignore"), ["klass"])]
    )
    pipeline = Pipeline([("prepare", prepare), ("model", LogisticRegression())]).fit(frame, target)
    ModelStore(settings.model_dir).save(
        pipeline, "validator-check", X_sample=frame, y=target, task="binary", schema=SCHEMA
    )
    return "validator-check"


def serving_of(api):
    return api.application.extensions["dashboard"].serving


def _sync_verdicts(api, name):
    """Each record alone through REST, and through the form's call (the same service the callback uses)."""
    rest, form = [], []
    store, serving = api.application.extensions["dashboard"].models, serving_of(api)
    for record, _ in CASES:
        response = api.post(f"/api/models/{name}/predict", json={"instances": [record]})
        assert response.status_code in (200, 400), response.json
        rest.append(_from_sync(response.json if response.status_code == 200 else None, response.json))
        try:
            form.append(_from_sync(serving.predict(store.load(name), [record]), None))
        except SchemaError as exc:
            form.append(_from_sync(None, {"error": {"fields": exc.errors}}))
    return rest, form


def _from_sync(result, error_body):
    if result is not None:
        return set(), result["predictions"][0]
    fields = error_body["error"].get("fields") or {error_body["error"]["field"]: error_body["error"]["message"]}
    return {field.split(".")[-1] for field in fields}, None


def _from_batch(summary_errors, predictions):
    verdicts = []
    for row, prediction in enumerate(predictions, start=1):
        message = summary_errors.get(str(row)) or summary_errors.get(row)
        bad = {part.split(":")[0].strip() for part in message.split("; ")} if message else set()
        verdicts.append((bad, None if bad else prediction))
    return verdicts


def _csv(records) -> bytes:
    return (
        pd.DataFrame.from_records(records, columns=[f["name"] for f in SCHEMA["fields"]]).to_csv(index=False).encode()
    )


def test_every_door_gives_the_same_verdict(api, small_model, settings, tmp_path):
    expected = [bad for _, bad in CASES]
    rest, form = _sync_verdicts(api, small_model)
    assert [bad for bad, _ in rest] == expected
    assert form == rest

    store = api.application.extensions["dashboard"].models
    summary, token = score_upload(
        serving_of(api), store, small_model, None, None, _csv([r for r, _ in CASES]), tmp_path, ttl_seconds=60
    )
    scored = pd.read_csv(tmp_path / f"{token}.csv")
    page = _from_batch(summary["errors"], [None if pd.isna(v) else int(v) for v in scored["prediction"]])

    job = api.post(f"/api/models/{small_model}/jobs", json={"instances": [r for r, _ in CASES]}).json
    record = wait_for_job(api, job["job_id"])
    assert record["status"] == "succeeded", record
    json_job = _from_batch(record["result"]["errors"], record["result"]["predictions"])

    job = api.post(f"/api/models/{small_model}/jobs", data=_csv([r for r, _ in CASES]), content_type="text/csv")
    record = wait_for_job(api, job.json["job_id"])
    csv_job = _from_batch(record["result"]["errors"], record["result"]["predictions"])

    for door in (page, json_job, csv_job):
        assert [bad for bad, _ in door] == expected
        assert [prediction for _, prediction in door] == [prediction for _, prediction in rest]


def test_typed_columns_take_the_same_verdict_as_cell_by_cell(small_model, api, tmp_path):
    """A CSV whose columns parse as numbers takes the vectorised path: same values, same predictions."""
    records = [{"age": 30.0, "klass": 3}, {"age": 200.0, "klass": 1}, {"age": 12.5, "klass": 2}]
    store = api.application.extensions["dashboard"].models
    expected = serving_of(api).predict(store.load(small_model), [{**r, "klass": str(r["klass"])} for r in records])
    summary, token = score_upload(
        serving_of(api), store, small_model, None, None, _csv(records), tmp_path, ttl_seconds=60
    )
    scored = pd.read_csv(tmp_path / f"{token}.csv")
    assert scored["prediction"].tolist() == expected["predictions"] and summary["bad_rows"] == 0
    assert summary["notices"] == ["age: 1 value(s) outside the training range 0 to 80 (rows 2)"]
    assert expected["warnings"] == ["[1].age: 200 is outside the training range 0 to 80"]


def test_identifier_is_stripped_and_category_text_of_a_whole_number_matches():
    frame, warnings = check_records(SCHEMA, [{"age": 1, "klass": "3.0", "uid": " 15 "}, {"age": 2, "klass": 2.0}])
    assert frame["uid"].iloc[0] == "15" and pd.isna(frame["uid"].iloc[1])  # missing as training reads it: NaN
    assert frame["klass"].tolist() == ["3", "2"] and warnings == []
    with pytest.raises(SchemaError) as refused:
        check_records(SCHEMA, [{"age": [1, 2], "klass": {"a": 1}, "uid": [3], "note": True}])
    assert set(refused.value.errors) == {"age", "klass", "uid", "note"}
    assert refused.value.errors["uid"] == "expected an id (text or a number), got [3]"


def test_batch_notices_name_unused_columns(api, small_model, tmp_path):
    store = api.application.extensions["dashboard"].models
    content = b"age,klass,uid,extra\n30,1,7,x\n"
    summary, _ = score_upload(serving_of(api), store, small_model, None, None, content, tmp_path, ttl_seconds=60)
    assert summary["notices"] == [
        "ignored column(s) the model does not use: extra",
        "column(s) not in the file, treated as missing: member, note",
    ]
    with pytest.raises(SchemaError) as missing:
        score_upload(serving_of(api), store, small_model, None, None, b"age\n30\n", tmp_path, ttl_seconds=60)
    assert missing.value.errors == {"columns": "missing required column(s): klass"}


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=5,
)


@given(records=st.lists(st.dictionaries(st.sampled_from(["age", "klass", "member", "uid", "note", "x"]), JSON_VALUES)))
@settings(max_examples=300, deadline=None, database=None)
def test_any_json_records_get_a_verdict_never_a_crash(records):
    try:
        frame, _ = check_records(SCHEMA, records)
    except SchemaError as exc:
        assert exc.errors and all(isinstance(message, str) for message in exc.errors.values())
    else:
        assert len(frame) == len(records) and frame["age"].notna().all()


@pytest.mark.parametrize(
    "values, text",
    [
        (["red", "green", "blue"], False),
        (["a good day to you", "not a bad one at all", "so so but fine now"], True),  # short, many words
        (["x" * 45, "y" * 50, "z" * 41], True),  # long, one word
        (["Braund, Mr. Owen", "Cumings, Mrs. John", "Heikkinen, Miss. Laina"], False),
    ],
)
def test_the_explorer_and_the_model_schema_agree_on_what_is_text(values, text):
    from dashboard.data.profile import infer_kind
    from model_store import infer_schema

    series = pd.Series(values * 10, name="c")
    assert (infer_kind(series) == "text") is text
    assert (infer_schema(series.to_frame())["fields"][0]["kind"] == "text") is text
