"""The audit log: every kind of decision is recorded, counted in the reader's language, and
holds no personal data."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.moderation import ModerationEvent, Moderator
from tests.conftest import CSRF_INPUT


@pytest.fixture
def config_overrides() -> dict:
    return {"MODERATION": "all"}  # every comment waits, and a mail about it is written


def test_the_log_records_settings_accounts_privacy_and_deletes(
    app, runner, article, held, admin, mod
):
    with app.app_context():
        moa_id = db.session.execute(
            select(Moderator.id).where(Moderator.username == "moa")
        ).scalar_one()
    form = admin.get("/moderation/settings").get_data(as_text=True)
    assert CSRF_INPUT.search(form)
    admin.post(
        "/moderation/settings",
        {
            "MODERATION": "first-time",
            "MAX_LINKS": "4",
            "MODERATION_KEYS": "",
            "DISALLOWED_KEYS": "",
            "MIN_SUBMIT_SECONDS": "0",
            "CLOSE_AFTER_DAYS": "0",
            "BAN_ACTION": "refuse",
        },
    )
    admin.post(f"/moderation/moderators/{moa_id}/disable")
    admin.post(f"/moderation/moderators/{moa_id}/enable")
    admin.post(f"/moderation/moderators/{moa_id}/role", {"role": "admin"})
    admin.post(f"/moderation/moderators/{moa_id}/reset-password")
    runner.invoke(args=["privacy-export", "someone@example.se"])
    gone = held("Raderas för gott")
    admin.post(f"/moderation/comments/{gone}/delete", {"confirm": "yes"})

    page = admin.get("/moderation/log").get_data(as_text=True)
    for seen in (
        "MAX_LINKS: 2 → 4",
        "MODERATION: &#34;all&#34; → &#34;first-time&#34;",
        "inaktiverade ett konto",
        "aktiverade ett konto igen",
        "moa, roll moderator → admin",
        "återställde ett lösenord",
        "lade till ett konto",
        "registerutdrag",
        "raderade permanent",
        "Artikel: nyhet-1",
    ):
        assert seen in page, seen
    settings_only = admin.get("/moderation/log?kind=settings").get_data(as_text=True)
    assert "MAX_LINKS" in settings_only and "inaktiverade ett konto" not in settings_only
    by_cli = admin.get("/moderation/log?actor=cli").get_data(as_text=True)
    assert "registerutdrag" in by_cli and "MAX_LINKS" not in by_cli
    tomorrow = (utcnow() + timedelta(days=1)).date().isoformat()
    future = admin.get(f"/moderation/log?since={tomorrow}").get_data(as_text=True)
    assert "MAX_LINKS" not in future and "0 händelser" in future
    bad = admin.get("/moderation/log?since=igår")
    assert bad.status_code == 422
    assert mod.get("/moderation/log").status_code in (302, 403)


def test_audit_details_hold_no_personal_data(app, article, held, admin, make_moderator):
    make_moderator("eva@example.se")
    with app.app_context():
        eva = db.session.execute(
            select(Moderator.id).where(Moderator.username == "eva@example.se")
        ).scalar_one()
        details = list(
            db.session.execute(
                select(ModerationEvent.details).where(ModerationEvent.comment_id.is_(None))
            ).scalars()
        )
    assert "eva@example.se" not in json.dumps(details)
    assert {"account": eva, "role": "moderator"} in details  # the account by its number


def test_the_audit_log_counts_one_event_in_the_singular(admin):
    admin.post(
        "/moderation/settings",
        {
            "MODERATION": "all",  # as this module's config: only MAX_LINKS changes
            "MAX_LINKS": "4",
            "MODERATION_KEYS": "",
            "DISALLOWED_KEYS": "",
            "MIN_SUBMIT_SECONDS": "0",
            "CLOSE_AFTER_DAYS": "0",
            "SPAM_MEMORY": "y",  # a box left unticked would turn it off: a second change
            "BAN_ACTION": "refuse",
        },
    )
    page = admin.get("/moderation/log?kind=settings").get_data(as_text=True)
    assert "<p>1 händelse</p>" in page
