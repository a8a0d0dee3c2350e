"""Two sites of one installation for the tests of what is per site: a, Swedish "Norrtälje
kommun", and b, English "Kultur i Norr"; each has a thread with the same key."""

from __future__ import annotations

from datetime import UTC, datetime

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
KEY = "nyhet-1"  # both sites have a thread with this key


def make_sites(app, *, b_settings: dict | None = None) -> None:
    from commentsvc import threads
    from commentsvc.extensions import db
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
            settings={"MAIL_FROM": "redaktionen@kulturinorr.se", "LANGUAGE": "en"}
            | (b_settings or {}),
            by="test",
            now=NOW,
        )
        threads.create_article(KEY, title="Kommunfullmäktige", site="a")
        threads.create_article(KEY, title="Jazz in the park", site="b")
        db.session.commit()


def give_role(app, username: str, site: str, role: str = "moderator") -> None:
    """Make an account of every site one of ``site``'s only, with ``role`` there (its
    SiteRole row)."""
    from commentsvc.extensions import db
    from commentsvc.models.moderation import Moderator, ModeratorRole
    from commentsvc.models.sites import SiteRole

    with app.app_context():
        account = db.session.query(Moderator).filter_by(username=username).one()
        db.session.add(SiteRole(moderator_id=account.id, site_id=site, role=ModeratorRole(role)))
        db.session.commit()


def post(app, site, text, *, email="eva@example.se", subscribe="", approve=False, when=NOW):
    """A comment on ``site``'s thread through the service; returns its id."""
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


def report(app, comment_id, reason="illegal", *, browser="x", email="", when=NOW) -> None:
    from commentsvc import reports
    from commentsvc.extensions import db
    from commentsvc.models.reports import ReportReason

    with app.app_context():
        reports.file_report(
            comment_id,
            reports.NewReport(reason=ReportReason(reason), email=email, good_faith=True),
            reporter=reports.reporter_key(browser),
            network=f"network-{browser}",
            lang="",
            now=when,
        )
        db.session.commit()


def decide(app, comment_id, *, remove: bool, when=NOW) -> None:
    from commentsvc import reports
    from commentsvc.extensions import db

    with app.app_context():
        if remove:
            reports.remove(comment_id, reason="illegal", ground="Olaga hot.", by="ada", now=when)
        else:
            reports.keep(comment_id, by="ada", now=when)
        db.session.commit()
