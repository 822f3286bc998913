"""The generated OpenAPI document: it covers every route the server has, its limits and security are the
ones the server enforces, and real responses fit the pydantic models it is generated from."""

import io
import re

import pandas as pd
import pytest
from pydantic import TypeAdapter
from werkzeug.security import generate_password_hash

from dashboard import create_app
from dashboard.api import schemas as api_schemas
from dashboard.data.catalog import DatasetInfo
from dashboard.web.users import write_users
from tests.conftest import make_settings
from tests.unit.helpers import TITANIC_ROW, wait_for_job


@pytest.fixture
def api(demo_models, app):
    return app.server.test_client()


def documented_routes(spec) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }


def test_every_api_route_of_the_server_is_documented(api, app):
    spec = api.get("/api/openapi.json").json
    documented = documented_routes(spec)
    models = {m["name"] for m in api.get("/api/models").json["models"]}
    served = set()
    for rule in app.server.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or "<path:" in rule.rule:  # the catch-all 404 is not an endpoint
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            if "{name}/" in path:  # documented once per stored model
                served |= {(method, path.replace("{name}", name)) for name in models}
            else:
                served.add((method, path))
    assert served - documented == set()
    assert documented - served == set()


def test_limits_and_security_are_the_servers(tmp_path, demo_store_template):
    import shutil

    users = tmp_path / "users.json"
    write_users(users, {"ana": {"role": "editor", "password": generate_password_hash("pw-ana-1234")}})
    for overrides, keyed in [
        ({}, set()),
        ({"api_key": "k" * 32}, {"predict", "jobs", "cancel", "upload", "delete"}),
        ({"users_file": users}, "all"),
    ]:
        settings = make_settings(tmp_path / str(len(overrides) + bool(overrides.get("users_file"))), **overrides)
        shutil.copytree(demo_store_template, settings.model_dir)
        spec = create_app(settings).server.test_client().get("/api/openapi.json").json
        predict = spec["paths"]["/api/models/titanic-survival/predict"]["post"]
        instances = predict["requestBody"]["content"]["application/json"]["schema"]["properties"]["instances"]
        assert instances["maxItems"] == settings.max_predict_rows
        operations = {
            "health": spec["paths"]["/api/health"]["get"],
            "datasets": spec["paths"]["/api/datasets"]["get"],
            "predict": predict,
            "jobs": spec["paths"]["/api/models/titanic-survival/jobs"]["post"],
            "cancel": spec["paths"]["/api/jobs/{job_id}/cancel"]["post"],
            "upload": spec["paths"]["/api/datasets"]["post"],
            "delete": spec["paths"]["/api/datasets/{dataset_id}"]["delete"],
        }
        needs_key = {name for name, op in operations.items() if op["security"] == [{"apiKey": []}]}
        assert needs_key == ({n for n in operations if n != "health"} if keyed == "all" else keyed)
        assert all("401" in op["responses"] for name, op in operations.items() if name in needs_key)


def test_real_responses_fit_the_documented_models(api, catalog):
    api_schemas.Health.model_validate(api.get("/api/health").json)
    api_schemas.DatasetList.model_validate(api.get("/api/datasets").json)
    TypeAdapter(DatasetInfo).validate_python(api.get("/api/datasets/titanic").json)
    api_schemas.ModelList.model_validate(api.get("/api/models").json)
    api_schemas.ModelCard.model_validate(api.get("/api/models/titanic-survival").json)
    api_schemas.Prediction.model_validate(api.post("/api/models/titanic-survival/predict", json=TITANIC_ROW).json)
    api_schemas.Error.model_validate(api.get("/api/models/nope").json)
    upload = api.post("/api/datasets", data={"file": (io.BytesIO(b"a,b\n1,2\n3,4\n"), "small.csv")})
    assert upload.status_code == 201
    api_schemas.DatasetCreated.model_validate(upload.json)
    frame = catalog.load("titanic")[["Pclass", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked"]].head(5)
    accepted = api.post("/api/models/titanic-survival/jobs", data=frame.to_csv(index=False), content_type="text/csv")
    api_schemas.JobAccepted.model_validate(accepted.json)
    api_schemas.Job.model_validate(wait_for_job(api, accepted.json["job_id"]))
    result = api.get(f"/api/jobs/{accepted.json['job_id']}/result.csv")
    assert result.mimetype == "text/csv" and len(pd.read_csv(io.BytesIO(result.data))) == 5
