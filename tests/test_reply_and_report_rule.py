"""Whether a reader may answer or report a comment is one rule (threads.can_reply and
threads.can_report): the plain page, the iframe page and the JSON thread (which the script
embed follows) offer Reply and Report on the same comments.

The thread below has each kind side by side: a published comment, a removed one kept as a
placeholder for its published reply, and the reader's own comment awaiting moderation.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.conftest import ALLOWED_ORIGIN, Reader

HOST = {"Origin": ALLOWED_ORIGIN}
REPORT_HREF = re.compile(r"/comments/(\d+)/report")


class Offers(HTMLParser):
    """Which comments a page shows, and which of them have a Reply or a Report link."""

    def __init__(self, html: str):
        super().__init__()
        self.shown: set[int] = set()
        self.reply: set[int] = set()
        self.report: set[int] = set()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "li" and (a.get("id") or "").startswith("comment-"):
            self.shown.add(int(a["id"].removeprefix("comment-")))
        if tag == "a" and "reply-link" in classes:
            self.reply.add(int(a["data-reply-to"]))
        if tag == "a" and "report-link" in classes:
            self.report.add(int(REPORT_HREF.search(a["href"]).group(1)))


def flat(comments: list[dict]) -> list[dict]:
    return [c for comment in comments for c in (comment, *flat(comment.get("replies", [])))]


def own_pending_by_api(client, article: str) -> tuple[int, str]:
    """A first-time author's comment, held for review: (its id, its edit token)."""
    body = {
        "article": article,
        "comment": "Min första kommentar",
        "author": "Ny Läsare",
        "email": "ny@example.se",
    }
    created = client.post("/api/v1/comments", json=body, headers=HOST).get_json()
    assert created["pending"]
    return created["comment"]["id"], created["edit_token"]


def on_thread_page(app, client, article):
    reader = Reader(app.test_client())  # a browser of its own: its session knows the comment
    sent = reader.post(article, comment="Min egen", author="Ny Läsare", email="ny@example.se")
    assert sent.status_code == 303
    page = Offers(reader.open(article).get_data(as_text=True))
    (own,) = page.shown - shown_to_everyone(client, article)
    return page.shown, page.reply, page.report, own


def on_iframe_page(app, client, article):
    own, token = own_pending_by_api(client, article)
    page = client.get("/embed", query_string={"article": article, "own": token})
    offers = Offers(page.get_data(as_text=True))
    return offers.shown, offers.reply, offers.report, own


def in_json_thread(app, client, article):
    own, token = own_pending_by_api(client, article)
    body = client.get(
        "/api/v1/comments", query_string={"article": article}, headers={"X-Own-Comments": token}
    ).get_json()
    comments = flat(body["comments"])
    shown = {c["id"] for c in comments}
    return (
        shown,
        {c["id"] for c in comments if c["can_reply"]},
        {c["id"] for c in comments if c["can_report"]},
        own,
    )


def shown_to_everyone(client, article) -> set[int]:
    return anonymous_offers(client, article, "thread")[0]


SURFACES = {"thread": on_thread_page, "embed": on_iframe_page, "json": in_json_thread}


@pytest.fixture
def thread(app, article, add_comment):
    """(published, placeholder, reply under the placeholder) in the article's thread."""
    from commentsvc import moderation
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow

    published = add_comment(article, "Publicerad kommentar")
    removed = add_comment(article, "Borttagen sedan")
    reply = add_comment(article, "Svaret står kvar", parent=removed, email="bo@example.se")
    with app.app_context():
        moderation.trash(removed, by="moa", now=utcnow())
        db.session.commit()
    return published, removed, reply


def close(app, article):
    from commentsvc import threads
    from commentsvc.extensions import db

    with app.app_context():
        threads.find_article(article).closed = True
        db.session.commit()


@pytest.mark.parametrize("surface", SURFACES)
def test_reply_and_report_are_offered_on_published_comments_only(
    app, client, article, thread, surface
):
    published, removed, reply = thread
    shown, can_reply, can_report, own = SURFACES[surface](app, client, article)
    # All four are shown, the reader's own pending one and the placeholder included...
    assert {published, removed, reply, own} <= shown
    # ...but only the published ones may be answered or reported.
    assert can_reply == {published, reply}
    assert can_report == {published, reply}


def anonymous_offers(client, article: str, surface: str) -> tuple[set, set, set]:
    """(shown, may be answered, may be reported) for a reader without comments of their own."""
    if surface == "json":
        body = client.get("/api/v1/comments", query_string={"article": article}).get_json()
        comments = flat(body["comments"])
        return (
            {c["id"] for c in comments},
            {c["id"] for c in comments if c["can_reply"]},
            {c["id"] for c in comments if c["can_report"]},
        )
    path = "/thread" if surface == "thread" else "/embed"
    page = Offers(client.get(path, query_string={"article": article}).get_data(as_text=True))
    return page.shown, page.reply, page.report


@pytest.mark.parametrize("surface", SURFACES)
def test_a_closed_thread_offers_report_but_no_reply(app, client, article, thread, surface):
    published, removed, reply = thread
    assert anonymous_offers(client, article, surface)[1] == {published, reply}
    close(app, article)
    shown, can_reply, can_report = anonymous_offers(client, article, surface)
    assert {published, removed, reply} <= shown
    assert can_reply == set()
    assert can_report == {published, reply}
