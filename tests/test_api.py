"""The JSON API v1: reading a thread, posting, counts, and every kind of bad input."""

from __future__ import annotations

import json

import pytest

from commentsvc.extensions import db
from commentsvc.models.threads import Article, Comment
from tests.conftest import ALLOWED_ORIGIN

HOST = {"Origin": ALLOWED_ORIGIN}


def new_comment(key: str, **fields) -> dict:
    return {
        "article": key,
        "comment": "Ett bra initiativ!",
        "author": "Anna Lindqvist",
        "email": "anna@example.se",
        "ts": "",
        "hp": "",
        **fields,
    }


def post(client, body, *, headers=HOST, **kwargs):
    return client.post("/api/v1/comments", json=body, headers=headers, **kwargs)


def stored(app) -> list[tuple]:
    """Everything a write could change, to prove that a refused request changed nothing."""
    with app.app_context():
        threads = db.session.execute(
            db.select(Comment.id, Comment.status, Comment.text, Comment.edited_at)
        ).all()
        articles = db.session.execute(db.select(Article.key)).all()
        return sorted(threads) + sorted(articles)


def test_thread_lists_approved_comments_nested_without_emails(client, article, add_comment):
    first = add_comment(article, "Första!", email="first@example.se", website="https://a.se")
    add_comment(article, "Svar", parent=first, email="reply@example.se")
    add_comment(article, "Väntar", approve=False, author="Ny", email="new@example.se")
    r = client.get("/api/v1/comments", query_string={"article": article})
    assert r.status_code == 200
    body = r.get_json()
    assert body["article"] == {
        "key": article,
        "site": "default",
        "title": "SOI Mitt startar i Svealand",
        "url": "https://www.example.se/nyheter/soi-mitt",
        "closed": False,
    }
    assert body["count"] == 2
    assert body["heading"] == "2 kommentarer till ”SOI Mitt startar i Svealand”"
    [top] = body["comments"]
    assert top["html"] == "<p>Första!</p>"
    assert top["website"] == "https://a.se"
    # Relative without PUBLIC_URL (tests, development): never built from the Host header.
    assert top["avatar"].startswith("/avatar/")
    assert top["pending"] is False
    assert [r["html"] for r in top["replies"]] == ["<p>Svar</p>"]
    assert top["replies"][0]["parent"] == first and top["replies"][0]["depth"] == 2
    assert "@" not in r.get_data(as_text=True)
    assert set(top) == {
        "id", "parent", "depth", "author", "website", "avatar", "html", "created",
        "created_text", "edited", "pending", "removed", "can_reply", "can_report", "replies",
        "more_replies", "replies_cursor",
    }  # fmt: skip


def test_thread_gives_the_edit_window_and_the_privacy_notice_and_a_stamp_comes_apart(
    client, article
):
    body = client.get("/api/v1/comments", query_string={"article": article}).get_json()
    # The time-trap's stamp is not in the thread (a CDN would give everyone the same old one).
    assert body["form"]["edit_window_minutes"] == 15
    assert set(body["form"]) == {"edit_window_minutes", "limits"}  # limits: tests/test_limits.py
    stamp = client.get("/api/v1/stamp")
    assert stamp.get_json()["ts"]
    assert stamp.headers["Cache-Control"] == "no-store"
    assert body["privacy"] == {"text": "Så behandlar vi dina personuppgifter", "url": None}


@pytest.mark.parametrize(
    "config_overrides",
    [{"PRIVACY_NOTICE": "Läs om GDPR", "PRIVACY_URL": "https://www.example.se/gdpr"}],
)
def test_thread_shows_the_site_owners_privacy_notice(client, article):
    body = client.get("/api/v1/comments", query_string={"article": article}).get_json()
    assert body["privacy"] == {"text": "Läs om GDPR", "url": "https://www.example.se/gdpr"}


def test_texts_follow_the_readers_language(client, article):
    sv = client.get("/api/v1/comments", query_string={"article": article, "texts": 1})
    en = client.get("/api/v1/comments", query_string={"article": article, "texts": 1, "lang": "en"})
    assert sv.get_json()["texts"]["leave_reply"] == "Lämna ett svar"
    assert sv.get_json()["texts"]["pending"] == "Din kommentar väntar på granskning."
    assert en.get_json()["texts"]["leave_reply"] == "Leave a reply"


def test_thread_is_created_on_first_use_only_from_an_allowed_origin(client):
    query = {"article": "ny-artikel", "title": "Ny artikel"}
    stranger = client.get(
        "/api/v1/comments", query_string=query, headers={"Origin": "https://evil.example"}
    )
    assert stranger.status_code == 404
    assert stranger.get_json()["error"] == "article_not_found"
    host = client.get("/api/v1/comments", query_string=query, headers=HOST)
    assert host.status_code == 200
    assert host.get_json()["article"]["title"] == "Ny artikel"


def test_post_publishes_or_holds_and_returns_an_edit_token(client, article, add_comment):
    r = post(client, new_comment(article))
    assert r.status_code == 201
    body = r.get_json()
    assert body["pending"] is True  # first-time author
    assert body["comment"]["html"] == "<p>Ett bra initiativ!</p>"
    assert body["edit_token"] and body["edit_until"]
    assert "anna@example.se" not in r.get_data(as_text=True)
    # Others do not see it; its author does, with the token.
    thread = client.get("/api/v1/comments", query_string={"article": article}).get_json()
    assert thread["comments"] == []
    own = client.get(
        "/api/v1/comments",
        query_string={"article": article},
        headers={"X-Own-Comments": body["edit_token"]},
    ).get_json()
    assert [c["pending"] for c in own["comments"]] == [True]


def test_post_reply(client, article, add_comment):
    parent = add_comment(article, "Första!")
    r = post(client, new_comment(article, parent=parent, comment="Svar"))
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["comment"]["parent"] == parent
    assert r.get_json()["pending"] is False  # Anna has an approved comment already


def test_post_with_empty_fields_answers_every_message_in_swedish_and_english(client, article):
    before = None
    r = post(client, new_comment(article, comment=" ", author="", email=""))
    assert r.status_code == 422
    assert r.get_json()["errors"] == {
        "comment": ["Skriv en kommentar."],
        "author": ["Ange ditt namn."],
        "email": ["Ange din e-postadress. Den publiceras inte."],
    }
    en = post(client, new_comment(article, comment="", author="A", email="x"),
              query_string={"lang": "en"})  # fmt: skip
    assert en.get_json()["errors"]["comment"] == ["Write a comment."]
    assert en.get_json()["errors"]["email"] == ["Enter an email address like namn@exempel.se."]
    assert before is None


def test_unknown_fields_are_ignored(client, article):
    r = post(client, new_comment(article, status="approved", email_public=True, id=99))
    assert r.status_code == 201
    assert r.get_json()["pending"] is True
    assert r.get_json()["comment"]["id"] != 99


BAD_BODIES = [
    ("malformed JSON", b'{"comment": "Hej', "application/json", 422, "body", "inte giltig JSON"),
    ("an array", b'[{"comment": "Hej"}]', "application/json", 422, "body", "JSON-objekt"),
    ("a string", b'"Hej"', "application/json", 422, "body", "JSON-objekt"),
    ("form-encoded", b"comment=Hej&author=A", "application/x-www-form-urlencoded", 415, None,
     "Content-Type: application/json"),
    ("plain text", b'{"comment": "Hej"}', "text/plain", 415, None, "application/json"),
    ("deeply nested", b"[" * 30000 + b"]" * 30000, "application/json", 422, "body",
     "inte giltig JSON"),
    ("not UTF-8", b'{"comment": "\xff"}', "application/json", 422, "body", "inte giltig JSON"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "data", "content_type", "status", "field", "words"),
    BAD_BODIES,
    ids=[c[0] for c in BAD_BODIES],
)
def test_bad_bodies_get_a_clear_json_error_and_store_nothing(
    app, client, article, case, data, content_type, status, field, words
):
    before = stored(app)
    r = client.post("/api/v1/comments", data=data, content_type=content_type, headers=HOST)
    assert r.status_code == status
    assert r.is_json
    body = r.get_json()
    message = body["errors"][field][0] if field else body["message"]
    assert words in message
    assert stored(app) == before


WRONG_TYPES = [
    ("author", 42, "Skicka fältet som text."),
    ("comment", ["Hej", "då"], "Skicka fältet som text."),
    ("email", {"a": 1}, "Skicka fältet som text."),
    ("remember", "ja", "Skicka true eller false."),
    ("parent", [1], "Kommentaren du svarar på är ogiltig. Ladda om sidan."),
    ("parent", "abc", "Kommentaren du svarar på är ogiltig. Ladda om sidan."),
]


@pytest.mark.parametrize(("field", "value", "message"), WRONG_TYPES)
def test_fields_of_the_wrong_type_are_field_errors(app, client, article, field, value, message):
    before = stored(app)
    r = post(client, new_comment(article, **{field: value}))
    assert r.status_code == 422
    assert r.get_json()["errors"][field] == [message]
    assert stored(app) == before


@pytest.mark.parametrize(
    "key", ["a" * 201, "nyhet\x00ett", "nyhet\nett", "nyhet ett", ""], ids=repr
)
def test_bad_article_keys_are_refused_everywhere(app, client, key):
    before = stored(app)
    message = "Artikelns nyckel ska vara 1–200 tecken utan mellanslag eller styrtecken."
    read = client.get("/api/v1/comments", query_string={"article": key}, headers=HOST)
    assert read.status_code == 422 and read.get_json()["errors"]["article"] == [message]
    counts = client.get("/api/v1/counts", query_string={"article": key})
    assert counts.status_code == 422 and counts.get_json()["errors"]["article"] == [message]
    written = post(client, new_comment(key))
    assert written.status_code == 422
    assert written.get_json()["errors"]["article"]
    assert stored(app) == before


def test_post_to_an_unknown_article_is_404(client):
    r = post(client, new_comment("finns-inte"))
    assert r.status_code == 404
    assert r.get_json()["error"] == "article_not_found"


def test_post_to_a_closed_thread_is_refused(app, client):
    from commentsvc import threads

    with app.app_context():
        threads.create_article("stangd", title="Stängd", closed=True)
        db.session.commit()
    r = post(client, new_comment("stangd"))
    assert r.status_code == 403
    assert r.get_json()["message"] == "Kommentarer är stängda."


def test_counts_for_many_articles_in_one_query(app, client, article, add_comment, count_queries):
    from commentsvc import threads

    with app.app_context():
        threads.create_article("nyhet-2", title="Två")
        db.session.commit()
    add_comment(article, "Ett")
    add_comment(article, "Två")
    add_comment(article, "Väntar", approve=False, author="Ny", email="ny@example.se")
    add_comment("nyhet-2", "Tre")
    keys = [article, "nyhet-2", "saknas"] + [f"k{i}" for i in range(97)]
    with count_queries() as q:
        r = client.get("/api/v1/counts", query_string={"article": keys})
    assert r.status_code == 200
    counts = r.get_json()["counts"]
    assert counts[article] == 2 and counts["nyhet-2"] == 1 and counts["saknas"] == 0
    assert len(counts) == 100
    assert q.count == 1, q.statements


def test_counts_refuses_more_than_100_keys(client):
    r = client.get("/api/v1/counts", query_string={"article": [f"k{i}" for i in range(101)]})
    assert r.status_code == 422
    assert r.get_json()["errors"]["article"] == [
        "Fråga efter högst 100 artiklar åt gången; den här frågan gällde 101."
    ]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/v1/finns-inte", 404),
        ("PUT", "/api/v1/comments", 405),
        ("GET", "/api/v1/comments/1", 405),
        ("DELETE", "/api/v1/comments/abc", 404),
    ],
)
def test_every_api_error_is_json(client, method, path, status):
    r = client.open(path, method=method, headers=HOST)
    assert r.status_code == status
    assert r.is_json
    assert set(r.get_json()) >= {"error", "message"}


def test_a_crash_is_a_json_500(app, client, article, monkeypatch):
    from commentsvc import threads

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(threads, "load_thread", broken)
    r = client.get("/api/v1/comments", query_string={"article": article})
    assert r.status_code == 500
    assert r.get_json() == {
        "error": "internal_error",
        "message": "Något gick fel hos oss. Försök igen om en stund.",
    }


def test_too_large_body_is_refused(app, client, article):
    before = stored(app)
    r = client.post(
        "/api/v1/comments",
        data=json.dumps(new_comment(article, comment="x" * 70000)),
        content_type="application/json",
        headers=HOST,
    )
    assert r.status_code == 413 and r.is_json
    assert stored(app) == before


def test_too_large_body_without_a_length_is_refused(app, client, article):
    import io

    before = stored(app)
    body = json.dumps(new_comment(article, comment="x" * 70000)).encode()
    r = client.post(
        "/api/v1/comments",
        input_stream=io.BytesIO(body),
        content_type="application/json",
        headers={**HOST, "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    # The stream is cut off at the limit: what was read is not a whole JSON object.
    assert r.status_code in (413, 422) and r.is_json
    assert r.get_json()["message"]
    assert stored(app) == before


def test_nul_characters_are_dropped_not_a_500(app, client, reader, article):
    r = post(client, new_comment(article, comment="a\x00b", author="Eva\x00"))
    assert r.status_code == 201
    assert r.get_json()["comment"]["html"] == "<p>ab</p>"
    assert r.get_json()["comment"]["author"] == "Eva"
    assert reader.post(article, comment="c\x00d").status_code == 303


def test_nul_characters_in_a_new_articles_title_are_dropped(client):
    r = client.get(
        "/api/v1/comments",
        query_string={"article": "ny", "title": "Ny\x00 titel", "url": f"{ALLOWED_ORIGIN}/\x00"},
        headers=HOST,
    )
    assert r.status_code == 200
    assert r.get_json()["article"]["title"] == "Ny titel"


@pytest.mark.parametrize("parent", ["99999999999999", "²", "1.5", "-1"])
def test_impossible_parent_ids_are_field_errors(app, client, article, parent):
    before = stored(app)
    r = post(client, new_comment(article, parent=parent))
    assert r.status_code == 422
    assert r.get_json()["errors"]["parent"]
    assert stored(app) == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PATCH", "/api/v1/comments/99999999999999"),
        ("DELETE", "/api/v1/comments/99999999999999"),
        ("POST", "/embed/comments/99999999999999/delete"),
        ("POST", "/comments/99999999999999/edit"),
    ],
)
def test_impossible_comment_ids_are_refused(client, method, path):
    r = client.open(
        path, method=method, json={"comment": "x"}, headers={"Origin": "http://localhost"}
    )
    # Not found, or (the plain page) its CSRF check answering first; never a 500.
    assert r.status_code in (400, 404, 405)


@pytest.mark.parametrize("value", ["99999999999999", "²"])
def test_impossible_query_numbers_are_ignored(client, article, value):
    assert client.get(f"/embed?article={article}&replytocom={value}").status_code == 200
    assert client.get(f"/thread?article={article}&page={value}").status_code == 200
    assert client.get(f"/api/v1/comments?article={article}&page={value}").status_code == 200


def test_a_removed_comment_keeps_its_place_in_the_json_without_its_author_or_text(
    client, app, article, add_comment
):
    from commentsvc import moderation
    from commentsvc.models.base import utcnow

    parent = add_comment(article, "Borttagen text", author="Borttagen Person")
    reply = add_comment(
        article, "Svaret finns kvar", author="Erik", email="erik@example.se", parent=parent
    )
    with app.app_context():
        moderation.trash(parent, by="test", now=utcnow())
        db.session.commit()
    response = client.get(f"/api/v1/comments?article={article}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Borttagen" not in body and "anna@example.se" not in body
    [removed] = response.get_json()["comments"]
    assert removed["removed"] is True and removed["id"] == parent and "author" not in removed
    assert [r["id"] for r in removed["replies"]] == [reply]
    assert removed["replies"][0]["removed"] is False
