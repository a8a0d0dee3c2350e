"""Retention: old anonymized IPs cleared, old spam and trash deleted, by a cron-safe command."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.threads import Comment, CommentStatus

from .test_import_wordpress import comment, item, stored_by_source, wxr

OLD = (utcnow() - timedelta(days=60)).strftime("%Y-%m-%d %H:%M:%S")
NEW = (utcnow() - timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S")


@pytest.fixture
def history(runner, tmp_path):
    """Old and recent comments in every state, from an import (which keeps the dates)."""
    comments = (
        comment(1, date=OLD, ip="203.0.113.9")
        + comment(2, date=NEW, ip="203.0.113.9")
        + comment(3, date=OLD, approved="spam")
        + comment(4, date=NEW, approved="spam")
        + comment(5, date=OLD, approved="trash")
        + comment(6, date=OLD, approved="spam")
        + comment(7, 6, date=OLD)  # someone answered the old spam
        + comment(8, date=OLD, approved="0")
    )
    path = tmp_path / "wp.xml"
    path.write_text(wxr(item(1, comments)), encoding="utf-8")
    assert runner.invoke(args=["import-wordpress", str(path)]).exit_code == 0


@pytest.mark.parametrize("config_overrides", [{"IP_RETENTION_DAYS": 30, "PURGE_AFTER_DAYS": 30}])
def test_purge_clears_old_ips_and_deletes_old_spam_and_trash(app, runner, history):
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    # Each count in its own singular or plural (Swedish by default).
    assert "Rensat: 1 lagrad IP-adress tömd; 2 kommentarer borttagna (skräp 1" in result.output
    assert "Behöll 1 gammal skräp- eller papperskorgskommentar som" in result.output
    stored = stored_by_source(app)
    assert stored["1"].ip == "" and stored["2"].ip == "203.0.113.0"
    assert set(stored) == {"1", "2", "4", "6", "7", "8"}
    assert stored["4"].status == CommentStatus.SPAM  # recent spam waits
    assert stored["7"].parent_id == stored["6"].id  # answered spam is kept for the reply
    again = runner.invoke(args=["purge"])
    assert again.exit_code == 0 and set(stored_by_source(app)) == set(stored)
    assert "0 " in again.output


@pytest.mark.parametrize("config_overrides", [{"IP_RETENTION_DAYS": 0, "PURGE_AFTER_DAYS": 0}])
def test_zero_days_keeps_everything(app, runner, history):
    with app.app_context():
        before = [(c.id, c.ip) for c in db.session.execute(select(Comment)).scalars()]
    assert runner.invoke(args=["purge"]).exit_code == 0
    with app.app_context():
        assert [(c.id, c.ip) for c in db.session.execute(select(Comment)).scalars()] == before


def test_by_default_trash_goes_after_thirty_days_and_ips_stay(app, runner, history):
    runner.invoke(args=["purge"])
    stored = stored_by_source(app)
    assert "5" not in stored and stored["1"].ip == "203.0.113.0"
