"""The spam memory: a new comment from an address, a website's domain or a network that a
moderator marked as spam on the same site waits in the queue, with the reason shown; its
neighbours (hanna@ beside anna@, example.se.evil.com beside example.se, the next network) are
published as before."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from commentsvc import settings, sites, threads
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.threads import Comment
from commentsvc.moderation import accounts
from tests.conftest import ALLOWED_ORIGIN, Reader
from tests.moderation.conftest import PASSWORD, ModeratorClient
from tests.test_api import new_comment
from tests.test_embed import post_from_frame

SPAMMER = {
    "email": "anna@example.se",
    "url": "https://example.se/billigt",
    "network": "198.51.100.7",
}


@pytest.fixture
def config_overrides() -> dict:
    return {"MODERATION": "none", "MIN_SUBMIT_SECONDS": 0, "DISALLOWED_KEYS": ["kasino"]}


@pytest.fixture
def moderator(app) -> ModeratorClient:
    with app.app_context():
        accounts.create_moderator("ada", PASSWORD, role="admin", email="ada@example.se")
        db.session.commit()
    client = ModeratorClient(app.test_client())
    assert client.login("ada").status_code == 303
    return client


def api_post(app, article, *, email, url="", network="203.0.113.9", text=None):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = network
    body = new_comment(article, email=email, url=url, comment=text or f"Hej från {email} {url}")
    answer = client.post("/api/v1/comments", json=body, headers={"Origin": ALLOWED_ORIGIN})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["comment"]["id"]


def stored(app, comment_id: int) -> tuple[str, list[str]]:
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        return comment.status.value, comment.held_for.splitlines()


@pytest.fixture
def marked(app, article, moderator):
    """Anna's comment, marked as spam by a moderator on the desk."""
    comment_id = api_post(app, article, **SPAMMER, text="Köp billiga klockor")
    assert stored(app, comment_id)[0] == "approved"
    assert moderator.act(comment_id, "spam").status_code == 303
    assert stored(app, comment_id)[0] == "spam"
    return comment_id


# who writes next: email, website, network, and what becomes of the comment
CASES = [
    ("anna@example.se", "", "203.0.113.9", "pending", ["spam-memory:address"]),
    ("Anna@Example.se", "", "203.0.113.9", "pending", ["spam-memory:address"]),
    ("hanna@example.se", "", "203.0.113.9", "approved", []),
    (
        "eva@example.org",
        "https://www.example.se/",
        "203.0.113.9",
        "pending",
        ["spam-memory:website"],
    ),
    (
        "eva@example.org",
        "http://EXAMPLE.se/annat",
        "203.0.113.9",
        "pending",
        ["spam-memory:website"],
    ),
    ("eva@example.org", "https://example.se.evil.com", "203.0.113.9", "approved", []),
    ("eva@example.org", "https://shop.example.se", "203.0.113.9", "approved", []),
    ("eva@example.org", "https://myexample.se", "203.0.113.9", "approved", []),
    ("eva@example.org", "", "198.51.100.200", "pending", ["spam-memory:network"]),
    ("eva@example.org", "", "198.51.101.7", "approved", []),
    (
        "anna@example.se",
        "https://example.se",
        "198.51.100.1",
        "pending",
        ["spam-memory:address", "spam-memory:website", "spam-memory:network"],
    ),
]


@pytest.mark.parametrize(("email", "url", "network", "status", "reasons"), CASES)
def test_a_comment_like_marked_spam_waits_and_its_neighbour_is_published(
    app, article, marked, email, url, network, status, reasons
):
    comment_id = api_post(app, article, email=email, url=url, network=network)
    assert stored(app, comment_id) == (status, reasons)


def test_the_form_and_the_iframe_remember_too(app, article, marked):
    form = Reader(app.test_client())
    form.client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    form.post(article, email="anna@example.se", comment="Igen från formuläret")
    frame = app.test_client(use_cookies=False)
    frame.environ_base["REMOTE_ADDR"] = "198.51.100.50"
    post_from_frame(frame, article, email="eva@example.org", comment="Igen från iframen")
    with app.app_context():
        found = dict(
            db.session.execute(
                select(Comment.text, Comment.held_for).where(Comment.text.like("Igen%"))
            ).all()
        )
    assert found == {
        "Igen från formuläret": "spam-memory:address",
        "Igen från iframen": "spam-memory:network",
    }


def test_the_queue_says_why_in_both_languages(app, article, marked, moderator):
    api_post(app, article, email="anna@example.se", url="https://example.se")
    swedish = moderator.get("/moderation/").get_data(as_text=True)
    assert "e-postadressen från en kommentar som en moderator markerat som skräp" in swedish
    assert "webbplatsen från en kommentar som en moderator markerat som skräp" in swedish
    english = moderator.get("/moderation/?lang=en").get_data(as_text=True)
    assert "the email address of a comment a moderator marked as spam" in english


def test_spam_the_policy_caught_is_not_remembered(app, article):
    first = api_post(app, article, email="olle@example.se", text="Spela kasino nu")
    assert stored(app, first)[0] == "spam"  # a word of the list, not a moderator
    again = api_post(app, article, email="olle@example.se", text="Förlåt, ett vanligt inlägg")
    assert stored(app, again) == ("approved", [])


def test_a_restored_comment_is_forgotten(app, article, marked, moderator):
    assert moderator.act(marked, "restore").status_code == 303
    comment_id = api_post(app, article, email="anna@example.se")
    assert stored(app, comment_id) == ("approved", [])


def test_another_sites_spam_is_not_remembered_here(app, article, marked):
    with app.app_context():
        sites.add_site("kultur", name="Kultur i Norr", origins=[], by="test", now=utcnow())
        other = threads.create_article("kultur-1", title="Konsert", site="kultur")
        comment = threads.post_comment(
            other,
            threads.Draft(comment="Hej kulturen", author="Anna", email="anna@example.se"),
            ip="198.51.100.7",
            now=utcnow(),
        )
        db.session.commit()
        assert (comment.status.value, comment.held_for) == ("approved", "")


def test_a_site_can_turn_the_memory_off(app, article, marked):
    with app.app_context():
        settings.save_settings({"SPAM_MEMORY": False}, by="ada", now=utcnow())
        db.session.commit()
    comment_id = api_post(app, article, **SPAMMER)
    assert stored(app, comment_id) == ("approved", [])
