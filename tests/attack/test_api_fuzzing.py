"""Property-based fuzzing of the API from its own OpenAPI description (Schemathesis on
Hypothesis): no 5xx, answers as documented, and every refusal in the JSON error envelope.
Over 5,000 generated requests per CI run, with a fixed Hypothesis seed."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402

from tests.conftest import ALLOWED_ORIGIN  # noqa: E402

EXAMPLES_PER_OPERATION = 1000


# Answers as described: status, content type, body and headers; and a request the description
# calls invalid is refused (the description promises no rule the service does not keep: a
# field it marks required, non-empty or of a pattern). Not "schema-valid data is accepted":
# the rules refuse valid-looking data on purpose (a duplicate, a parent that is not in the
# thread, a closed thread, an expired edit token), with the documented 4xx; the rules a
# request alone decides are compared with the description in tests/test_api_openapi.py.
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.negative_data_rejection,
]
OPERATIONS = [
    "GET /api/v1/comments",
    "POST /api/v1/comments",
    "PATCH /api/v1/comments/{comment_id}",
    "DELETE /api/v1/comments/{comment_id}",
    "GET /api/v1/counts",
    "POST /api/v1/comments/{comment_id}/reports",
]
# Routes without any input: one request says all there is to say.
WITHOUT_INPUT = {"GET /api/v1/stamp", "GET /api/v1/openapi.json"}


@pytest.fixture
def api_schema(app, article, add_comment):
    add_comment(article, "Finns redan")
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def test_every_operation_of_the_description_is_fuzzed(api_schema):
    described = {op.ok().label for op in api_schema.get_all_operations()}
    assert described - WITHOUT_INPUT == set(OPERATIONS)
    assert len(OPERATIONS) * EXAMPLES_PER_OPERATION >= 5000


@pytest.mark.attack
@pytest.mark.parametrize("label", OPERATIONS)
def test_the_api_holds_for_generated_requests(api_schema, label):
    operation = next(op.ok() for op in api_schema.get_all_operations() if op.ok().label == label)
    calls = []

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    # Requests as described and requests that break the description, mixed.
    @given(
        case=st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )
    )
    def holds(case):
        # As a host page's script sends them: a foreign Origin is refused before the fields
        # are read, and the fields are what is fuzzed here.
        # Plain bodies: Schemathesis sends requests' default "Accept-Encoding: gzip, deflate,
        # br" but reads a WSGI answer undecoded (compression is checked in test_wheel.py).
        case.headers = {
            **(case.headers or {}),
            "Origin": ALLOWED_ORIGIN,
            "Accept-Encoding": "identity",
        }
        response = case.call()
        calls.append(response.status_code)
        assert response.status_code < 500, (response.status_code, response.text[:500])
        if response.status_code >= 400:
            body = response.json()
            assert {"error", "message"} <= body.keys(), body
        case.validate_response(response, checks=CHECKS)

    holds()
    assert len(calls) >= EXAMPLES_PER_OPERATION * 0.8, f"only {len(calls)} requests"
