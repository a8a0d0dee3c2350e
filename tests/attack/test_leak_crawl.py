"""The leak crawl: a stranger's browser follows every link from every public route (pages,
embed, script, JSON API, feeds, avatars, report pages) and never meets a commenter's or a
notifier's email address, nor the unkeyed hashes of it that Gravatar and its copies use (md5,
sha1, sha256 of the address), nor what a notifier wrote."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

import pytest

from commentsvc.notify import notifications, subscriptions

EMAILS = [
    "eva.lund@example.se",
    "Greta.Eva@Example.se",
    "ada.admin@example.se",
    "notis.givare@example.se",  # gave notice of illegal content: moderators only see it
]
EXPLANATION = "Hemlig motivering i anmälan"
LINK = re.compile(r"""(?:href|src|action)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
JSON_URL = re.compile(r"^(?:https?://localhost)?/[^\s]*$")


def needles() -> dict[str, str]:
    """What must never show, each with a label for the failure message."""
    found = {}
    for email in EMAILS:
        for form in {email, email.lower(), email.strip().lower()}:
            found[form.lower()] = f"the address {email}"
            for name in ("md5", "sha1", "sha256"):
                digest = hashlib.new(name, form.encode()).hexdigest()
                found[digest] = f"{name} of {form}"
    found[EXPLANATION.lower()] = "a notifier's explanation"
    return found


@pytest.fixture
def config_overrides() -> dict:
    return {"MODERATION": "first-time", "DEMO": True}


@pytest.fixture
def published(app, article, add_comment, make_moderator):
    """Comments by the addresses above: approved, replied to, held, spam, a staff reply, and
    reports: one on a published comment, three that hold another; the first author asked for
    email about replies (a confirmation and a notification mail)."""
    from commentsvc import moderation, reports, threads
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow
    from commentsvc.models.mail import Subscriber, SubscriptionKind
    from commentsvc.models.reports import ReportReason
    from commentsvc.models.threads import Comment

    first = add_comment(article, "Första", email=EMAILS[0], website="https://eva.example.se")
    add_comment(article, "Svar", email=EMAILS[1], author="Greta", parent=first)
    add_comment(article, "Väntar", email=EMAILS[0], approve=False)
    spam = add_comment(article, "Skräp", email=EMAILS[1], approve=False)
    make_moderator("ada", role="admin", email=EMAILS[2])
    with app.app_context():
        moderation.mark_spam(spam, by="ada", now=utcnow())
        moderation.reply_as_staff(
            first, "Tack!", by="ada", author="Ada", email=EMAILS[2], now=utcnow()
        )
        threads.create_article("demo-2", title="Andra", url="https://www.example.se/2")
        subscriptions.subscribe(
            db.session.get(Comment, first), SubscriptionKind.REPLIES, language="sv", now=utcnow()
        )
        db.session.execute(db.update(Subscriber).values(confirmed_at=utcnow()))
        db.session.commit()
    add_comment(article, "Ett svar till Eva", email=EMAILS[1], author="Greta", parent=first)
    with app.app_context():
        notifications.queue_due_notifications(now=utcnow() + timedelta(hours=1))
        db.session.commit()
    held_by_readers = add_comment(article, "Anmäld", email=EMAILS[1], author="Greta")
    with app.app_context():
        for target, browsers in ((first, "a"), (held_by_readers, "bcd")):
            for browser in browsers:
                notice = reports.NewReport(
                    ReportReason.ILLEGAL,
                    EXPLANATION,
                    name="Notis Givare",
                    email=EMAILS[3],
                    good_faith=True,
                )
                if browser in "cd":  # one address counts once: the others give none
                    notice = reports.NewReport(ReportReason.SPAM)
                reporter = reports.reporter_key(browser)
                reports.file_report(
                    target,
                    notice,
                    reporter=reporter,
                    network=f"network-of-{browser}",
                    lang="sv",
                    now=utcnow(),
                )
        db.session.commit()
    return article


def mail_links(app) -> list[str]:
    """The confirmation and unsubscribe links in readers' mails: the pages they open show
    no address either, should a mail be forwarded."""
    from commentsvc.extensions import db
    from commentsvc.models.mail import OutboxMail

    with app.app_context():
        bodies = db.session.execute(db.select(OutboxMail.body)).scalars().all()
    found = re.findall(r"(/subscriptions/\w+\?\S+)", "\n".join(bodies))
    assert any("confirm" in u for u in found) and any("unsubscribe" in u for u in found)
    return found


def seeds(app, key: str) -> list[str]:
    """Every public GET route: those without arguments, and with the article where they read one."""
    urls = {
        f"/thread?article={key}",
        f"/embed?article={key}",
        f"/api/v1/comments?article={key}",
        f"/api/v1/comments?article={key}&texts=1",
        f"/api/v1/counts?article={key}&article=demo-2",
        f"/feed.atom?article={key}",
        f"/thread?article={key}&lang=en",
    }
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/moderation") or "GET" not in rule.methods or rule.arguments:
            continue
        urls.add(rule.rule)
    return sorted(urls)


def links_in(url: str, answer) -> list[str]:
    text = answer.get_data(as_text=True)
    found = [urljoin(url, link) for link in LINK.findall(text)]
    if answer.is_json:

        def walk(value):
            if isinstance(value, dict):
                for item in value.values():
                    yield from walk(item)
            elif isinstance(value, list):
                for item in value:
                    yield from walk(item)
            elif isinstance(value, str) and JSON_URL.match(value):
                yield value

        found += list(walk(json.loads(text)))
    local = []
    for link in found:
        parts = urlsplit(link)
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            continue
        if parts.path.startswith("/moderation"):
            continue
        local.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return local


def test_no_public_route_shows_an_email_or_its_hashes(app, published):
    stranger = app.test_client()
    to_visit, seen, leaks = seeds(app, published) + mail_links(app), set(), []
    wanted = needles()
    while to_visit and len(seen) < 400:
        url = to_visit.pop()
        if url in seen:
            continue
        seen.add(url)
        answer = stranger.get(url)
        assert answer.status_code < 500, url
        body = answer.get_data(as_text=True).lower() + str(answer.headers).lower()
        leaks += [f"{url}: {label}" for needle, label in wanted.items() if needle in body]
        to_visit += [link for link in links_in(url, answer) if link not in seen]
    assert not leaks, "\n".join(leaks)
    print(f"crawled {len(seen)} public URLs")
    # The crawl reached the surfaces that show comments, and their avatars.
    reached = {urlsplit(u).path for u in seen}
    assert {"/thread", "/embed", "/api/v1/comments", "/feed.atom", "/embed.js"} <= reached
    assert {"/subscriptions/confirm", "/subscriptions/unsubscribe"} <= reached
    assert any(re.fullmatch(r"/comments/\d+/report", path) for path in reached)
    assert any(path.startswith("/avatar/") for path in reached)
    assert len(seen) >= 15


def test_the_crawl_would_see_an_address_where_one_is_shown(app, published):
    # The control: the same needles are found on the admin's queue, where emails belong.
    from tests.attack.conftest import ModeratorClient

    admin = ModeratorClient(app.test_client())
    assert admin.login("ada").status_code == 303
    page = admin.get("/moderation/?status=all").get_data(as_text=True).lower()
    assert EMAILS[0] in page and EMAILS[1].lower() in page
