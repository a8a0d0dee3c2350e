"""Reports and statements in privacy exports, erasure and the retention purge."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.models.reports import Report, StatementOfReasons
from commentsvc.privacy.identity import normalize_address


def _when_iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def find_reports(email: str) -> list[dict[str, Any]]:
    """The reports a person sent, found by their exact (normalized) address."""
    found = db.session.execute(
        select(Report).where(Report.address == normalize_address(email)).order_by(Report.id)
    ).scalars()
    return [
        {
            "id": r.id,
            "site": r.site_id,
            "comment_id": r.comment_id,
            "reason": r.reason.value,
            "explanation": r.explanation,
            "name": r.name,
            "email": r.email,
            "good_faith": r.good_faith,
            "created_at": _when_iso(r.created_at),
            "confirmed_at": _when_iso(r.confirmed_at),
            "decided_at": _when_iso(r.decided_at),
            "outcome": r.outcome.value if r.outcome else None,
        }
        for r in found
    ]


def erase_reports(email: str, delete: bool) -> int:
    """Clear who sent them and what they wrote; the reason and times stay for the counts."""
    found = list(
        db.session.execute(
            select(Report).where(Report.address == normalize_address(email))
        ).scalars()
    )
    for report in found:
        _clear(report)
    return len(found)


def _clear(report: Report) -> None:
    report.name = report.email = report.address = report.explanation = report.reporter = ""
    report.network = ""


def find_statements(email: str) -> list[dict[str, Any]]:
    """Statements of reasons sent to a person about their removed comments."""
    found = db.session.execute(
        select(StatementOfReasons)
        .where(StatementOfReasons.address == normalize_address(email))
        .order_by(StatementOfReasons.id)
    ).scalars()
    return [
        {
            "id": s.id,
            "site": s.site_id,
            "comment_id": s.comment_id,
            "ban_id": s.ban_id,
            "recipient": s.recipient,
            "reason": s.reason,
            "ground": s.ground,
            "body": s.body,
            "decided_by": s.decided_by,
            "created_at": _when_iso(s.created_at),
        }
        for s in found
    ]


def erase_statements(email: str, delete: bool) -> int:
    """The address and the text (it quotes the comment) go; the ground and date stay."""
    found = list(
        db.session.execute(
            select(StatementOfReasons).where(StatementOfReasons.address == normalize_address(email))
        ).scalars()
    )
    for statement in found:
        statement.recipient = statement.address = statement.body = ""
    return len(found)


def purge_reports(cutoff: datetime) -> int:
    """Clear the personal data of reports decided before ``cutoff``; how many were cleared."""
    found = list(
        db.session.execute(
            select(Report).where(Report.decided_at < cutoff, Report.purged.is_(False))
        ).scalars()
    )
    for report in found:
        _clear(report)
        report.purged = True
    return len(found)
