"""Moderators see who asked for mail about a comment, and can end it."""

from __future__ import annotations

from tests.test_api import new_comment, post


def test_moderators_see_and_remove_a_comments_subscriptions(app, client, mod, article):
    from commentsvc.extensions import db
    from commentsvc.models.mail import Subscription
    from commentsvc.models.moderation import ModerationEvent

    r = post(client, new_comment(article, subscribe="replies", email="eva@example.se"))
    eva = r.get_json()["comment"]["id"]
    post(client, new_comment(article, subscribe="article", email="greta.eva@example.se"))
    page = mod.get(f"/moderation/comments/{eva}").get_data(as_text=True)
    assert "E-postprenumerationer" in page
    assert "eva@example.se · svar på den här kommentaren" in page
    assert "väntar på bekräftelse" in page
    assert "greta.eva@example.se" not in page  # another comment's subscription
    with app.app_context():
        sub_id = db.session.execute(
            db.select(Subscription.id).where(Subscription.comment_id == eva)
        ).scalar_one()
    r = mod.post(f"/moderation/comments/{eva}/subscriptions/{sub_id}/remove")
    assert r.status_code == 303
    page = mod.get(f"/moderation/comments/{eva}").get_data(as_text=True)
    assert "Prenumerationen är borttagen" in page
    assert "Ingen har bett om e-post om den här kommentaren." in page
    assert "tog bort en e-postprenumeration" in page
    with app.app_context():
        left = db.session.execute(db.select(Subscription.address)).scalars().all()
        assert left == ["greta.eva@example.se"]
        assert (
            db.session.execute(
                db.select(ModerationEvent.actor).where(ModerationEvent.action == "unsubscribe")
            ).scalar_one()
            == "moa"
        )
    # Without the page's CSRF token nothing is removed.
    other = post(
        client, new_comment(article, subscribe="replies", comment="Till", email="x@example.se")
    )
    other_id = other.get_json()["comment"]["id"]
    with app.app_context():
        sub_id = db.session.execute(
            db.select(Subscription.id).where(Subscription.comment_id == other_id)
        ).scalar_one()
    r = mod.client.post(f"/moderation/comments/{other_id}/subscriptions/{sub_id}/remove")
    assert r.status_code == 400
