"""Mail to moderators: written to the outbox with the held comment, delivered by send-mail
to a real SMTP server on loopback (aiosmtpd), retried when it is down, never sent twice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.mailserver import LoopbackSMTP, mail_config


@pytest.fixture
def config_overrides(smtp_port):
    return mail_config(smtp_port)


@pytest.fixture
def subscribers(make_moderator, disable):
    """Two moderators who asked for mail, one who did not, and one disabled."""
    make_moderator("ada", role="admin", email="ada@example.se", notify=True)
    make_moderator("moa", email="moa@example.se", notify=True)
    make_moderator("tyst", email="tyst@example.se", notify=False)
    make_moderator("inaktiv", email="inaktiv@example.se", notify=True)
    disable("inaktiv")
    return ["ada@example.se", "moa@example.se"]


@pytest.fixture
def disable(app):
    from commentsvc.extensions import db
    from commentsvc.models.moderation import Moderator

    def off(name):
        with app.app_context():
            db.session.query(Moderator).filter_by(username=name).one().active = False
            db.session.commit()

    return off


def outbox(app):
    from commentsvc.extensions import db
    from commentsvc.models.mail import OutboxMail

    with app.app_context():
        return [
            (m.recipient, m.attempts, m.sent_at is not None)
            for m in db.session.query(OutboxMail).order_by(OutboxMail.id)
        ]


def deliver(app, minutes=0):
    from commentsvc.models.base import utcnow
    from commentsvc.notify.outbox import deliver_due

    with app.app_context():
        return deliver_due(now=utcnow() + timedelta(minutes=minutes))


def test_a_held_comment_writes_one_mail_per_subscribed_moderator(app, subscribers, reader, article):
    reader.post(article, comment="En fråga om <b>vägen</b>")
    assert sorted(r for r, _, _ in outbox(app)) == subscribers


def test_a_published_or_spam_comment_sends_no_mail(app, subscribers, reader, article, add_comment):
    add_comment(article, "Först", author="Anna Lindqvist", email="anna@example.se")
    before = outbox(app)  # the first comment was held, then approved
    reader.post(article, comment="Andra gången: publiceras direkt")
    reader.post(article, comment="Fälla", hp="ifylld", email="spam@example.se")
    assert outbox(app) == before


def test_send_mail_delivers_the_comment_reasons_and_a_link_to_the_queue(
    app, runner, subscribers, smtp_server, reader, article
):
    reader.post(article, comment="Vad kostar bygget?")
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "Sent 2" in result.output
    received = smtp_server.messages
    assert sorted(rcpt[0] for rcpt, _ in received) == subscribers
    message = received[0][1]
    assert message["From"] == "kommentarer@example.se"
    assert "SOI Mitt startar i Svealand" in message["Subject"]
    body = message.get_content()
    assert "Vad kostar bygget?" in body
    assert "första kommentaren från denna författare" in body
    assert "https://kommentarer.example.se/moderation/comments/1" in body
    assert "anna@example.se" in body  # moderators may see the author's email


def test_the_link_in_the_mail_only_shows_the_comment(app, mod, held, status_of):
    comment = held()
    response = mod.get(f"/moderation/comments/{comment}")
    assert response.status_code == 200
    assert status_of(comment) == "pending"  # a GET never decides


def test_a_down_server_is_retried_with_back_off_and_each_mail_is_sent_once(
    app, subscribers, smtp_port, reader, article
):
    reader.post(article, comment="Kommer fram till slut")
    failed = deliver(app)
    assert (failed.sent, failed.failed) == (0, 1)
    # A run stops at the first connection failure; the next run tries the next mail.
    assert [attempts for _, attempts, _ in outbox(app)] == [1, 0]
    assert deliver(app).failed == 1
    assert deliver(app).failed == 0  # both wait now: backing off, not hammering
    assert [attempts for _, attempts, _ in outbox(app)] == [1, 1]
    with LoopbackSMTP(smtp_port) as server:
        came_back = deliver(app, minutes=2)
        assert came_back.sent == 2
        assert deliver(app, minutes=10).sent == 0  # nothing twice
    assert sorted(rcpt[0] for rcpt, _ in server.messages) == subscribers
    assert all(sent for _, _, sent in outbox(app))


def test_two_workers_never_send_the_same_mail(app, subscribers, smtp_server, reader, article):
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow
    from commentsvc.models.mail import OutboxMail
    from commentsvc.notify.outbox import _claim

    reader.post(article, comment="Två arbetare")
    with app.app_context():
        first = db.session.query(OutboxMail).order_by(OutboxMail.id).first().id
        now = utcnow()
        assert _claim(first, "worker-a", now) is True
        assert _claim(first, "worker-b", now) is False  # leased by a
    delivered = deliver(app)
    assert delivered.sent == 1  # the other mail; the leased one is a's
    assert len(smtp_server.messages) == 1


def test_send_mail_says_so_when_the_server_is_down(app, runner, subscribers, reader, article):
    reader.post(article, comment="Servern är nere")
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 1
    assert "failed" in result.output
