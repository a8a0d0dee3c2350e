"""What host pages embed: /embed.js and the iframe page /embed (without a browser; the
browser tests in tests/browser/test_embed_browser.py drive both for real)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import ALLOWED_ORIGIN
from tests.test_api import stored

SERVICE = "http://localhost"


def test_embed_script_carries_its_styles(client):
    r = client.get("/embed.js")
    assert r.status_code == 200
    assert r.mimetype == "text/javascript"
    body = r.get_data(as_text=True)
    assert "__CSS__" not in body
    assert "--commentsvc-accent" in body and "prefers-color-scheme" in body
    assert r.headers["ETag"]
    again = client.get("/embed.js", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304


def test_iframe_page_may_only_be_framed_by_allowed_sites(client, article):
    r = client.get("/embed", query_string={"article": article})
    assert r.status_code == 200
    assert f"frame-ancestors 'self' {ALLOWED_ORIGIN};" in r.headers["Content-Security-Policy"] + ";"
    assert "X-Frame-Options" not in r.headers  # it cannot name several host sites
    assert r.headers["Referrer-Policy"] == "same-origin"
    page = r.get_data(as_text=True)
    assert 'action="/embed/comments"' in page
    assert re.search(r'src="/static/embed-frame\.[0-9a-f]{12}\.js"', page)
    assert 'name="csrf_token"' not in page


def post_from_frame(client, key, origin=SERVICE, query=None, **fields):
    form = {
        "article": key,
        "comment": "Från iframen",
        "author": "Anna Lindqvist",
        "email": "anna@example.se",
        "ts": "",
        "hp": "",
        **fields,
    }
    headers = {"Origin": origin} if origin else {}
    return client.post("/embed/comments", data=form, headers=headers, query_string=query)


def own_tokens(location: str) -> list[str]:
    return parse_qs(urlsplit(location).query)["own"]


def test_posting_in_the_iframe_needs_no_session_and_shows_the_authors_pending_comment(app, article):
    client = app.test_client(use_cookies=False)  # as in a cross-site iframe: no cookies
    r = post_from_frame(client, article)
    assert r.status_code == 303
    location = r.headers["Location"]
    assert location.startswith("/embed?article=nyhet-1")
    assert re.search(r"#comment-\d+$", location)
    assert r.headers["Referrer-Policy"] == "same-origin"
    page = client.get(location).get_data(as_text=True)
    assert "Din kommentar väntar på granskning." in page
    assert "Från iframen" in page
    # Others do not see it.
    assert "Från iframen" not in client.get(f"/embed?article={article}").get_data(as_text=True)
    # The next post keeps the first token, so both own comments stay visible.
    tokens = own_tokens(location)
    second = post_from_frame(client, article, comment="Andra", query={"own": tokens})
    assert len(own_tokens(second.headers["Location"])) == 2


def test_iframe_links_and_form_keep_the_authors_tokens(app, article, add_comment):
    add_comment(article, "Första!")
    client = app.test_client(use_cookies=False)
    location = post_from_frame(client, article).headers["Location"]
    page = client.get(location).get_data(as_text=True)
    token = own_tokens(location)[0]
    assert f'action="/embed/comments?own={token}"' in page
    assert "/embed?article=nyhet-1&amp;replytocom=" in page


def test_iframe_form_errors_are_shown_beside_the_fields(app, client, article):
    before = stored(app)
    r = post_from_frame(client, article, comment="", author="")
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "Skriv en kommentar." in page and "Ange ditt namn." in page
    assert f"frame-ancestors 'self' {ALLOWED_ORIGIN}" in r.headers["Content-Security-Policy"]
    assert stored(app) == before


@pytest.mark.parametrize(
    ("origin", "referer"),
    [("https://evil.example", None), ("null", None), (None, None),
     (None, "https://evil.example/page"), (ALLOWED_ORIGIN, None)],
)  # fmt: skip
def test_iframe_form_posted_from_elsewhere_is_refused(app, client, article, origin, referer):
    before = stored(app)
    headers = {k: v for k, v in {"Origin": origin, "Referer": referer}.items() if v}
    r = client.post(
        "/embed/comments",
        data={"article": article, "comment": "x", "author": "a", "email": "a@example.se"},
        headers=headers,
    )
    assert r.status_code == 403
    assert "Den här webbplatsen får inte skicka kommentarer hit." in r.get_data(as_text=True)
    assert stored(app) == before


def test_plain_page_still_posts_with_its_csrf_token(reader, article):
    r = reader.post(article)
    assert r.status_code == 303
    assert r.headers["Location"].startswith("/thread?article=nyhet-1")


def test_plain_form_without_a_parent_field_shows_its_errors_not_a_500(reader, article):
    """A hand-made post that leaves out the hidden parent field (found while adding /embed)."""
    r = reader.post(article, comment="", parent=None)
    assert r.status_code == 422
    assert "Skriv en kommentar." in r.get_data(as_text=True)


def test_embed_script_stays_within_its_size_budget(client):
    import gzip

    body = client.get("/embed.js", headers={"Accept-Encoding": "identity"}).get_data()
    assert len(gzip.compress(body, compresslevel=9)) <= 6000  # the budget, with its styles


def test_embed_styles_are_inlined_whole(client):
    """The stylesheet goes in without its comments, so no rule is lost to a broken comment."""
    body = client.get("/embed.js").get_data(as_text=True)
    css = re.search(r'var CSS\s*=\s*"(.*?)";', body).group(1)
    assert css.startswith(":host{")
    assert "/*" not in css and "*/" not in css


def test_author_edits_and_deletes_in_the_iframe_with_the_token_in_the_address(app, article):
    client = app.test_client(use_cookies=False)
    location = post_from_frame(client, article, comment="Först").headers["Location"]
    token = own_tokens(location)[0]
    comment_id = int(location.rsplit("-", 1)[1])
    page = client.get(location).get_data(as_text=True)
    assert f'action="/embed/comments/{comment_id}/delete?own={token}"' in page
    assert 'name="csrf_token"' not in page
    editing = client.get(f"/embed?article={article}&edit={comment_id}&own={token}")
    assert "Först</textarea>" in editing.get_data(as_text=True)

    r = client.post(
        f"/embed/comments/{comment_id}/edit?own={token}",
        data={"comment": "Sedan"},
        headers={"Origin": SERVICE},
    )
    assert r.status_code == 303
    assert "Sedan" in client.get(r.headers["Location"]).get_data(as_text=True)

    stranger = client.post(
        f"/embed/comments/{comment_id}/edit", data={"comment": "Kapad"}, headers={"Origin": SERVICE}
    )
    assert stranger.status_code == 403
    forged_origin = client.post(
        f"/embed/comments/{comment_id}/delete?own={token}",
        headers={"Origin": "https://evil.example"},
    )
    assert forged_origin.status_code == 403

    r = client.post(f"/embed/comments/{comment_id}/delete?own={token}", headers={"Origin": SERVICE})
    assert r.status_code == 303
    assert "Sedan" not in client.get(r.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize(
    "config_overrides",
    [{"PRIVACY_NOTICE": "Om personuppgifter", "PRIVACY_URL": "https://www.example.se/gdpr"}],
)
def test_iframe_page_shows_the_privacy_notice(client, article):
    page = client.get("/embed", query_string={"article": article}).get_data(as_text=True)
    assert '<a href="https://www.example.se/gdpr">Om personuppgifter</a>' in page


def test_iframe_page_shows_the_built_in_privacy_notice(client, article):
    page = client.get("/embed", query_string={"article": article}).get_data(as_text=True)
    assert "Så behandlar vi dina personuppgifter" in page
