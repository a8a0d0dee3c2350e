"""Every web address we store or show is http(s), capped, without control characters, and
goes through one rule (weburls.py): the website field on the form, the API and the iframe, an
article's address from the query, the command line and imports, and every place that shows one.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from commentsvc.extensions import db
from commentsvc.models.threads import Article, Comment
from tests.conftest import ALLOWED_ORIGIN
from tests.moderation.conftest import PASSWORD, ModeratorClient

SERVICE = "http://localhost"
SWEDISH = "Ange en webbadress som börjar med http:// eller https://."
CONTROL = "Webbadressen får inte innehålla mellanslag eller styrtecken."

# Each of these was stored or crashed the service (500) before.
BAD_WEBSITES = [
    ("javascript:alert(document.domain)", SWEDISH),
    ("JaVaScRiPt:alert(1)", SWEDISH),
    ("data:text/html,<script>alert(1)</script>", SWEDISH),
    ("vbscript:msgbox(1)", SWEDISH),
    ("http://[broken", SWEDISH),
    ("x]", SWEDISH),
    ("https://a.example:port/", SWEDISH),
    ("http:\\\\evil.example", SWEDISH),
    ("https://a.example/\x01", CONTROL),
    ("https://a.example/\x7f", CONTROL),
    ("https://a.example/\u0085x", CONTROL),
    ("https://a.example/a b", CONTROL),
    ("https://a.example/" + "a" * 190, "Webbadressen får vara högst 200 tecken"),
]
# Near misses beside them: what a reader really types, and how it is stored.
GOOD_WEBSITES = [
    ("a.example/sida", "https://a.example/sida"),
    ("http://a.example/x]", "http://a.example/x]"),
    ("https://[2001:db8::1]/", "https://[2001:db8::1]/"),
    ("https://bäckö.example/", "https://bäckö.example/"),
    ("https://a.example/" + "a" * 182, "https://a.example/" + "a" * 182),
]


def websites(app) -> list[str]:
    with app.app_context():
        return list(db.session.execute(select(Comment.website)).scalars())


def api_post(client, key, **fields):
    body = {"article": key, "comment": "Hej!", "author": "Anna", "email": "anna@example.se"}
    return client.post(
        "/api/v1/comments", json={**body, **fields}, headers={"Origin": ALLOWED_ORIGIN}
    )


def frame_post(client, key, **fields):
    form = {"article": key, "comment": "Hej!", "author": "Anna", "email": "anna@example.se"}
    return client.post("/embed/comments", data={**form, **fields}, headers={"Origin": SERVICE})


@pytest.mark.parametrize(("website", "message"), BAD_WEBSITES)
def test_a_bad_website_is_a_field_error_on_the_form_the_api_and_the_iframe(
    app, client, reader, article, website, message
):
    r = reader.post(article, url=website, comment="Min text finns kvar")
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert message in page
    assert "Min text finns kvar" in page  # what the reader typed is kept

    r = api_post(client, article, url=website)
    assert r.status_code == 422
    assert message in r.get_json()["errors"]["url"][0]

    r = frame_post(client, article, url=website)
    assert r.status_code == 422
    assert message in r.get_data(as_text=True)
    assert websites(app) == []


def test_the_message_is_in_english_when_asked(client, article):
    r = api_post(client, article, url="http://[broken")
    assert r.status_code == 422
    r = client.post(
        "/api/v1/comments?lang=en",
        json={
            "article": article,
            "comment": "Hi",
            "author": "A",
            "email": "a@example.se",
            "url": "javascript:alert(1)",
        },
        headers={"Origin": ALLOWED_ORIGIN},
    )
    assert r.get_json()["errors"]["url"] == [
        "Enter a web address that starts with http:// or https://."
    ]


@pytest.mark.parametrize(("website", "stored"), GOOD_WEBSITES)
def test_real_websites_are_taken_as_typed(app, client, article, website, stored):
    r = api_post(client, article, url=website)
    assert r.status_code == 201, r.get_json()
    assert websites(app) == [stored]
    assert r.get_json()["comment"]["website"] == stored


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "http://[broken",
        "x]",
        f"{ALLOWED_ORIGIN}/\x01x",
        f"{ALLOWED_ORIGIN}/" + "a" * 500,
    ],
)
@pytest.mark.parametrize("path", ["/thread", "/embed", "/api/v1/comments"])
def test_a_new_thread_with_a_bad_address_is_refused_and_not_created(app, client, path, url):
    r = client.get(
        path,
        query_string={"article": "ny-4711", "title": "Ny", "url": url},
        headers={"Origin": ALLOWED_ORIGIN},
    )
    assert r.status_code == 422
    if path.startswith("/api/"):
        assert r.get_json()["errors"]["url"]
    else:
        assert "webbadress" in r.get_data(as_text=True).lower()
    with app.app_context():
        assert db.session.execute(select(func.count(Article.id))).scalar_one() == 0


def test_the_command_line_refuses_a_bad_article_address(app, runner):
    result = runner.invoke(
        args=["create-article", "k1", "--title", "T", "--url", "javascript:alert(1)"]
    )
    assert result.exit_code != 0
    assert "http://" in result.output
    ok = runner.invoke(args=["create-article", "k1", "--title", "T", "--url", "https://a.se/1"])
    assert ok.exit_code == 0, ok.output


@pytest.fixture
def planted(app, article, add_comment):
    """Addresses stored before the rule (or by any path around it): an article link and a
    website that would run a script when a moderator clicks them."""
    comment_id = add_comment(article, "Gammal kommentar", approve=False)
    approved_id = add_comment(article, "Publicerad", email="b@example.se")
    with app.app_context():
        db.session.execute(update(Article).values(url="javascript:fetch('/x')"))
        db.session.execute(update(Comment).values(website="javascript:alert(1)"))
        db.session.commit()
    return comment_id, approved_id


def test_stored_script_addresses_are_never_links_anywhere(app, client, article, planted):
    from commentsvc.moderation import accounts

    with app.app_context():
        accounts.create_moderator("ada", PASSWORD, role="admin")
        db.session.commit()
    admin = ModeratorClient(app.test_client())
    assert admin.login("ada").status_code == 303
    pending_id, _approved = planted
    pages = {
        "queue": admin.get("/moderation/"),
        "comment": admin.get(f"/moderation/comments/{pending_id}"),
        "thread": client.get("/thread", query_string={"article": article}),
        "iframe": client.get("/embed", query_string={"article": article}),
        "feed": client.get("/feed.atom", query_string={"article": article}),
        "site feed": client.get("/feed.atom"),
    }
    for name, r in pages.items():
        assert r.status_code == 200, name
        body = r.get_data(as_text=True).lower().replace(" ", "")
        # Shown as text to a moderator at most, never as a link.
        for link in ('href="javascript:', "href='javascript:", "<uri>javascript:"):
            assert link not in body, name
    body = pages["queue"].get_data(as_text=True)
    # The thread's own page instead (at the comment, in place).
    assert f'href="/thread?article={article}#comment-' in body

    api = client.get("/api/v1/comments", query_string={"article": article}).get_json()
    assert api["article"]["url"] is None
    assert api["comments"][0]["website"] is None
