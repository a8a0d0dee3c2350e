"""Every surface shows the limits the forms declare (forms/comment.py, forms/report.py), and
the rules behind them hold at the edge: the most characters is taken, one more is refused.

The expected numbers are read from the forms' validators, never written here: a template, the
JSON thread, OpenAPI or a service that writes a number of its own fails below when it differs.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from commentsvc.forms.comment import CommentForm, EditForm, declared_limits
from commentsvc.forms.desk import ModeratorEditForm
from commentsvc.forms.report import ReportForm
from tests.conftest import ALLOWED_ORIGIN
from tests.moderation.conftest import PASSWORD, ModeratorClient

HOST = {"Origin": ALLOWED_ORIGIN}
COMMENT = declared_limits(CommentForm)
EDIT = declared_limits(EditForm)
STAFF = declared_limits(ModeratorEditForm)
REPORT = declared_limits(ReportForm)


class Fields(HTMLParser):
    """The attributes of each input and textarea of a page, by the field's id."""

    def __init__(self, html: str):
        super().__init__()
        self.by_id: dict[str, dict[str, str | None]] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("input", "textarea") and attributes.get("id"):
            self.by_id[attributes["id"]] = attributes


def shown_limits(html: str, ids: dict[str, str]) -> dict[str, dict]:
    """``{field: {"max": maxlength, "required": bool}}`` as the page's HTML has them."""
    fields = Fields(html).by_id
    shown = {}
    for name, element_id in ids.items():
        assert element_id in fields, f"no field #{element_id} on the page"
        attributes = fields[element_id]
        maxlength = attributes.get("maxlength")
        shown[name] = {
            "max": int(maxlength) if maxlength is not None else None,
            "required": "required" in attributes,
        }
    return shown


def text_of(length: int, mark: str = "") -> str:
    """A text of exactly ``length`` characters, different for each ``mark`` (no duplicates)."""
    return (mark + "x" * length)[:length]


def value_of(field: str, length: int, mark: str = "") -> str:
    """A valid value of exactly ``length`` characters for the comment form's ``field``."""
    if field == "email":
        domain = "@example.se"
        return text_of(length - len(domain), mark or "a") + domain
    if field == "url":
        start = "https://www.example.se/"
        return start + text_of(length - len(start), mark or "a")
    return text_of(length, mark or "T")


# --- what the pages show -----------------------------------------------------------------------
FORM_IDS = {"comment": "comment", "author": "author", "email": "email", "url": "url"}


@pytest.mark.parametrize("path", ["/thread", "/embed"])
def test_the_reader_pages_show_the_forms_limits(client, article, path):
    page = client.get(path, query_string={"article": article})
    assert page.status_code == 200
    assert shown_limits(page.get_data(as_text=True), FORM_IDS) == COMMENT


def test_the_authors_edit_box_shows_the_forms_limit(client, reader, article):
    assert reader.post(article, comment="Min egen kommentar").status_code == 303
    from commentsvc.extensions import db
    from commentsvc.models.threads import Comment

    with client.application.app_context():
        own = db.session.query(Comment.id).scalar()
    page = client.get("/thread", query_string={"article": article, "edit": own})
    html = page.get_data(as_text=True)
    assert shown_limits(html, {"comment": f"edit-{own}"}) == EDIT


@pytest.fixture
def mod(app, add_comment) -> ModeratorClient:
    from commentsvc.extensions import db
    from commentsvc.moderation import accounts

    with app.app_context():
        accounts.create_moderator("moa", PASSWORD, role="moderator")
        db.session.commit()
    client = ModeratorClient(app.test_client())
    assert client.login("moa").status_code == 303
    return client


def test_the_moderators_edit_and_reply_boxes_show_the_forms_limit(mod, article, add_comment):
    comment_id = add_comment(article, "Granska mig")
    html = mod.get(f"/moderation/comments/{comment_id}").get_data(as_text=True)
    assert shown_limits(html, {"text": "edit-text"}) == STAFF
    assert shown_limits(html, {"text": "reply-text"}) == STAFF


def test_the_report_page_shows_the_report_forms_limits(client, article, add_comment):
    comment_id = add_comment(article, "Anmäl mig")
    page = client.get(f"/comments/{comment_id}/report")
    assert page.status_code == 200
    ids = {"explanation": "explanation", "name": "name", "email": "email"}
    assert shown_limits(page.get_data(as_text=True), ids) == REPORT


# --- what the script embed and API clients read -----------------------------------------------
def test_the_json_thread_carries_the_forms_limits_for_the_script_embed(client, article):
    body = client.get("/api/v1/comments", query_string={"article": article}).get_json()
    assert body["form"]["limits"] == COMMENT


def test_openapi_describes_the_forms_limits(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]

    def described(properties: dict, limits: dict) -> dict:
        return {
            name: {
                "max": properties[name].get("maxLength"),
                "required": properties[name].get("minLength") == 1,
            }
            for name in limits
        }

    new_comment = schemas["NewComment"]
    assert described(new_comment["properties"], COMMENT) == COMMENT
    required = {name for name, limit in COMMENT.items() if limit["required"]}
    assert set(new_comment["required"]) == required | {"article"}
    patch = spec["paths"]["/api/v1/comments/{comment_id}"]["patch"]
    body = patch["requestBody"]["content"]["application/json"]["schema"]
    assert described(body["properties"], EDIT) == EDIT
    assert described(schemas["NewReport"]["properties"], REPORT) == {
        # No report field is required alone: a notice of illegal content asks for all three.
        name: {**limit, "required": False}
        for name, limit in REPORT.items()
    }


# --- the limits hold: the most is taken, one more is refused ----------------------------------
def new_comment(key: str, mark: str, **fields) -> dict:
    return {
        "article": key,
        "comment": f"Kommentar {mark}",
        "author": "Anna Lindqvist",
        "email": "anna@example.se",
        **fields,
    }


@pytest.mark.parametrize("field", list(COMMENT))
def test_the_api_takes_the_most_characters_and_refuses_one_more(client, article, field):
    most = COMMENT[field]["max"]
    taken = client.post(
        "/api/v1/comments",
        json=new_comment(article, "a", **{field: value_of(field, most, "a")}),
        headers=HOST,
    )
    assert taken.status_code == 201, taken.get_json()
    refused = client.post(
        "/api/v1/comments",
        json=new_comment(article, "b", **{field: value_of(field, most + 1, "b")}),
        headers=HOST,
    )
    assert refused.status_code == 422
    assert f"{most + 1}" in " ".join(refused.get_json()["errors"][field])


@pytest.mark.parametrize("field", list(COMMENT))
def test_the_form_takes_the_most_characters_and_refuses_one_more(reader, article, field):
    most = COMMENT[field]["max"]
    taken = reader.post(article, **new_comment(article, "a", **{field: value_of(field, most)}))
    assert taken.status_code == 303
    refused = reader.post(
        article, **new_comment(article, "b", **{field: value_of(field, most + 1, "b")})
    )
    assert refused.status_code == 422
    assert f"{most + 1}" in refused.get_data(as_text=True)


def test_the_authors_edit_takes_the_most_characters_and_refuses_one_more(client, article):
    posted = client.post("/api/v1/comments", json=new_comment(article, "e"), headers=HOST)
    comment_id, token = posted.get_json()["comment"]["id"], posted.get_json()["edit_token"]
    most = EDIT["comment"]["max"]
    headers = {**HOST, "X-Edit-Token": token}
    path = f"/api/v1/comments/{comment_id}"
    refused = client.patch(path, json={"comment": text_of(most + 1, "b")}, headers=headers)
    assert refused.status_code == 422
    taken = client.patch(path, json={"comment": text_of(most, "a")}, headers=headers)
    assert taken.status_code == 200
    assert len(taken.get_json()["comment"]["text"]) == most


@pytest.mark.parametrize("action", ["edit", "reply"])
def test_a_moderators_text_takes_the_most_characters_and_refuses_one_more(
    app, mod, article, add_comment, action
):
    from commentsvc.extensions import db
    from commentsvc.models.threads import Comment

    comment_id = add_comment(article, "Granska mig")
    most = STAFF["text"]["max"]
    path = f"/moderation/comments/{comment_id}/{action}"
    refused = mod.post(path, {"text": text_of(most + 1, "b")})
    assert refused.status_code == 422
    assert f"{most + 1}" in refused.get_data(as_text=True)
    assert mod.post(path, {"text": text_of(most, "a")}).status_code == 303
    with app.app_context():
        texts = db.session.query(Comment.text).all()
    assert text_of(most, "a") in {text for (text,) in texts}
    assert text_of(most + 1, "b") not in {text for (text,) in texts}


def test_the_moderation_service_refuses_more_than_the_forms_limit(app, article, add_comment):
    """Callers without the form (a command, an import) meet the same limit."""
    from commentsvc import moderation
    from commentsvc.errors import DomainError
    from commentsvc.models.base import utcnow

    comment_id = add_comment(article, "Granska mig")
    most = STAFF["text"]["max"]
    with app.app_context():
        with pytest.raises(DomainError) as refused:
            moderation.edit(comment_id, text_of(most + 1), by="moa", now=utcnow())
        assert f"{most + 1}" in str(refused.value.message)
        with pytest.raises(DomainError):
            moderation.reply_as_staff(
                comment_id, text_of(most + 1), by="moa", author="Red.", email="", now=utcnow()
            )
        assert moderation.edit(comment_id, text_of(most), by="moa", now=utcnow()).text
