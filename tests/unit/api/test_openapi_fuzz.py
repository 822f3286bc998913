"""Schemathesis against /api/openapi.json, in-process over WSGI: no server errors, responses that
match the documented schemas and status codes. Bounded: a fixed number of examples per operation."""

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

EXAMPLES_PER_OPERATION = 15


def test_api_survives_schema_driven_fuzzing(app, demo_models):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app.server)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    checked = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def run(case):
            # A schema cannot say what a readable CSV or Parquet file is: generated files are checked for a
            # named 4xx (never a 5xx) and a documented response, not for being accepted.
            upload = case.operation.path == "/api/datasets" and case.method == "POST"
            # Schemathesis's WSGI transport asks for gzip as requests does but, unlike an HTTP client, never
            # decodes it: the answers are read uncompressed (compression is tested on its own).
            response = case.call_and_validate(
                headers={"Accept-Encoding": "identity"},
                excluded_checks=[positive_data_acceptance] if upload else None,
            )
            assert response.status_code < 500, (case.path, response.status_code)

        run()
        checked.append(operation.label)
    assert any("predict" in label for label in checked)
    assert {"POST /api/datasets", "DELETE /api/datasets/{dataset_id}", "POST /api/jobs/{job_id}/cancel"} <= set(checked)
    monitoring = {"GET drift", "GET evaluations", "POST evaluations", "POST retrain"}
    assert monitoring <= {f"{label.split()[0]} {label.rsplit('/', 1)[-1]}" for label in checked}
