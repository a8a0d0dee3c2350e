"""One rule for deleting comments for good, whoever asks: an admin, an erasure, the purge.

A comment goes only when nothing hangs under it (a reply of any status, the trashed ones
too); otherwise it stays as a placeholder. A removed placeholder left with nothing under it
goes as well, up the chain. Each test keeps a near-miss beside what it expects to go.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.moderation import ModerationEvent
from commentsvc.models.threads import Comment

ANNA, BERTIL, CECILIA, DORA = (
    "anna@example.se",
    "bertil@example.se",
    "cecilia@example.se",
    "dora@example.se",
)
OLD = utcnow() - timedelta(days=60)  # past PURGE_AFTER_DAYS (30)
RECENT = utcnow() - timedelta(days=2)


@pytest.fixture
def trash(app):
    """Move a comment to the trash through the service, at ``when``."""
    from commentsvc import moderation

    def move(comment_id: int, when=None) -> None:
        with app.app_context():
            moderation.trash(comment_id, by="moa", now=when or utcnow())
            db.session.commit()

    return move


@pytest.fixture
def stored(app):
    """The comments still stored, by id: (status, parent_id, text)."""

    def read() -> dict[int, tuple[str, int | None, str]]:
        with app.app_context():
            rows = db.session.execute(select(Comment)).scalars()
            return {c.id: (c.status.value, c.parent_id, c.text) for c in rows}

    return read


def erase(runner, email: str):
    result = runner.invoke(args=["privacy-erase", "--delete", email])
    assert result.exit_code == 0, result.output
    return result.output


# --- an erasure with --delete -----------------------------------------------------------------


def test_an_erasure_deletes_what_nothing_hangs_under_and_keeps_placeholders_for_replies(
    app, runner, article, add_comment, trash, stored
):
    leaf = add_comment(article, "Annas ensamma", email=ANNA)
    answered = add_comment(article, "Annas besvarade", email=ANNA)
    published_reply = add_comment(article, "Bertils svar", email=BERTIL, parent=answered)
    trashed_only = add_comment(article, "Annas med kastat svar", email=ANNA)
    trashed_reply = add_comment(article, "Bertils kastade svar", email=BERTIL, parent=trashed_only)
    trash(trashed_reply)
    chain = [add_comment(article, "Annas kedja 1", email=ANNA)]
    for step in (2, 3):
        chain.append(add_comment(article, f"Annas kedja {step}", email=ANNA, parent=chain[-1]))
    bertils_own = add_comment(article, "Bertils egen", email=BERTIL)

    output = erase(runner, ANNA)

    assert "2 kommentarer anonymiserade, 4 borttagna" in output
    after = stored()
    assert leaf not in after and not set(chain) & set(after)
    # Kept as empty placeholders: a published reply, and a trashed one (a moderator may
    # still restore it, under the comment it answers).
    assert after[answered] == ("approved", None, "")
    assert after[trashed_only] == ("approved", None, "")
    assert after[published_reply] == ("approved", answered, "Bertils svar")
    assert after[trashed_reply] == ("trash", trashed_only, "Bertils kastade svar")
    assert after[bertils_own] == ("approved", None, "Bertils egen")


def test_an_erasure_takes_the_placeholder_its_last_reply_hung_under(
    app, runner, article, add_comment, stored
):
    cecilias = add_comment(article, "Cecilias", email=CECILIA)
    annas_answer = add_comment(article, "Annas svar till Cecilia", email=ANNA, parent=cecilias)
    doras = add_comment(article, "Doras", email=DORA)
    annas_to_dora = add_comment(article, "Annas svar till Dora", email=ANNA, parent=doras)
    bertils_to_dora = add_comment(article, "Bertils svar till Dora", email=BERTIL, parent=doras)
    erase(runner, CECILIA)
    erase(runner, DORA)
    assert stored()[cecilias] == ("approved", None, "")  # Anna's answer still hangs under it

    erase(runner, ANNA)

    after = stored()
    assert annas_answer not in after and annas_to_dora not in after
    assert cecilias not in after  # a placeholder for nothing any more
    assert after[doras] == ("approved", None, "")  # Bertil's answer still needs its place
    assert after[bertils_to_dora] == ("approved", doras, "Bertils svar till Dora")


# --- the purge ------------------------------------------------------------------------------


@pytest.mark.parametrize("config_overrides", [{"PURGE_AFTER_DAYS": 30}])
def test_the_purge_deletes_old_trash_only_when_nothing_hangs_under_it(
    app, runner, article, add_comment, trash, stored
):
    leaf = add_comment(article, "Gammal kastad", when=OLD)
    recent_leaf = add_comment(article, "Nyss kastad", when=OLD)
    answered = add_comment(article, "Kastad med publicerat svar", when=OLD)
    published_reply = add_comment(article, "Publicerat svar", email=BERTIL, parent=answered)
    with_recent = add_comment(article, "Kastad med nyss kastat svar", when=OLD)
    recent_reply = add_comment(article, "Nyss kastat svar", email=BERTIL, parent=with_recent)
    chain = [add_comment(article, "Kedja 1", when=OLD)]
    for step in (2, 3):
        chain.append(add_comment(article, f"Kedja {step}", parent=chain[-1], when=OLD))
    for comment_id in (leaf, answered, with_recent, *chain):
        trash(comment_id, OLD)
    trash(recent_leaf, RECENT)
    trash(recent_reply, RECENT)

    result = runner.invoke(args=["purge"])

    assert result.exit_code == 0, result.output
    assert "4 kommentarer borttagna" in result.output
    assert "Behöll 2 gamla skräp- eller papperskorgskommentarer" in result.output
    after = stored()
    assert leaf not in after and not set(chain) & set(after)
    assert after[recent_leaf][0] == "trash"
    assert after[answered] == ("trash", None, "Kastad med publicerat svar")
    assert after[published_reply] == ("approved", answered, "Publicerat svar")
    assert after[with_recent][0] == "trash"
    assert after[recent_reply] == ("trash", with_recent, "Nyss kastat svar")


@pytest.mark.parametrize("config_overrides", [{"PURGE_AFTER_DAYS": 30}])
def test_the_purge_takes_the_erased_placeholder_above_the_old_trash_it_deletes(
    app, runner, article, add_comment, trash, stored
):
    cecilias = add_comment(article, "Cecilias", email=CECILIA)
    old_answer = add_comment(article, "Gammalt svar", email=BERTIL, parent=cecilias, when=OLD)
    doras = add_comment(article, "Doras", email=DORA)
    old_to_dora = add_comment(article, "Gammalt till Dora", email=BERTIL, parent=doras, when=OLD)
    live_to_dora = add_comment(article, "Levande till Dora", email=ANNA, parent=doras)
    erase(runner, CECILIA)
    erase(runner, DORA)
    trash(old_answer, OLD)
    trash(old_to_dora, OLD)

    assert runner.invoke(args=["purge"]).exit_code == 0

    after = stored()
    assert old_answer not in after and old_to_dora not in after
    assert cecilias not in after
    assert after[doras] == ("approved", None, "")
    assert after[live_to_dora] == ("approved", doras, "Levande till Dora")


# --- an admin's permanent delete ---------------------------------------------------------------


def delete(admin, comment_id: int):
    return admin.post(
        f"/moderation/comments/{comment_id}/delete", {"confirm": "yes"}, follow_redirects=True
    )


def test_an_admin_cannot_delete_a_comment_with_only_a_trashed_reply(
    app, admin, article, add_comment, trash, stored
):
    parent = add_comment(article, "Förälder")
    reply = add_comment(article, "Kastat svar", email=BERTIL, parent=parent)
    trash(reply)
    leaf = add_comment(article, "Ensam")

    refused = delete(admin, parent)

    assert refused.status_code == 409
    assert "kan därför inte raderas permanent" in refused.get_data(as_text=True)
    assert delete(admin, leaf).status_code == 200  # after the redirect to the trash
    after = stored()
    assert leaf not in after
    assert after[parent] == ("approved", None, "Förälder")
    assert after[reply] == ("trash", parent, "Kastat svar")


def test_an_admin_deleting_the_last_reply_takes_the_erased_placeholder_above_it(
    app, admin, runner, article, add_comment, stored
):
    cecilias = add_comment(article, "Cecilias", email=CECILIA)
    only_reply = add_comment(article, "Enda svaret", email=BERTIL, parent=cecilias)
    doras = add_comment(article, "Doras", email=DORA)
    first_to_dora = add_comment(article, "Första till Dora", email=BERTIL, parent=doras)
    second_to_dora = add_comment(article, "Andra till Dora", email=ANNA, parent=doras)
    erase(runner, CECILIA)
    erase(runner, DORA)

    delete(admin, only_reply)
    delete(admin, first_to_dora)

    after = stored()
    assert only_reply not in after and first_to_dora not in after
    assert cecilias not in after
    assert after[doras] == ("approved", None, "")
    assert after[second_to_dora] == ("approved", doras, "Andra till Dora")
    with app.app_context():  # the admin's decision is in the audit log, naming no person
        deleted = db.session.execute(
            select(ModerationEvent.details).where(
                ModerationEvent.comment_id == only_reply, ModerationEvent.action == "delete"
            )
        ).scalar_one()
    assert deleted == {"article": "nyhet-1"}
