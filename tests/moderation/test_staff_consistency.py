"""The site's own answer never stands under a removed comment, whatever the action: trash, spam,
a bulk action, a removal after reports, undo and restore all refuse it with the way forward
("Ta bort redaktionens svar först"), and the way forward works. A staff reply or a moderator's
edit that holds nothing but markup is refused and nothing is published."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from commentsvc.extensions import db
from commentsvc.models.moderation import ModerationEvent
from commentsvc.models.threads import Comment

WAY_FORWARD = "Ta bort redaktionens svar först"
REMOVED = "Kommentaren har tagits bort"


@pytest.fixture
def config_overrides() -> dict:
    return {"MODERATION": "all"}  # every comment waits: a moderator publishes it


@pytest.fixture
def answered(app, held, mod):
    """Gunnel's comment, published by the newsroom's answer "Tack Gunnel!" under it; and
    Hanna's comment beside it, which nobody answered. Returns (gunnel, answer, hanna)."""
    gunnel = held("Bra artikel om badhuset", author="Gunnel", email="gunnel@example.se")
    hanna = held("Jag håller med", author="Hanna", email="hanna@example.se")
    mod.act(hanna, "approve")
    assert (
        mod.post(f"/moderation/comments/{gunnel}/reply", {"text": "Tack Gunnel!"}).status_code
        == 303
    )
    with app.app_context():
        answer = db.session.execute(
            select(Comment.id).where(Comment.parent_id == gunnel, Comment.by_staff.is_(True))
        ).scalar_one()
    return gunnel, answer, hanna


def decisions(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(ModerationEvent)).scalar_one()


def thread_page(app, article) -> str:
    return (
        app.test_client().get("/thread", query_string={"article": article}).get_data(as_text=True)
    )


def flashed(mod, answer) -> str:
    return mod.get(answer.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("action", ["trash", "spam"])
def test_removing_a_comment_the_site_answered_is_refused_with_the_way_forward(
    app, article, mod, answered, status_of, action
):
    gunnel, answer, hanna = answered
    before = decisions(app)
    refused = mod.act(gunnel, action, next=f"/moderation/comments/{gunnel}")
    page = flashed(mod, refused)
    assert WAY_FORWARD in page and f"kommentar {answer}" in page
    assert (status_of(gunnel), status_of(answer)) == ("approved", "approved")
    assert decisions(app) == before
    thread = thread_page(app, article)
    assert "Tack Gunnel!" in thread and REMOVED not in thread
    # The near miss: the comment beside it, which the site did not answer, goes.
    mod.act(hanna, action)
    assert status_of(hanna) == action


def test_the_way_forward_works_answer_first_then_the_comment(
    app, article, mod, answered, status_of
):
    gunnel, answer, _hanna = answered
    mod.act(answer, "trash")
    assert status_of(answer) == "trash"
    mod.act(gunnel, "trash")
    assert status_of(gunnel) == "trash"
    thread = thread_page(app, article)
    assert "Tack Gunnel!" not in thread and "Bra artikel om badhuset" not in thread


def test_undo_and_restore_never_bring_the_answer_back_over_a_removed_comment(
    app, article, mod, answered, status_of
):
    gunnel, answer, _hanna = answered
    mod.act(answer, "trash")
    mod.act(gunnel, "trash")
    before = decisions(app)
    for action in ("undo", "restore"):
        refused = mod.act(answer, action, next=f"/moderation/comments/{answer}")
        page = flashed(mod, refused)
        assert f"Återställ kommentar {gunnel} först" in page, action
        assert status_of(answer) == "trash"
    assert decisions(app) == before
    assert "Tack Gunnel!" not in thread_page(app, article)
    # In the right order both come back: the comment first, then its answer.
    mod.act(gunnel, "undo")
    assert status_of(gunnel) == "approved"
    mod.act(answer, "undo")
    assert status_of(answer) == "approved"
    thread = thread_page(app, article)
    assert "Tack Gunnel!" in thread and REMOVED not in thread


def test_undoing_the_approval_under_an_answer_is_refused_as_the_removal_is(
    app, mod, answered, status_of
):
    gunnel, answer, _hanna = answered
    refused = mod.act(gunnel, "undo", next=f"/moderation/comments/{gunnel}")
    page = flashed(mod, refused)
    assert "webbplatsens svar" in page or "redaktionens svar" in page
    assert (status_of(gunnel), status_of(answer)) == ("approved", "approved")


@pytest.mark.parametrize("action", ["trash", "spam"])
def test_a_bulk_removal_with_an_answered_comment_changes_nothing_and_says_why(
    app, mod, answered, status_of, action
):
    gunnel, answer, hanna = answered
    refused = mod.post(
        "/moderation/bulk",
        {"action": action, "ids": [str(gunnel), str(hanna)], "next": "/moderation/?status=all"},
    )
    page = flashed(mod, refused)
    assert "Ingenting ändrades" in page and WAY_FORWARD in page
    assert (status_of(gunnel), status_of(hanna), status_of(answer)) == (
        "approved",
        "approved",
        "approved",
    )


def test_a_bulk_removal_of_the_comment_and_its_answer_together_removes_both(
    app, article, mod, answered, status_of
):
    gunnel, answer, hanna = answered
    done = mod.post("/moderation/bulk", {"action": "trash", "ids": [str(gunnel), str(answer)]})
    assert "2 kommentarer uppdaterade" in flashed(mod, done)
    assert (status_of(gunnel), status_of(answer), status_of(hanna)) == (
        "trash",
        "trash",
        "approved",
    )
    assert "Tack Gunnel!" not in thread_page(app, article)


def test_a_removal_after_reports_of_an_answered_comment_is_refused_and_reports_stay_open(
    app, mod, answered, report, status_of
):
    from commentsvc.reports.notices import open_reports

    gunnel, answer, hanna = answered
    report(gunnel, browser="läsare-1")
    report(hanna, browser="läsare-2")
    refused = mod.post(
        f"/moderation/comments/{gunnel}/reports/remove",
        {"reason": "illegal", "ground": "Olaga hot, brottsbalken 4 kap. 5 §."},
    )
    page = flashed(mod, refused)
    assert WAY_FORWARD in page
    assert (status_of(gunnel), status_of(answer)) == ("approved", "approved")
    with app.app_context():
        assert len(open_reports(gunnel)) == 1  # nobody has decided: the report waits
    # The near miss: the reported comment nobody answered is removed as before.
    removed = mod.post(
        f"/moderation/comments/{hanna}/reports/remove", {"reason": "illegal", "ground": "Hot"}
    )
    assert removed.status_code == 303
    assert status_of(hanna) == "trash"


# --- a staff reply or edit of nothing but markup ----------------------------------------


@pytest.mark.parametrize(
    "text", ["<script></script>", "<b> </b>", "<a href='https://x.example'></a>", "&nbsp;"]
)
def test_a_staff_reply_of_nothing_but_markup_is_refused_and_nothing_is_published(
    app, article, held, mod, status_of, text
):
    comment = held("Väntar på svar")
    before = decisions(app)
    answer = mod.post(f"/moderation/comments/{comment}/reply", {"text": text})
    assert answer.status_code == 422
    assert "Svaret innehåller bara kod" in answer.get_data(as_text=True)
    assert status_of(comment) == "pending"  # not published with a reply that is not there
    assert decisions(app) == before
    with app.app_context():
        staff = select(func.count()).select_from(Comment).where(Comment.by_staff.is_(True))
        assert db.session.execute(staff).scalar_one() == 0
    assert "&lt;script&gt;" not in thread_page(app, article)


def test_a_staff_reply_with_words_inside_markup_is_published(app, article, held, mod, status_of):
    comment = held("Väntar på svar")
    answer = mod.post(f"/moderation/comments/{comment}/reply", {"text": "<b>Tack!</b>"})
    assert answer.status_code == 303
    assert status_of(comment) == "approved"
    assert "<strong>Tack!</strong>" in thread_page(app, article) or "<b>Tack!</b>" in (
        thread_page(app, article)
    )


def test_a_moderators_edit_to_nothing_but_markup_is_refused_and_the_text_stays(
    app, held, mod, article
):
    comment = held("Originaltexten står kvar")
    mod.act(comment, "approve")
    answer = mod.post(f"/moderation/comments/{comment}/edit", {"text": "<script></script>"})
    assert answer.status_code == 422
    assert "Texten innehåller bara kod" in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Comment, comment).text == "Originaltexten står kvar"
    assert "Originaltexten står kvar" in thread_page(app, article)
    # The near miss: an edit with words is saved.
    assert mod.post(f"/moderation/comments/{comment}/edit", {"text": "Ny text"}).status_code == 303
    with app.app_context():
        assert db.session.get(Comment, comment).text == "Ny text"


def test_taking_an_answered_comment_back_to_the_queue_is_refused_as_a_removal(
    app, answered, status_of
):
    """The rule sits in the one function every status change goes through, so an action that
    takes a published comment back to the queue (an unapproval) obeys it without its own
    check; the near miss, the comment nobody answered, goes back."""
    from commentsvc.models.base import utcnow
    from commentsvc.models.moderation import AuditAction
    from commentsvc.models.threads import CommentStatus
    from commentsvc.moderation import actions

    gunnel, answer, hanna = answered
    with app.app_context():
        with pytest.raises(actions.ModerationRefused):
            actions._set_status(
                db.session.get(Comment, gunnel),
                CommentStatus.PENDING,
                AuditAction.UNAPPROVE,
                by="moa",
                now=utcnow(),
            )
        db.session.rollback()
        actions._set_status(
            db.session.get(Comment, hanna),
            CommentStatus.PENDING,
            AuditAction.UNAPPROVE,
            by="moa",
            now=utcnow(),
        )
        db.session.commit()
    assert (status_of(gunnel), status_of(answer), status_of(hanna)) == (
        "approved",
        "approved",
        "pending",
    )
