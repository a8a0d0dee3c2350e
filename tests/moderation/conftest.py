"""Fixtures for the moderation pages: accounts made through the service, and a moderator's
browser-like client that logs in through the real form and sends CSRF tokens as a page would."""

from __future__ import annotations

import pytest

from tests.conftest import CSRF_INPUT

PASSWORD = "rätt häst batteri häftklammer"


class ModeratorClient:
    """A moderator's browser: logs in through the form and posts with the page's CSRF token."""

    def __init__(self, client):
        self.client = client

    def token(self, path: str = "/moderation/login") -> str:
        match = CSRF_INPUT.search(self.client.get(path).get_data(as_text=True))
        assert match, f"{path} has no CSRF token"
        return match.group(1)

    def login(self, username: str, password: str = PASSWORD, **environ):
        token = self.token()
        return self.client.post(
            "/moderation/login",
            data={"username": username, "password": password, "csrf_token": token},
            **environ,
        )

    def post(self, path: str, data: dict | None = None, **kwargs):
        form = {"csrf_token": self.token(), **(data or {})}
        return self.client.post(path, data=form, **kwargs)

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def act(self, comment_id: int, action: str, **data):
        return self.post(f"/moderation/comments/{comment_id}/{action}", data)


@pytest.fixture
def make_moderator(app):
    """Create an account through the service; returns its user name."""
    from commentsvc.extensions import db
    from commentsvc.moderation import accounts

    def make(username="moa", *, role="moderator", email="", notify=False, password=PASSWORD):
        with app.app_context():
            accounts.create_moderator(username, password, role=role, email=email, notify=notify)
            db.session.commit()
        return username

    return make


@pytest.fixture
def mod(app, make_moderator) -> ModeratorClient:
    """A logged-in moderator (not admin)."""
    make_moderator("moa")
    client = ModeratorClient(app.test_client())
    assert client.login("moa").status_code == 303
    return client


@pytest.fixture
def admin(app, make_moderator) -> ModeratorClient:
    """A logged-in admin."""
    make_moderator("ada", role="admin", email="ada@example.se")
    client = ModeratorClient(app.test_client())
    assert client.login("ada").status_code == 303
    return client


@pytest.fixture
def held(app, article, add_comment):
    """Store a comment that waits in the queue (a first-time author); returns its id."""

    def add(text="Väntar på granskning", **kwargs):
        return add_comment(article, text, approve=False, **kwargs)

    return add


@pytest.fixture
def status_of(app):
    from commentsvc.extensions import db
    from commentsvc.models.threads import Comment

    def status(comment_id: int) -> str | None:
        with app.app_context():
            comment = db.session.get(Comment, comment_id)
            return comment.status.value if comment else None

    return status


@pytest.fixture
def report(app):
    """File a report through the service, as the form does; returns its id."""
    from commentsvc import reports
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow
    from commentsvc.models.reports import ReportReason

    def add(
        comment_id,
        reason="harassment",
        *,
        browser,
        email="",
        explanation="",
        lang="sv",
        name="",
        when=None,
        network=None,
    ):
        with app.app_context():
            filed = reports.file_report(
                comment_id,
                reports.NewReport(
                    reason=ReportReason(reason),
                    explanation=explanation,
                    name=name,
                    email=email,
                    good_faith=reason == "illegal",
                ),
                reporter=reports.reporter_key(browser),
                # Each browser in a network of its own unless told: independent readers.
                network=network or f"network-of-{browser}",
                lang=lang,
                now=when or utcnow(),
            )
            db.session.commit()
            return filed.id

    return add


@pytest.fixture
def confirm_receipt(app):
    """The notifier opens the latest receipt mailed to ``address`` and presses the button
    behind its link: their report is confirmed (they get the decision, it weighs more)."""
    import re
    from urllib.parse import parse_qs, urlsplit

    from sqlalchemy import select

    from commentsvc import reports
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow
    from commentsvc.models.mail import OutboxMail

    def confirm(address: str, when=None) -> None:
        with app.app_context():
            receipt = db.session.execute(
                select(OutboxMail)
                .where(OutboxMail.recipient == address)
                .order_by(OutboxMail.id.desc())
                .limit(1)
            ).scalar_one()
            found = re.search(r"\S*/reports/confirm\S*", receipt.body)
            assert found, receipt.body
            link = found.group(0)
            reports.confirm_report(parse_qs(urlsplit(link).query)["token"][0], now=when or utcnow())
            db.session.commit()

    return confirm
