"""The OpenAPI description says what the API does: the same routes, and real answers fit it."""

from __future__ import annotations

import re

import jsonschema_rs
import pytest
from jsonschema import Draft202012Validator

from tests.conftest import ALLOWED_ORIGIN

IGNORED_METHODS = {"HEAD", "OPTIONS"}

# The validator the fuzzer judges requests by (Schemathesis's negative checks): its patterns are
# ECMA-262's, where \s is not Python's, so a rule is checked as the fuzzer reads it.
ECMA = jsonschema_rs.Draft202012Validator


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


# --- the description marks what the service refuses, and nothing it accepts ----------------


def described_as_valid(doc: dict, path: str, method: str, query: dict, body) -> bool:
    """Whether the description calls this request valid: its query and its JSON body."""
    operation = doc["paths"][path][method]
    parameters = [*doc["paths"][path].get("parameters", []), *operation.get("parameters", [])]
    for parameter in parameters:
        if parameter["in"] != "query":
            continue
        if parameter["name"] not in query:
            if parameter.get("required"):
                return False
            continue
        value = query[parameter["name"]]
        if parameter["schema"].get("type") == "array" and not isinstance(value, list):
            value = [value]
        if not ECMA(parameter["schema"]).is_valid(value):
            return False
    if body is None:
        return True
    schema = {
        **operation["requestBody"]["content"]["application/json"]["schema"],
        "components": doc["components"],
    }
    return ECMA(schema).is_valid(body)


NEW = {"author": "Bo Ek", "email": "bo@example.se"}
ILLEGAL = {
    "reason": "illegal",
    "explanation": "Hot mot en namngiven person.",
    "name": "Eva Lind",
    "email": "eva@example.se",
    "good_faith": True,
}
# (what, path, method, query, body): each a rule the service keeps whatever is stored, with
# its near miss beside it. The service's verdict (accepted or 422) and the description's agree.
AGREEING = [
    ("a comment", "/api/v1/comments", "post", {}, {"comment": "Hej", **NEW}),
    ("a blank comment", "/api/v1/comments", "post", {}, {"comment": " \t\n", **NEW}),
    ("a blank name", "/api/v1/comments", "post", {}, {"comment": "Hej", **NEW, "author": "  "}),
    ("a website, bare", "/api/v1/comments", "post", {}, {"comment": "Hej", **NEW, "url": "a.se"}),
    (
        "a javascript: website",
        "/api/v1/comments",
        "post",
        {},
        {"comment": "Hej", **NEW, "url": "javascript:alert(1)"},
    ),
    ("parent 0", "/api/v1/comments", "post", {}, {"comment": "Hej", **NEW, "parent": 0}),
    ("parent empty", "/api/v1/comments", "post", {}, {"comment": "Hej", **NEW, "parent": ""}),
    ("a notice of illegal content", "REPORT", "post", {}, ILLEGAL),
    ("a notice without a name", "REPORT", "post", {}, {**ILLEGAL, "name": ""}),
    ("a notice without good faith", "REPORT", "post", {}, {**ILLEGAL, "good_faith": False}),
    ("a flag without a name", "REPORT", "post", {}, {"reason": "spam"}),
    ("counts of one", "/api/v1/counts", "get", {"article": "nyhet-1"}, None),
    ("counts of none", "/api/v1/counts", "get", {}, None),
    ("an unknown language", "/api/v1/counts", "get", {"lang": "de"}, None),
    ("a key with spaces around", "/api/v1/comments", "get", {"article": " nyhet-1 "}, None),
    ("page x", "/api/v1/comments", "get", {"article": "nyhet-1", "page": "x"}, None),
    ("a key with a space in it", "/api/v1/comments", "get", {"article": "nyhet 1"}, None),
    # White space where Python's and the description's (ECMA-262's) \s differ: NEL and the
    # separators U+001C-U+001F are stripped by the service, U+FEFF is not white space to it.
    ("a key with a NEL after it", "/api/v1/comments", "get", {"article": "nyhet-1\x85"}, None),
    ("a key with U+001F around", "/api/v1/comments", "get", {"article": "\x1fnyhet-1"}, None),
    ("a key with U+FEFF before it", "/api/v1/comments", "get", {"article": "\ufeffnyhet-1"}, None),
    ("a comment of a NEL", "/api/v1/comments", "post", {}, {"comment": "\x85", **NEW}),
    ("a comment of U+FEFF", "/api/v1/comments", "post", {}, {"comment": "\ufeff", **NEW}),
]  # fmt: skip


@pytest.mark.parametrize("case", AGREEING, ids=[c[0] for c in AGREEING])
def test_the_description_marks_exactly_what_is_refused(client, article, add_comment, case):
    _what, path, method, query, body = case
    doc = described(client)
    if path == "REPORT":
        path = "/api/v1/comments/{comment_id}/reports"
        url = path.replace("{comment_id}", str(add_comment(article, "Anmäl mig")))
    else:
        url = path
        if body is not None:
            body = {"article": article, **body}
    headers = {"Origin": ALLOWED_ORIGIN}
    if method == "get":
        r = client.get(url, query_string=query, headers=headers)
    else:
        r = client.post(url, json=body, query_string=query, headers=headers)
    assert r.status_code in (200, 201, 422), r.get_json()
    accepted = r.status_code < 400
    assert described_as_valid(doc, path, method, query, body) == accepted, r.get_json()


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/v1/comments", "get"),
        ("/api/v1/comments", "post"),
        ("/api/v1/comments/{comment_id}", "patch"),
        ("/api/v1/counts", "get"),
    ],
)
def test_an_overlong_request_line_is_refused_by_gunicorn_as_described(
    client, database_url, tmp_path, article, path, method
):
    """gunicorn answers before the service: a short HTML 400 (docs/operating.md)."""
    import http.client

    from tests.servers import gunicorn

    responses = described(client)["paths"][path][method]["responses"]
    assert "text/html" in responses["400"]["content"]
    target = path.replace("{comment_id}", "1") + "?article=" + "x" * 5000
    with gunicorn(database_url, tmp_path, workers=1, threads=1) as base:
        connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=10)
        connection.request(method.upper(), target)
        answer = connection.getresponse()
        assert answer.status == 400
        assert answer.getheader("Content-Type", "").startswith("text/html")
        connection.close()
