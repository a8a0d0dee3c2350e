"""The OpenAPI description says what the API does: the same routes, and real answers fit it."""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator

from tests.conftest import ALLOWED_ORIGIN

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def described(client) -> dict:
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    return r.get_json()


def test_description_and_routes_agree(app, client):
    doc = described(client)
    routes = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule)
            routes.setdefault(path, set()).update(m.lower() for m in rule.methods)
    routes = {p: m - {x.lower() for x in IGNORED_METHODS} for p, m in routes.items()}
    paths = {
        p: {m for m in item if m in {"get", "post", "patch", "delete", "put"}}
        for p, item in doc["paths"].items()
    }
    assert paths == routes


def test_description_is_openapi_3_1(client):
    doc = described(client)
    assert doc["openapi"].startswith("3.1")
    assert doc["servers"] == [{"url": "/"}]  # PUBLIC_URL when set; never the Host header


def fits(doc: dict, schema_name: str, body) -> None:
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": doc["components"]}
    errors = list(Draft202012Validator(schema).iter_errors(body))
    assert not errors, [e.message for e in errors]


def test_real_answers_fit_their_schemas(client, article, add_comment):
    doc = described(client)
    parent = add_comment(article, "Första!", website="https://a.se")
    add_comment(article, "Svar", parent=parent)
    thread = client.get("/api/v1/comments", query_string={"article": article, "texts": 1})
    fits(doc, "Thread", thread.get_json())
    created = client.post(
        "/api/v1/comments",
        json={"article": article, "comment": "Hej", "author": "Bo", "email": "bo@example.se"},
        headers={"Origin": ALLOWED_ORIGIN},
    )
    assert created.status_code == 201
    fits(doc, "Created", created.get_json())
    invalid = client.post(
        "/api/v1/comments", json={"article": article}, headers={"Origin": ALLOWED_ORIGIN}
    )
    fits(doc, "Error", invalid.get_json())


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("get", "/api/v1/comments", {"query_string": {"article": "nyhet-1"}}, 200),
        ("get", "/api/v1/comments", {"query_string": {"article": "saknas"}}, 404),
        ("post", "/api/v1/comments", {"json": {}}, 422),
        ("post", "/api/v1/comments", {"data": "x"}, 415),
        ("patch", "/api/v1/comments/{comment_id}", {"json": {"comment": "x"}}, 403),
        ("delete", "/api/v1/comments/{comment_id}", {}, 403),
        ("get", "/api/v1/counts", {"query_string": {"article": "nyhet-1"}}, 200),
    ],
)
def test_every_status_answered_is_described(client, article, method, path, kwargs, status):
    doc = described(client)
    r = getattr(client, method)(path.replace("{comment_id}", "1"), **kwargs)
    assert r.status_code == status
    assert str(status) in doc["paths"][path][method]["responses"]
