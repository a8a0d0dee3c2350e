"""Every mail is its site's: sent from the site's sender under its name, with its Reply-To, in
its language (unless the reader chose one), its time zone and its point of contact, with links
that lead to the site's own thread; moderators hear only of their sites' comments."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.mailserver import mail_config

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
KEY = "nyhet-1"  # both sites have a thread with this key


@pytest.fixture
def config_overrides(smtp_port):
    return {**mail_config(smtp_port), "REPORTS_TO_HOLD": 0}


@pytest.fixture
def sites(app, make_moderator):
    """a: Swedish "Norrtälje kommun"; b: English "Kultur i Norr" with a Reply-To, another time
    zone, its own point of contact and provider. Each has a thread ``nyhet-1``."""
    from commentsvc import threads
    from commentsvc.extensions import db
    from commentsvc.models.moderation import Moderator, ModeratorRole
    from commentsvc.models.sites import SiteRole
    from commentsvc.sites import add_site

    with app.app_context():
        add_site(
            "a",
            name="Norrtälje kommun",
            origins=["https://www.norrtalje.se"],
            settings={"MAIL_FROM": "kommentarer@norrtalje.se", "LANGUAGE": "sv"},
            by="test",
            now=NOW,
        )
        add_site(
            "b",
            name="Kultur i Norr",
            origins=["https://kulturinorr.se"],
            settings={
                "MAIL_FROM": "redaktionen@kulturinorr.se",
                "MAIL_REPLY_TO": "svar@kulturinorr.se",
                "LANGUAGE": "en",
                "TIMEZONE": "America/New_York",
                "DSA_CONTACT": "dsa@kulturinorr.se",
                "PROVIDER_NAME": "Kultur i Norr AB",
            },
            by="test",
            now=NOW,
        )
        threads.create_article(KEY, title="Kommunfullmäktige", site="a")
        threads.create_article(KEY, title="Jazz in the park", site="b")
        db.session.commit()
    # Everyone's moderator, and one of site a only (a SiteRole makes an account a site's).
    make_moderator("ada", role="admin", email="ada@example.se", notify=True)
    make_moderator("anna", email="anna.mod@norrtalje.se", notify=True)
    with app.app_context():
        anna = db.session.query(Moderator).filter_by(username="anna").one()
        db.session.add(SiteRole(moderator_id=anna.id, site_id="a", role=ModeratorRole.MODERATOR))
        db.session.commit()


def post(app, site, text, *, email="eva@example.se", subscribe="", approve=False, when=NOW):
    from commentsvc import moderation, threads
    from commentsvc.extensions import db
    from commentsvc.models.threads import CommentStatus

    with app.app_context():
        draft = threads.Draft(comment=text, author="Eva Berg", email=email, subscribe=subscribe)
        article = threads.find_article(KEY, site=site)
        comment = threads.post_comment(article, draft, ip="192.0.2.0", now=when)
        if approve and comment.status != CommentStatus.APPROVED:
            moderation.approve(comment.id, by="test", now=when)
        db.session.commit()
        return comment.id


def text(message) -> str:
    """The plain-text part as written (SMTP carries CRLF line ends)."""
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def delivered(app, runner, smtp_server, minutes=0):
    """send-mail's run; each message received, by recipient."""
    from commentsvc.models.base import utcnow
    from commentsvc.notify.outbox import deliver_due

    with app.app_context():
        deliver_due(now=utcnow() + timedelta(minutes=minutes))
    return {rcpt[0]: message for rcpt, message in smtp_server.messages}


def test_a_held_comment_calls_the_moderators_of_its_site_in_the_sites_language_and_sender(
    app, runner, sites, smtp_server
):
    post(app, "b", "A question about the concert.")
    inbox = delivered(app, runner, smtp_server)
    # anna works on site a only: b's comment is none of hers.
    assert sorted(inbox) == ["ada@example.se"]
    call = inbox["ada@example.se"]
    assert call["From"] == "redaktionen@kulturinorr.se"  # moderators' filters know the address
    assert call["Reply-To"] == "svar@kulturinorr.se"
    assert call["Subject"] == "[Jazz in the park] A comment waits for review: Eva Berg"
    assert text(call).rstrip().endswith("-- \nKultur i Norr")

    smtp_server.messages.clear()
    post(app, "a", "En fråga om mötet.", email="olle@example.se")
    inbox = delivered(app, runner, smtp_server)
    assert sorted(inbox) == ["ada@example.se", "anna.mod@norrtalje.se"]
    call = inbox["anna.mod@norrtalje.se"]
    assert call["From"] == "kommentarer@norrtalje.se"
    assert call["Reply-To"] is None  # a has none: answers go to the sender
    assert call["Subject"] == ("[Kommunfullmäktige] En kommentar väntar på granskning: Eva Berg")
    assert text(call).rstrip().endswith("-- \nNorrtälje kommun")


def test_a_readers_confirmation_and_notification_come_from_the_site_by_name_with_its_links(
    app, runner, sites, smtp_server
):
    from commentsvc.extensions import db
    from commentsvc.notify import subscriptions

    # A reader of b's thread asks for notifications; another on a's thread with the same key.
    post(app, "b", "First!", email="erik@example.se", subscribe="article", approve=True)
    post(app, "a", "Först!", email="greta.erik@example.se", subscribe="article", approve=True)
    inbox = delivered(app, runner, smtp_server)
    confirm_b, confirm_a = inbox["erik@example.se"], inbox["greta.erik@example.se"]
    assert confirm_b["From"] == "Kultur i Norr <redaktionen@kulturinorr.se>"
    assert confirm_b["Reply-To"] == "svar@kulturinorr.se"
    assert confirm_b["Subject"] == "Confirm your email notifications from Kultur i Norr"
    assert confirm_a["From"] == "Norrtälje kommun <kommentarer@norrtalje.se>"
    assert confirm_a["Subject"] == "Bekräfta dina e-postaviseringar från Norrtälje kommun"

    link = re.search(r"https://\S+/subscriptions/confirm\S*", text(confirm_b)).group(0)
    with app.app_context():
        subscriptions.confirm(parse_qs(urlsplit(link).query)["token"][0], now=NOW)
        db.session.commit()
    smtp_server.messages.clear()
    post(app, "b", "Second comment on the jazz.", email="lars@example.se", approve=True)
    post(app, "a", "Inte till Erik.", email="lars@example.se", approve=True)
    inbox = delivered(app, runner, smtp_server, minutes=60)
    notification = inbox["erik@example.se"]
    assert notification["From"] == "Kultur i Norr <redaktionen@kulturinorr.se>"
    assert notification["Subject"] == "[Kultur i Norr] A new comment on “Jazz in the park”"
    body = text(notification)
    assert "Second comment on the jazz." in body and "Inte till Erik" not in body
    # The key is b's: the link says so, or it would open a's thread of the same key.
    link = re.search(r"https://\S+/thread\?\S+", body).group(0)
    assert parse_qs(urlsplit(link).query)["site"] == ["b"]
    assert "-- \nKultur i Norr" in body


def test_a_statement_of_reasons_names_the_sites_provider_contact_and_time_zone(
    app, sites, smtp_server
):
    from sqlalchemy import select

    from commentsvc import reports
    from commentsvc.extensions import db
    from commentsvc.models.reports import ReportReason, StatementOfReasons

    statements = {}
    for site in ("b", "a"):
        comment_id = post(app, site, "Ett hot.", email=f"eva.{site}@example.se", approve=True)
        with app.app_context():
            reports.file_report(
                comment_id,
                reports.NewReport(reason=ReportReason.ILLEGAL, good_faith=True),
                reporter=reports.reporter_key(f"browser-{site}"),
                network="network",
                lang="",
                now=NOW,
            )
            reports.remove(comment_id, reason="illegal", ground="Olaga hot.", by="ada", now=NOW)
            db.session.commit()
            statements[site] = db.session.execute(
                select(StatementOfReasons).where(StatementOfReasons.comment_id == comment_id)
            ).scalar_one()
    b, a = statements["b"], statements["a"]
    assert (b.site_id, a.site_id) == ("b", "a")
    assert "Provider: Kultur i Norr AB" in b.body  # b's PROVIDER_NAME, in b's language
    assert "written 2026-03-02 04:30 EST" in b.body
    assert "write to dsa@kulturinorr.se" in b.body
    assert "Tjänsteleverantör: Norrtälje kommun" in a.body  # no PROVIDER_NAME: the site's name
    assert "skriven 2026-03-02 10:30 CET" in a.body
    assert "dsa@kulturinorr.se" not in a.body


def test_the_report_page_shows_the_point_of_contact_of_the_comments_site(app, client, sites):
    b_comment = post(app, "b", "Fine words.", approve=True)
    a_comment = post(app, "a", "Fina ord.", email="olle@example.se", approve=True)
    page_b = client.get(f"/comments/{b_comment}/report").get_data(as_text=True)
    page_a = client.get(f"/comments/{a_comment}/report").get_data(as_text=True)
    assert "dsa@kulturinorr.se" in page_b
    assert "dsa@kulturinorr.se" not in page_a
    assert "kommentarer@norrtalje.se" in page_a  # a has no DSA_CONTACT: its sender


def test_stopping_every_mail_from_a_site_names_it_and_leaves_the_other_sites_subscriptions(
    app, client, runner, sites, smtp_server
):
    from sqlalchemy import select

    from commentsvc.extensions import db
    from commentsvc.models.mail import Subscription
    from commentsvc.models.threads import Article
    from commentsvc.notify import subscriptions

    for site in ("b", "a"):  # one reader, the same address on both sites
        post(app, site, "Hej!", email="erik@example.se", subscribe="article", approve=True)
    confirmation = delivered(app, runner, smtp_server)["erik@example.se"]
    link = re.search(r"https://\S+/subscriptions/confirm\S*", text(confirmation)).group(0)
    with app.app_context():
        subscriptions.confirm(parse_qs(urlsplit(link).query)["token"][0], now=NOW)
        db.session.commit()
    smtp_server.messages.clear()
    post(app, "b", "News on the jazz.", email="lars@example.se", approve=True)
    delivered(app, runner, smtp_server, minutes=60)
    ((_rcpt, notification),) = smtp_server.messages
    stop = urlsplit(notification["List-Unsubscribe"].strip("<>"))

    page = client.get(f"{stop.path}?{stop.query}").get_data(as_text=True)
    assert "Every email about comments from Kultur i Norr" in page
    assert "Norrtälje kommun" not in page
    done = client.post(f"{stop.path}?{stop.query}", data={"scope": "everything"})
    assert done.status_code == 200
    assert "You will get no more emails about comments from Kultur i Norr" in done.get_data(
        as_text=True
    )
    with app.app_context():
        left = db.session.execute(
            select(Article.site_id)
            .join(Subscription, Subscription.article_id == Article.id)
            .where(Subscription.address == "erik@example.se")
        ).scalars()
        assert list(left) == ["a"]  # a's thread still mails the reader, without a new confirmation
