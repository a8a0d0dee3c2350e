"""Readers' personal data under every path of the moderation desk: found by exact address,
erased everywhere, and not kept in the outbox longer than the mail needs it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.mail import OutboxMail
from commentsvc.models.moderation import ModerationEvent, Moderator
from commentsvc.models.threads import Comment
from tests.conftest import Reader

from .conftest import ModeratorClient


@pytest.fixture
def config_overrides() -> dict:
    return {"MODERATION": "all"}  # every comment waits, and a mail about it is written


@pytest.fixture
def notified(make_moderator):
    """A moderator who gets a mail about every held comment."""
    return make_moderator("mia", email="mia@example.se", notify=True)


def mails(app) -> list[OutboxMail]:
    with app.app_context():
        found = db.session.execute(select(OutboxMail).order_by(OutboxMail.id)).scalars().all()
        db.session.expunge_all()
        return found


def every_row(app) -> str:
    """Every row of every table, as one lower-cased text."""
    with app.app_context():
        rows = []
        for table in db.metadata.sorted_tables:
            rows += [repr(tuple(r)) for r in db.session.execute(table.select())]
        return "\n".join(rows).lower()


# --- personal data by exact identity -------------------------------------------------------------

NEIGHBOURS = [
    ("eva@example.se", "greta.eva@example.se"),
    ("anna@example.se", "hanna@example.se"),
    ("eva@example.se", "eva+nyheter@example.se"),
]


@pytest.mark.parametrize(("person", "neighbour"), NEIGHBOURS)
def test_export_and_erase_find_exactly_the_person_never_a_neighbouring_address(
    app, runner, article, add_comment, notified, tmp_path, person, neighbour
):
    add_comment(article, "Personens text", author="Personen", email=person, approve=False)
    add_comment(article, "Grannens text", author="Grannen", email=neighbour, approve=False)
    assert len(mails(app)) == 2
    out = tmp_path / "export.json"
    # The address as typed in another case still finds the person.
    result = runner.invoke(args=["privacy-export", person.upper(), "-o", str(out)])
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    found = json.dumps(document, ensure_ascii=False)
    assert [c["text"] for c in document["comments"]] == ["Personens text"]
    assert len(document["outbox_mails"]) == 1
    assert "Grannen" not in found and neighbour not in found
    result = runner.invoke(args=["privacy-erase", person, "--delete"])
    assert result.exit_code == 0, result.output
    left = mails(app)
    assert len(left) == 1 and "Grannens text" in left[0].body and neighbour in left[0].body
    everything = every_row(app)
    assert "grannens text" in everything and "personens text" not in everything


@pytest.mark.parametrize(("person", "neighbour"), NEIGHBOURS)
def test_export_and_erase_of_subscriptions_match_exactly_the_person(
    app, runner, article, person, neighbour
):
    from commentsvc.models.mail import Notification, Subscriber, Subscription

    for email, name in ((person.upper(), "Personen"), (neighbour, "Grannen")):
        r = Reader(app.test_client()).post(
            article, comment=f"{name}s fråga", author=name, email=email, subscribe="replies"
        )
        assert r.status_code == 303
    with app.app_context():
        # Notes waiting for both, as if their addresses were confirmed and a reply came.
        comment_ids = db.session.execute(select(Comment.id).order_by(Comment.id)).scalars()
        for address, comment_id in zip((person, neighbour), comment_ids, strict=True):
            db.session.add(
                Notification(address=address, article_id=1, comment_id=comment_id, due_at=utcnow())
            )
        db.session.commit()
    result = runner.invoke(args=["privacy-export", person])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    # The address as typed (its domain normalized by the form) finds the person.
    assert [s["email"].lower() for s in document["subscriptions"]] == [person]
    assert [m["recipient"].lower() for m in document["outbox_mails"]] == [person]
    assert neighbour not in json.dumps(document, ensure_ascii=False)
    result = runner.invoke(args=["privacy-erase", person])
    assert result.exit_code == 0, result.output
    with app.app_context():
        for column in (Subscriber.address, Subscription.address, Notification.address):
            assert db.session.execute(select(column)).scalars().all() == [neighbour]
        assert db.session.execute(select(OutboxMail.recipient)).scalars().all() == [neighbour]


def test_every_table_with_an_address_keeps_it_normalized_in_its_own_column(
    app, article, add_comment, notified
):
    add_comment(article, "Hej", email="  Eva.Berg@EXAMPLE.se ", approve=False)
    with app.app_context():
        assert db.session.execute(select(Comment.address)).scalar_one() == "eva.berg@example.se"
        mail = db.session.execute(select(OutboxMail)).scalar_one()
        assert (mail.about_address, mail.recipient_address) == (
            "eva.berg@example.se",
            "mia@example.se",
        )
        account = db.session.execute(select(Moderator).where(Moderator.username == "mia"))
        assert account.scalar_one().address == "mia@example.se"


# --- erasure leaves nothing ----------------------------------------------------------------------

VERA = {
    "author": "Vera Växjöström",
    "email": "Vera@Example.se",
    "url": "https://vera-hemsida.example.se",
    "comment": "Ring mig på 070-1234567, Vera",
    "subscribe": "article",  # her subscription and its confirmation mail are copies too
}
VERA_STRINGS = ("växjöström", "vera@example.se", "vera-hemsida", "070-1234567")


def test_erasure_removes_every_copy_after_every_moderator_action(
    app, runner, article, make_moderator, tmp_path
):
    make_moderator("ada", role="admin", email="ada@example.se", notify=True)
    admin = ModeratorClient(app.test_client())
    assert admin.login("ada").status_code == 303
    reader = Reader(app.test_client())
    reader.post(article, **VERA)
    reader.post(article, **{**VERA, "comment": "Andra gången, 070-1234567"})
    with app.app_context():
        first, second = db.session.execute(select(Comment.id).order_by(Comment.id)).scalars()
    assert any("070-1234567" in m.body for m in mails(app))
    # Every action a moderator can take, on both comments.
    assert (
        admin.post(f"/moderation/comments/{first}/edit", {"text": "Hör av dig."}).status_code == 303
    )
    assert admin.post(f"/moderation/comments/{first}/reply", {"text": "Tack!"}).status_code == 303
    for action in ("spam", "restore", "trash", "restore"):
        assert admin.act(second, action).status_code == 303
    admin.post("/moderation/bulk", {"action": "spam", "ids": [str(second)]})
    admin.post("/moderation/bulk", {"action": "restore", "ids": [str(second)]})
    admin.post(f"/moderation/comments/{second}/edit", {"text": "Ny text utan nummer"})
    assert admin.act(second, "undo").status_code == 303  # the number is back in the text
    assert "070-1234567" in every_row(app)

    result = runner.invoke(args=["privacy-erase", "vera@example.se", "--delete"])
    assert result.exit_code == 0, result.output

    everything = every_row(app)
    export = tmp_path / "all.json"
    assert runner.invoke(args=["export", "--with-secrets", "-o", str(export)]).exit_code == 0
    exported = export.read_text(encoding="utf-8").lower()
    for needle in VERA_STRINGS:
        assert needle not in everything, needle
        assert needle not in exported, needle
    # The staff reply keeps its place under an empty placeholder.
    page = app.test_client().get("/thread", query_string={"article": article})
    assert "Tack!" in page.get_data(as_text=True)


def test_privacy_export_lists_the_earlier_versions_of_an_edited_comment(
    app, runner, article, add_comment, admin, tmp_path
):
    comment = add_comment(article, "Ring mig på 070-1234567", email="vera@example.se")
    admin.post(f"/moderation/comments/{comment}/edit", {"text": "Hör av dig."})
    out = tmp_path / "vera.json"
    assert runner.invoke(args=["privacy-export", "vera@example.se", "-o", str(out)]).exit_code == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    assert [v["text_before_edit"] for v in document["earlier_versions"]] == [
        "Ring mig på 070-1234567"
    ]


def test_a_permanent_delete_forgets_the_earlier_texts_kept_for_undo(
    app, article, add_comment, admin
):
    comment = add_comment(article, "Ring mig på 070-1234567", email="vera@example.se")
    admin.post(f"/moderation/comments/{comment}/edit", {"text": "Hör av dig."})
    admin.act(comment, "trash")
    assert (
        admin.post(f"/moderation/comments/{comment}/delete", {"confirm": "yes"}).status_code == 303
    )
    assert "070-1234567" not in every_row(app)


# --- outbox hygiene ------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["approve", "trash", "spam"])
def test_a_decision_withdraws_the_unsent_mail_about_the_comment(
    app, article, held, notified, admin, action
):
    decided = held("Avgörs snart")
    waiting = held("Väntar fortfarande", author="Bo", email="bo@example.se")
    assert {m.comment_id for m in mails(app)} == {decided, waiting}
    assert admin.act(decided, action).status_code == 303
    assert [m.comment_id for m in mails(app)] == [waiting]


def test_an_erasure_clears_the_earlier_text_held_in_the_audit_details_and_only_that(
    app, runner, article, add_comment, admin
):
    vera = add_comment(article, "Ring Vera på 070-1234567", email="vera@example.se")
    greta = add_comment(
        article, "Ring Greta på 070-7654321", author="Greta", email="greta.vera@example.se"
    )
    for comment in (vera, greta):
        admin.post(f"/moderation/comments/{comment}/edit", {"text": "Hör av dig."})
    assert runner.invoke(args=["privacy-erase", "vera@example.se"]).exit_code == 0
    with app.app_context():
        edits = {
            e.comment_id: (e.details, e.undone)
            for e in db.session.execute(
                select(ModerationEvent).where(ModerationEvent.action == "edit")
            ).scalars()
        }
    assert edits == {vera: ({}, True), greta: ({"text": "Ring Greta på 070-7654321"}, False)}
    assert "070-1234567" not in every_row(app)
    assert admin.act(greta, "undo").status_code == 303  # the neighbour's edit still undoes
    with app.app_context():
        assert db.session.get(Comment, greta).text == "Ring Greta på 070-7654321"


def test_a_permanent_delete_withdraws_the_mail_and_a_sent_mail_is_kept(
    app, article, held, notified, admin
):
    deleted = held("Raderas")
    sent = held("Redan skickad", author="Bo", email="bo@example.se")
    with app.app_context():
        db.session.execute(
            update(OutboxMail).where(OutboxMail.comment_id == sent).values(sent_at=utcnow())
        )
        db.session.commit()
    answer = admin.post(f"/moderation/comments/{deleted}/delete", {"confirm": "yes"})
    assert answer.status_code == 303
    assert [m.comment_id for m in mails(app)] == [sent]


def test_an_authors_own_deletion_withdraws_the_mail(app, client, article, notified):
    from tests.test_api import new_comment

    headers = {"Origin": "https://www.example.se"}
    body = client.post("/api/v1/comments", json=new_comment(article), headers=headers).get_json()
    assert [m.comment_id for m in mails(app)] == [body["comment"]["id"]]
    deleted = client.delete(
        f"/api/v1/comments/{body['comment']['id']}",
        headers={**headers, "X-Edit-Token": body["edit_token"]},
    )
    assert deleted.status_code == 204
    assert mails(app) == []


def test_purge_deletes_sent_mails_after_the_retention_and_keeps_the_rest(
    app, runner, article, held, notified
):
    old, recent, unsent = (held(t, email=f"{t}@example.se") for t in ("gammal", "ny", "osand"))
    now = utcnow()
    with app.app_context():
        for comment_id, sent_at in ((old, now - timedelta(days=31)), (recent, now)):
            db.session.execute(
                update(OutboxMail)
                .where(OutboxMail.comment_id == comment_id)
                .values(sent_at=sent_at)
            )
        db.session.commit()
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "1" in result.output
    assert sorted(m.comment_id for m in mails(app)) == [recent, unsent]
