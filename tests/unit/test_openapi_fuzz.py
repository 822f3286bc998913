"""Schemathesis against /api/openapi.json, in-process over WSGI: no server errors, responses that
match the documented schemas and status codes. Bounded: a fixed number of examples per operation."""

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402

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
            response = case.call_and_validate()
            assert response.status_code < 500, (case.path, response.status_code)

        run()
        checked.append(operation.label)
    assert any("predict" in label for label in checked)
