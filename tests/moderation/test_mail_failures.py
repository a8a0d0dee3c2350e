"""One bad mail never stops the others: a mail that cannot be built or that the receiving
server refuses for good is set aside with its error, the mails after it go in the same run,
later runs leave it alone, and admins see it (the desk and ``commentsvc mail-failures``).
Delivered to a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.mailserver import mail_config


@pytest.fixture
def config_overrides(smtp_port):
    return mail_config(smtp_port)


def plant(app, recipient: str, subject: str, *, minutes_ago: int = 1) -> int:
    """An outbox row written directly, as old data or another version left it."""
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow
    from commentsvc.models.mail import OutboxMail

    with app.app_context():
        mail = OutboxMail.due_now(
            recipient,
            subject,
            "Brödtext\n",
            now=utcnow() - timedelta(minutes=minutes_ago),
        )
        db.session.add(mail)
        db.session.commit()
        return mail.id


def rows(app) -> dict[int, tuple]:
    from commentsvc.extensions import db
    from commentsvc.models.mail import OutboxMail

    with app.app_context():
        return {
            m.id: (m.sent_at is not None, m.failed_at is not None, m.attempts, m.last_error)
            for m in db.session.execute(select(OutboxMail)).scalars()
        }


def deliver(app, minutes=0):
    from commentsvc.models.base import utcnow
    from commentsvc.notify.outbox import deliver_due

    with app.app_context():
        return deliver_due(now=utcnow() + timedelta(minutes=minutes))


def received(server) -> list[tuple[str, str]]:
    return [(rcpt[0], str(message["Subject"])) for rcpt, message in server.messages]


def test_a_name_with_a_line_break_reaches_the_moderators_on_one_line(
    app, runner, make_moderator, smtp_server, reader, article
):
    make_moderator("moa", email="moa@example.se", notify=True)
    for name in ("Eva\u2028Lind", "Eva\r\nLind", "Eva\x0bLind\x85"):
        reader.post(article, author=name, comment=f"Fråga från {name!r}")
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    subjects = [subject for _, subject in received(smtp_server)]
    assert len(subjects) == 3
    assert all("Eva Lind" in s and "\n" not in s and "\u2028" not in s for s in subjects)


def test_a_bad_row_is_set_aside_and_the_good_mails_after_it_go_in_the_same_run(
    app, runner, smtp_server
):
    first = plant(app, "ada@example.se", "Före")
    # Old held-comment mail: a name with U+2028 in the subject. It is sent, on one line.
    old_subject = plant(app, "moa@example.se", "Ny kommentar från Eva\u2028Lind\r\n")
    # A recipient with a line break can only be a broken or injected row: never mended.
    bad = plant(app, "moa@example.se\r\nBcc: tjuv@example.net", "Injicerad")
    after = plant(app, "greta@example.se", "Efter")

    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 1  # the operator's cron hears of it
    assert "Sent 3 mail(s)" in result.output
    assert "1 mail(s) cannot be sent and are set aside" in result.output
    assert received(smtp_server) == [
        ("ada@example.se", "Före"),
        ("moa@example.se", "Ny kommentar från Eva Lind"),
        ("greta@example.se", "Efter"),
    ]
    assert all(rcpt != ["tjuv@example.net"] for rcpt, _ in smtp_server.messages)
    state = rows(app)
    assert [state[i][0] for i in (first, old_subject, after)] == [True, True, True]
    sent, failed, attempts, error = state[bad]
    assert (sent, failed, attempts) == (False, True, 1)
    assert "line break" in error

    # Later runs, even a day later, neither retry it nor stop at it.
    later = plant(app, "ada@example.se", "Senare")
    assert runner.invoke(args=["send-mail"]).exit_code == 0
    again = deliver(app, minutes=24 * 60)
    assert (again.sent, again.failed, again.set_aside) == (0, 0, 0)
    assert rows(app)[bad][:3] == (False, True, 1)
    assert rows(app)[later][0] is True

    # The command line lists it with its error, and can put it back in line.
    listed = runner.invoke(args=["mail-failures"])
    assert listed.exit_code == 0
    assert f"{bad}\t" in listed.output and "UnsendableMail" in listed.output
    assert str(first) + "\t" not in listed.output  # a sent mail is not listed
    assert runner.invoke(args=["mail-failures", "--retry", str(first)]).exit_code == 1
    assert runner.invoke(args=["mail-failures", "--retry", str(bad)]).exit_code == 0
    assert rows(app)[bad][:3] == (False, False, 0)
    assert deliver(app).set_aside == 1  # it still cannot be built: aside again, others unharmed


def test_a_recipient_refused_for_good_is_set_aside_and_one_refused_for_now_is_retried(
    app, smtp_server
):
    from commentsvc.notify.outbox import MAX_ATTEMPTS

    smtp_server.inbox.refuse = {
        "finns.inte@example.se": "550 5.1.1 No such user",
        "full.brevlada@example.se": "452 4.2.2 Mailbox full",
    }
    gone = plant(app, "finns.inte@example.se", "Till ingen")
    full = plant(app, "full.brevlada@example.se", "Till en full")
    fine = plant(app, "ada@example.se", "Till Ada")
    result = deliver(app)
    assert (result.sent, result.failed, result.set_aside) == (1, 1, 1)
    assert received(smtp_server) == [("ada@example.se", "Till Ada")]
    assert rows(app)[gone][:3] == (False, True, 1)
    assert "550" in rows(app)[gone][3]
    assert rows(app)[full][:3] == (False, False, 1)  # waits for a retry, with back-off
    assert rows(app)[fine][0] is True
    # A temporary refusal is tried MAX_ATTEMPTS times, then set aside: not forever.
    for hour in range(1, MAX_ATTEMPTS):
        deliver(app, minutes=60 * hour)
    assert rows(app)[full][:3] == (False, True, MAX_ATTEMPTS)
    assert deliver(app, minutes=60 * (MAX_ATTEMPTS + 5)).failed == 0


def test_admins_see_the_mails_set_aside_and_can_send_one_again(app, admin, mod, smtp_server):
    smtp_server.inbox.refuse = {"finns.inte@example.se": "550 5.1.1 No such user"}
    gone = plant(app, "finns.inte@example.se", "Till ingen")
    sent = plant(app, "ada@example.se", "Till Ada")
    deliver(app)
    queue = admin.get("/moderation/").get_data(as_text=True)
    assert "Ej skickad e-post (1)" in queue
    page = admin.get("/moderation/mail")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'id="mail-{gone}"' in html and "550 5.1.1 No such user" in html
    assert f'id="mail-{sent}"' not in html
    # Moderators who are not admins neither see the link nor the page.
    assert "Ej skickad e-post" not in mod.get("/moderation/").get_data(as_text=True)
    assert mod.get("/moderation/mail").status_code == 403
    assert mod.post(f"/moderation/mail/{gone}/retry").status_code == 403
    smtp_server.inbox.refuse = {}  # the address was mended
    response = admin.post(f"/moderation/mail/{gone}/retry")
    assert response.status_code == 303
    assert deliver(app).sent == 1
    assert rows(app)[gone][:2] == (True, False)
    assert f'id="mail-{gone}"' not in admin.get("/moderation/mail").get_data(as_text=True)


def test_a_mail_set_aside_goes_with_the_outbox_retention(app, smtp_server):
    from commentsvc.extensions import db
    from commentsvc.gdpr.retention import purge
    from commentsvc.models.base import utcnow

    smtp_server.inbox.refuse = {"finns.inte@example.se": "550 5.1.1 No such user"}
    gone = plant(app, "finns.inte@example.se", "Till ingen")
    deliver(app)
    app.config["OUTBOX_RETENTION_DAYS"] = 30
    with app.app_context():
        purge(now=utcnow() + timedelta(days=29))
        db.session.commit()
    assert gone in rows(app)
    with app.app_context():
        purge(now=utcnow() + timedelta(days=31))
        db.session.commit()
    assert gone not in rows(app)
