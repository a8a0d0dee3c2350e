"""Readers' reports hold up against one person: a comment is held by independent readers (not by
ids a client invents), report receipts go only where they are wanted, and the report routes
tell nothing about comments that are not public."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import ALLOWED_ORIGIN, CSRF_INPUT

MISSING = 999_999


def report_form_post(client, comment_id: int, token_from: int, *, ip="198.51.100.7", **fields):
    """Post the report form with a token read from a published comment's report page."""
    environ = {"REMOTE_ADDR": ip}
    page = client.get(f"/comments/{token_from}/report", environ_base=environ)
    token = CSRF_INPUT.search(page.get_data(as_text=True)).group(1)
    form = {"reason": "spam", "csrf_token": token, **fields}
    return client.post(f"/comments/{comment_id}/report", data=form, environ_base=environ)


def api_report(client, comment_id: int, body: dict, *, ip: str = "198.51.100.7"):
    return client.post(
        f"/api/v1/comments/{comment_id}/reports",
        json=body,
        headers={"Origin": ALLOWED_ORIGIN},
        environ_base={"REMOTE_ADDR": ip},
    )


# --- hidden comments answer like missing ones -----------------------------------------------


@pytest.fixture
def hidden(app, article, add_comment):
    """A published comment beside one pending, one marked spam and one in the trash."""
    from commentsvc import moderation
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow

    published = add_comment(article, "Synlig för alla", author="Eva Berg")
    pending = add_comment(article, "Väntar på granskning", approve=False)
    spam = add_comment(article, "Köp billiga klockor")
    trash = add_comment(article, "Borttagen text")
    with app.app_context():
        moderation.mark_spam(spam, by="test", now=utcnow())
        moderation.trash(trash, by="test", now=utcnow())
        db.session.commit()
    return {"published": published, "pending": pending, "spam": spam, "trash": trash}


def without_id(text: str, comment_id: int) -> str:
    """The text with the id written as ID (not inside a longer number or a hash)."""
    return re.sub(rf"(?<![0-9A-Za-z]){comment_id}(?![0-9A-Za-z])", "ID", text)


def answers(app, comment_id: int, published: int) -> list[tuple[int, str]]:
    """What a stranger's browser gets from every report route for ``comment_id``, with the id
    itself written as ID, so that two ids' answers can be compared whole."""
    client = app.test_client()
    responses = [
        client.get(f"/comments/{comment_id}/report"),
        client.get(f"/comments/{comment_id}/report?lang=en"),
        client.get(f"/comments/{comment_id}/report?sent=1"),
        report_form_post(client, comment_id, published),
        report_form_post(client, comment_id, published, reason="illegal"),
        report_form_post(client, comment_id, published, csrf_token="fel"),
        api_report(client, comment_id, {"reason": "spam"}),
        api_report(client, comment_id, {"reason": "nonsense"}),
    ]
    return [
        (
            r.status_code,
            without_id(CSRF_INPUT.sub("TOKEN", r.get_data(as_text=True)), comment_id),
        )
        for r in responses
    ]


@pytest.mark.parametrize("kind", ["pending", "spam", "trash"])
def test_a_comment_that_is_not_public_answers_every_report_route_like_a_missing_one(
    app, hidden, kind
):
    missing = answers(app, MISSING, hidden["published"])
    assert [status for status, _ in missing] == [404, 404, 200, 404, 404, 404, 404, 422]
    assert answers(app, hidden[kind], hidden["published"]) == missing
    # Its text is nowhere in what a stranger gets.
    assert not any("Väntar" in b or "klockor" in b or "Borttagen" in b for _, b in missing)


def test_the_thank_you_page_tells_nothing_about_the_id(app, hidden):
    """``?sent=1`` is the same page, byte for byte, for a published, a hidden and a missing id:
    no article, no link, no text of the comment."""
    pages = {
        kind: app.test_client().get(f"/comments/{comment_id}/report?sent=1").get_data(as_text=True)
        for kind, comment_id in {**hidden, "missing": MISSING}.items()
    }
    assert len(set(pages.values())) == 1
    page = pages["published"]
    assert "Tack. Din anmälan har tagits emot." in page
    assert "SOI Mitt" not in page and "soi-mitt" not in page and "nyhet-1" not in page
    assert "Synlig för alla" not in page


def test_the_browser_that_sent_the_report_is_led_back_to_the_comment(app, hidden):
    client = app.test_client()
    sent = report_form_post(client, hidden["published"], hidden["published"])
    assert sent.status_code == 303
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    back = f'href="https://www.example.se/nyheter/soi-mitt#comment-{hidden["published"]}"'
    assert "Tack. Din anmälan har tagits emot." in page and back in page
    # Its session names that comment only: another id's thank-you page has no link.
    other = client.get(f"/comments/{hidden['pending']}/report?sent=1").get_data(as_text=True)
    assert "soi-mitt" not in other and "Tillbaka" not in other


# --- independent readers hold a comment, not ids a client invents ----------------------------


@pytest.fixture
def target(article, add_comment):
    return add_comment(article, "Något som någon vill få bort", author="Eva Berg")


def shown(app, article) -> bool:
    """Whether readers see the comment (the API's public thread)."""
    body = app.test_client().get("/api/v1/comments", query_string={"article": article}).json
    return body["count"] == 1


def test_invented_reporter_ids_from_one_network_never_hold_a_comment(app, article, target):
    for n in range(1, 6):
        body = {"reason": "spam", "reporter": f"invented-{n}"}
        answer = api_report(app.test_client(), target, body, ip=f"198.51.100.{n}")
        assert answer.status_code == 201
    assert shown(app, article)  # five ids, five addresses, one /24: one reader
    # Readers in two more networks make three independent readers: now it waits.
    assert api_report(app.test_client(), target, {"reason": "spam"}, ip="203.0.113.9").status_code
    assert shown(app, article)
    api_report(app.test_client(), target, {"reason": "spam"}, ip="192.0.2.77")
    assert not shown(app, article)


def test_cookieless_form_posts_from_one_network_never_hold_a_comment(app, article, target):
    # Each post from a new browser (a new session, so a new browser id); IPv6 by its /48.
    for ip in ("2001:db8:5::1", "2001:db8:5:ffff::2", "2001:db8:5:1::3", "2001:db8:5::4"):
        answer = report_form_post(app.test_client(), target, target, ip=ip)
        assert answer.status_code == 303
    assert shown(app, article)
    report_form_post(app.test_client(), target, target, ip="2001:db8:6::1")
    assert shown(app, article)
    report_form_post(app.test_client(), target, target, ip="198.51.100.7")
    assert not shown(app, article)


NOW = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)


def file(app, comment_id: int, *, network: str, browser: str, when=NOW, email: str = ""):
    """A report through the service, as the views file it."""
    from commentsvc import reports
    from commentsvc.extensions import db
    from commentsvc.models.reports import ReportReason

    with app.app_context():
        report = reports.file_report(
            comment_id,
            reports.NewReport(reason=ReportReason.SPAM, email=email),
            reporter=reports.reporter_key(browser),
            network=network,
            lang="sv",
            now=when,
        )
        db.session.commit()
        return report.id


def stored_networks(app) -> list[str]:
    from sqlalchemy import select

    from commentsvc.extensions import db
    from commentsvc.models.reports import Report

    with app.app_context():
        return list(db.session.execute(select(Report.network).order_by(Report.id)).scalars())


def test_one_network_counts_once_across_days_though_its_stored_hash_changes_daily(
    app, article, target
):
    for day in range(3):
        file(app, target, network="198.51.100.0", browser=f"b{day}", when=NOW + timedelta(days=day))
    assert shown(app, article)
    hashes = stored_networks(app)
    assert len(set(hashes)) == 3  # keyed by the day: one day's rows cannot be joined to another's
    assert not any("198.51" in h for h in hashes) and all(len(h) == 32 for h in hashes)
    file(app, target, network="203.0.113.0", browser="x", when=NOW + timedelta(days=3))
    assert shown(app, article)
    file(app, target, network="192.0.2.0", browser="y", when=NOW + timedelta(days=4))
    assert not shown(app, article)


# --- receipts go only where they are wanted --------------------------------------------------


def outbox_to(app, address: str) -> list[str]:
    from sqlalchemy import select

    from commentsvc.extensions import db
    from commentsvc.models.mail import OutboxMail

    with app.app_context():
        return list(
            db.session.execute(
                select(OutboxMail.body)
                .where(OutboxMail.recipient == address)
                .order_by(OutboxMail.id)
            ).scalars()
        )


def confirm_link(body: str) -> str:
    return re.search(r"\S*/reports/confirm\?\S+", body).group(0)


@pytest.mark.parametrize("config_overrides", [{"REPORTS_TO_HOLD": 0}])  # stays reportable
def test_notices_naming_someone_elses_address_send_it_one_mail_and_never_block_its_owner(
    app, article, add_comment, target
):
    other = add_comment(article, "En annan kommentar", author="Olle")
    for n, comment_id in enumerate([target, target, other, target, other]):
        body = {"reason": "spam", "reporter": f"elak-{n}", "email": "eva@example.se"}
        answer = api_report(app.test_client(), comment_id, body, ip=f"203.0.{n}.9")
        assert answer.status_code == 201
    assert len(outbox_to(app, "eva@example.se")) == 1
    # Eva herself reports the comment: taken, whatever was sent in her name.
    own = report_form_post(
        app.test_client(), target, target, ip="192.0.2.50", email="Eva@Example.se"
    )
    assert own.status_code == 303
    assert len(outbox_to(app, "eva@example.se")) == 1  # still one mail today
    # A near-miss address has its own receipt.
    body = {"reason": "spam", "email": "greta.eva@example.se"}
    assert api_report(app.test_client(), target, body, ip="192.0.2.60").status_code == 201
    assert len(outbox_to(app, "greta.eva@example.se")) == 1
    # The next day, one more receipt may go.
    file(
        app,
        other,
        network="198.51.100.0",
        browser="x",
        email="eva@example.se",
        when=datetime.now(UTC) + timedelta(days=1, minutes=1),
    )
    assert len(outbox_to(app, "eva@example.se")) == 2


def test_a_confirmed_notifier_weighs_two_and_alone_hears_the_decision(app, article, target):
    from commentsvc import reports
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow

    greta = app.test_client()
    report_form_post(greta, target, target, ip="198.51.100.7", email="greta@example.se")
    report_form_post(app.test_client(), target, target, ip="203.0.113.9", email="olle@example.se")
    assert shown(app, article)  # two readers, REPORTS_TO_HOLD 3
    (receipt,) = outbox_to(app, "greta@example.se")
    link = confirm_link(receipt)
    assert "greta" not in link  # an opaque token, not the address
    # A mail scanner that follows the link confirms nothing; the button does.
    page = app.test_client().get(link)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert shown(app, article)
    page = greta.get(link)
    token = CSRF_INPUT.search(page.get_data(as_text=True)).group(1)
    done = greta.post(link, data={"csrf_token": token})
    assert done.status_code == 200, done.get_data(as_text=True)
    assert "Tack: din anmälan är bekräftad." in done.get_data(as_text=True)
    assert not shown(app, article)  # 2 + 1 from two networks: held
    # The link is spent.
    assert app.test_client().get(link).status_code == 410
    # Her confirmed address now counts as her: another browser naming it is refused.
    again = api_report(
        app.test_client(), target, {"reason": "spam", "email": "greta@example.se"}, ip="192.0.2.1"
    )
    assert again.status_code in (404, 409)  # held now, so not public either
    with app.app_context():
        reports.keep(target, by="ada", now=utcnow())
        db.session.commit()
    assert len(outbox_to(app, "greta@example.se")) == 2  # receipt and decision
    assert len(outbox_to(app, "olle@example.se")) == 1  # the receipt only


@pytest.mark.parametrize("config_overrides", [{"REPORTS_TO_HOLD": 1}])
def test_one_network_never_holds_a_comment_alone_however_much_it_weighs(app, article, target):
    from commentsvc import reports
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow

    file(app, target, network="198.51.100.0", browser="a", email="a@example.se", when=utcnow())
    (receipt,) = outbox_to(app, "a@example.se")
    token = confirm_link(receipt).split("token=")[1].split("&")[0]
    with app.app_context():
        reports.confirm_report(token, now=utcnow())
        db.session.commit()
    file(app, target, network="198.51.100.0", browser="b", when=utcnow())
    assert shown(app, article)
    file(app, target, network="203.0.113.0", browser="c", when=utcnow())
    assert not shown(app, article)


# --- at once ---------------------------------------------------------------------------------


@pytest.mark.parametrize("config_overrides", [{"REPORTS_TO_HOLD": 2}])
def test_reports_sent_at_once_from_one_network_still_count_once_and_mail_once(
    app, article, add_comment
):
    """Parallel requests: each must see the others' reports, or one network would count as
    several readers and one address get several receipts."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    targets = [add_comment(article, f"Kommentar {n}", author="Eva Berg") for n in range(3)]
    readers = 8
    for round_, target in enumerate(targets):
        start = threading.Barrier(readers)

        def send(n: int, target=target, start=start, round_=round_):
            body = {"reason": "spam", "reporter": f"r{n}", "email": f"offer{round_}@example.se"}
            client = app.test_client()
            start.wait()
            return api_report(client, target, body, ip=f"198.51.100.{n + 1}").status_code

        with ThreadPoolExecutor(readers) as pool:
            statuses = list(pool.map(send, range(readers)))
        assert statuses == [201] * readers
        assert len(outbox_to(app, f"offer{round_}@example.se")) == 1
    body = app.test_client().get("/api/v1/comments", query_string={"article": article}).json
    assert body["count"] == 3  # none held: every report came from one network
