"""A staff reply is published under the moderator's display name, or else the site's name:
never the login (half of a credential), on any surface that shows it."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ALLOWED_ORIGIN
from tests.mailserver import mail_config
from tests.test_audit_details import database as database  # the fixture, used here
from tests.test_subscriptions import ANNA, PUBLIC, deliver
from tests.test_subscriptions import subscribed as subscribed  # the fixture, used here

SITE = "Sundsvalls kommun"


@pytest.fixture
def config_overrides(smtp_port):
    return {**mail_config(smtp_port, PUBLIC), "SITE_NAME": SITE, "MODERATION": "none"}


def every_surface(client, smtp_server, article) -> dict[str, str]:
    """What a reader, a feed reader, a script and a subscriber see of the thread."""
    deliver(client.application, minutes=60)
    api = client.get(
        "/api/v1/comments", query_string={"article": article}, headers={"Origin": ALLOWED_ORIGIN}
    ).get_json()
    return {
        "page": client.get("/thread", query_string={"article": article}).get_data(as_text=True),
        "iframe": client.get("/embed", query_string={"article": article}).get_data(as_text=True),
        "api": json.dumps(api, ensure_ascii=False),
        "feed": client.get("/feed.atom", query_string={"article": article}).get_data(as_text=True),
        "site feed": client.get("/feed.atom").get_data(as_text=True),
        "mail": "\n".join(
            part.get_content()
            for rcpt, message in smtp_server.messages
            if rcpt == [ANNA]
            for part in message.walk()
            if part.get_content_maintype() == "text"
        ),
    }


@pytest.mark.parametrize(
    ("username", "display_name", "shown"),
    [
        ("redaktor.moa", "", SITE),
        ("moa.lind@kommun.example.se", "", SITE),
        ("redaktor.moa", "Moa på redaktionen", "Moa på redaktionen"),  # the near miss
    ],
)
def test_a_staff_reply_shows_the_display_name_or_the_sites_name_never_the_login(
    app, client, article, subscribed, smtp_server, username, display_name, shown
):
    from commentsvc.extensions import db
    from commentsvc.moderation import accounts
    from tests.moderation.conftest import PASSWORD, ModeratorClient

    with app.app_context():
        accounts.create_moderator(username, PASSWORD, role="moderator", display_name=display_name)
        db.session.commit()
    question = subscribed(kind="article")
    moderator = ModeratorClient(app.test_client())
    assert moderator.login(username).status_code == 303
    answered = moderator.post(f"/moderation/comments/{question}/reply", {"text": "Tack!"})
    assert answered.status_code == 303
    seen = every_surface(client, smtp_server, article)
    login = username.split("@")[0]
    for surface, text in seen.items():
        assert shown in text, surface
        assert login not in text, surface
    [question_shown] = json.loads(seen["api"])["comments"]
    [staff] = question_shown["replies"]
    assert staff["author"] == shown
    assert f"<author><name>{shown}</name>" in seen["feed"]
    assert "Tack!" in seen["mail"]  # the subscriber was told of the reply


def test_the_upgrade_puts_old_staff_replies_under_the_sites_name(database):
    """Replies published under a login before (planted as the earlier code wrote them) show
    the site's name after the migration; a display name and a reader's own name stay."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from commentsvc.extensions import db
    from commentsvc.models.threads import Comment
    from tests.old_rows import plant_article, plant_comment, plant_moderator

    app = database(SITE_NAME=SITE, MODERATION="none")
    with app.app_context():
        upgrade(revision="0013_audit_details")
        with db.engine.begin() as conn:
            plant_moderator(conn, "moa.lind@kommun.example.se")
            plant_moderator(conn, "ada", role="admin", display_name="Ada på webben")
            article = plant_article(conn, "nyhet-1", url="https://www.example.se/1")
            question = plant_comment(
                conn, article, "En fråga", author="moa.lind", email="moa@example.se"
            )
            old = {}
            for login, shown in (
                ("moa.lind@kommun.example.se", "moa.lind"),
                ("ada", "Ada på webben"),
            ):
                # As reply_as_staff wrote it then: the login's first part as the author.
                old[login] = plant_comment(
                    conn,
                    article,
                    f"Svar från {login}",
                    author=shown,
                    parent=question,
                    by_staff=True,
                    decided_by=login,
                )
        upgrade()
        authors = dict(db.session.execute(sa.select(Comment.id, Comment.author)).all())
    assert authors[old["moa.lind@kommun.example.se"]] == SITE
    assert authors[old["ada"]] == "Ada på webben"
    assert authors[question] == "moa.lind"  # a reader who happens to share the name
