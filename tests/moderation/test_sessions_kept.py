"""A moderator's session is theirs alone: an error answer (a cross-site POST that fails the
CSRF check) never replaces it, and what they do as a reader in the same browser (posting,
reporting) never turns it into a long-lived cookie."""

from __future__ import annotations

import pytest

from tests.conftest import CSRF_INPUT

ELSEWHERE = "https://angripare.example.net"


def session_cookies(response) -> list[str]:
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]


def still_logged_in(mod) -> bool:
    return mod.get("/moderation/").status_code == 200


# Where a page of another site can send a browser with a form: the moderation actions, the
# login and logout, and the readers' forms, all under the same session cookie.
CROSS_SITE_POSTS = [
    "/moderation/logout",
    "/moderation/login",
    "/moderation/comments/1/approve",
    "/moderation/settings",
    "/comments",
    "/comments/1/report",
]


@pytest.mark.parametrize("path", CROSS_SITE_POSTS)
@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": ELSEWHERE, "Sec-Fetch-Site": "cross-site"},
        {"Origin": ELSEWHERE},  # a browser without Fetch Metadata
        {"Sec-Fetch-Site": "cross-site"},
    ],
)
def test_a_cross_site_post_without_the_cookie_leaves_the_moderators_session(
    app, mod, article, held, path, headers
):
    held()
    cookie = mod.client.get_cookie("session").value
    # SameSite=Lax: the browser sends no cookie with another site's POST, but it stores
    # whatever cookie the answer sets, over the moderator's.
    mod.client.delete_cookie("session")
    response = mod.client.post(path, data={"comment": "x", "article": article}, headers=headers)
    assert response.status_code >= 400
    assert session_cookies(response) == []
    mod.client.set_cookie("session", cookie)
    assert still_logged_in(mod)


@pytest.mark.parametrize("path", CROSS_SITE_POSTS)
def test_a_cross_site_post_with_a_wrong_token_leaves_the_moderators_session(
    app, mod, article, held, path
):
    held()
    response = mod.client.post(
        path,
        data={"csrf_token": "fel", "comment": "x", "article": article},
        headers={"Origin": ELSEWHERE},
    )
    assert response.status_code >= 400
    assert still_logged_in(mod)  # with whatever cookie the answer set


def test_a_reader_without_a_session_can_still_send_the_form_again(reader, article, app):
    """The near miss: the reader's own page, sent from our own origin after the session
    cookie was lost, gets a new session with the form again, so the second try works."""
    reader.open(article)
    reader.client.delete_cookie("session")
    response = reader.client.post(
        "/comments",
        data={
            "article": article,
            "comment": "Min text",
            "author": "Anna",
            "email": "anna@example.se",
            "csrf_token": "gammal",
        },
        headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 400
    assert session_cookies(response)
    token = CSRF_INPUT.search(response.get_data(as_text=True)).group(1)
    again = reader.post(article, comment="Min text", author="Anna", csrf_token=token)
    assert again.status_code == 303


def cookie_lifetime(response) -> str:
    [cookie] = session_cookies(response)
    return cookie.lower()


def test_posting_and_reporting_keep_the_moderators_session_a_browser_session(
    app, mod, article, add_comment, reader
):
    published = add_comment(article, "Publicerad")
    as_reader = type(reader)(mod.client)  # the same browser
    posted = as_reader.post(article, comment="Jag skriver som läsare", author="Moa")
    assert posted.status_code == 303
    assert "expires=" not in cookie_lifetime(posted) and "max-age" not in cookie_lifetime(posted)
    page = mod.client.get(f"/comments/{published}/report")
    token = CSRF_INPUT.search(page.get_data(as_text=True)).group(1)
    reported = mod.client.post(
        f"/comments/{published}/report", data={"reason": "spam", "csrf_token": token}
    )
    assert reported.status_code == 303
    for response in (page, reported):
        for cookie in session_cookies(response):
            assert "expires=" not in cookie.lower() and "max-age" not in cookie.lower()
    assert still_logged_in(mod)


def test_a_reader_who_is_not_logged_in_keeps_the_long_cookie(reader, article):
    """The near miss: a reader's own comments are remembered across browser restarts."""
    posted = reader.post(article)
    assert posted.status_code == 303
    assert "expires=" in cookie_lifetime(posted)
