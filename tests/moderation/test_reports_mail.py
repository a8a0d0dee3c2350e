"""When readers' reports hold a comment, the moderators are mailed as for a held new comment
(the same outbox, delivered by send-mail to a real SMTP server on loopback), and a keep or a
removal withdraws those mails while they are unsent, as any decision on a waiting comment."""

from __future__ import annotations

import pytest

from tests.mailserver import mail_config
from tests.moderation.conftest import ModeratorClient

TEXT = "Jag vet var du bor, Olle."
NOTIFIER = "greta.eva@example.se"
EXPLANATION = "Ett hot mot en namngiven person."


@pytest.fixture
def config_overrides(smtp_port):
    return {
        **mail_config(smtp_port),
        "REPORTS_TO_HOLD": 3,
    }


@pytest.fixture
def moderators(app, make_moderator) -> ModeratorClient:
    """Two moderators who asked for mail and one who did not; the admin's client, logged in."""
    make_moderator("ada", role="admin", email="ada@example.se", notify=True)
    make_moderator("lisa", email="lisa@example.se", notify=True)
    make_moderator("tyst", email="tyst@example.se", notify=False)
    client = ModeratorClient(app.test_client())
    assert client.login("ada").status_code == 303
    return client


@pytest.fixture
def threatening(app, article, add_comment, moderators):
    """A published comment (its first-time hold and approval leave no mail behind)."""
    comment = add_comment(article, TEXT, author="Eva Berg", email="eva@example.se")
    assert unsent(app) == []
    return comment


def unsent(app) -> list[tuple[str, int | None]]:
    from sqlalchemy import select

    from commentsvc.extensions import db
    from commentsvc.models.mail import OutboxMail

    with app.app_context():
        return [
            (m.recipient, m.comment_id)
            for m in db.session.execute(
                select(OutboxMail).where(OutboxMail.sent_at.is_(None)).order_by(OutboxMail.id)
            ).scalars()
        ]


def hold(report, comment_id: int) -> None:
    report(
        comment_id,
        "illegal",
        browser="a",
        email=NOTIFIER,
        name="Greta",
        explanation=EXPLANATION,
    )
    report(comment_id, "harassment", browser="b")
    report(comment_id, "harassment", browser="c")


def test_reports_that_hold_a_comment_mail_the_moderators_like_a_held_new_comment(
    app, runner, report, threatening, smtp_server, status_of
):
    report(threatening, "harassment", browser="a")
    report(threatening, "spam", browser="b")
    assert unsent(app) == []  # two readers: still published, nobody is called
    report(
        threatening,
        "illegal",
        browser="c",
        email=NOTIFIER,
        name="Greta",
        explanation=EXPLANATION,
    )
    assert status_of(threatening) == "pending"
    assert unsent(app) == [
        (NOTIFIER, None),  # the receipt, never tied to the author's comment
        ("ada@example.se", threatening),
        ("lisa@example.se", threatening),
    ]

    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    to_moderators = {
        rcpt[0]: message
        for rcpt, message in smtp_server.messages
        if rcpt[0] in ("ada@example.se", "lisa@example.se")
    }
    assert sorted(to_moderators) == ["ada@example.se", "lisa@example.se"]
    message = to_moderators["ada@example.se"]
    assert message["From"] == "kommentarer@example.se"
    assert message["Subject"] == (
        "[SOI Mitt startar i Svealand] En kommentar väntar på granskning: Eva Berg"
    )
    body = message.get_content()
    assert "har anmälts av läsare och är dold tills du beslutar" in body
    assert "anmäld av 3 läsare" in body  # why it waits, as the queue says it
    assert TEXT in body
    assert f"https://kommentarer.example.se/moderation/comments/{threatening}" in body
    # Who reported it is for the Anmälningar tab, not for a mail that quotes the author.
    assert NOTIFIER not in body and "Greta" not in body and EXPLANATION not in body
    assert [rcpt for rcpt, _ in smtp_server.messages if rcpt == [NOTIFIER]] == [[NOTIFIER]]
    assert unsent(app) == []


@pytest.mark.parametrize(
    ("decision", "form", "author_mail"),
    [
        ("keep", {}, False),
        ("remove", {"reason": "illegal", "ground": "Olaga hot, BrB 4 kap. 5 §."}, True),
    ],
)
def test_a_decision_on_a_held_comment_withdraws_the_unsent_mails_to_the_moderators(
    app,
    runner,
    report,
    confirm_receipt,
    threatening,
    moderators,
    smtp_server,
    decision,
    form,
    author_mail,
):
    hold(report, threatening)
    confirm_receipt(NOTIFIER)  # so that the notifier hears the decision
    assert ("ada@example.se", threatening) in unsent(app)
    answer = moderators.post(f"/moderation/comments/{threatening}/reports/{decision}", form)
    assert answer.status_code == 303
    assert not [to for to, _ in unsent(app) if to in ("ada@example.se", "lisa@example.se")]

    assert runner.invoke(args=["send-mail"]).exit_code == 0
    received = [rcpt[0] for rcpt, _ in smtp_server.messages]
    assert "ada@example.se" not in received and "lisa@example.se" not in received
    assert received.count(NOTIFIER) == 2  # the receipt and the decision
    assert ("eva@example.se" in received) is author_mail  # the statement of reasons
