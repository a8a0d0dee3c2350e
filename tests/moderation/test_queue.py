"""The queue at /moderation/: what a moderator sees, the actions, bulk work, the audit log
and undo; and what readers never see."""

from __future__ import annotations

import re

import pytest

from commentsvc.extensions import db


@pytest.fixture
def config_overrides():
    return {"MAX_LINKS": 1, "MODERATION_KEYS": ["bygglov"]}


def events(app, comment_id):
    from commentsvc.moderation.desk import events_for

    with app.app_context():
        return [
            (e.actor, e.action, e.before, e.after) for e in events_for([comment_id])[comment_id]
        ]


def test_the_queue_shows_pending_comments_oldest_first_with_why_they_were_held(mod, held, article):
    first = held("Första <a href='https://a.example'>a</a> <a href='https://b.example'>b</a>")
    second = held(
        "Om bygglov i stan", author="Erik", email="erik@example.se", website="https://erik.example"
    )
    page = mod.get("/moderation/").get_data(as_text=True)
    assert page.index(f'id="row-{first}"') < page.index(f'id="row-{second}"')
    assert "första kommentaren från denna författare" in page
    assert "2 länkar" in page
    assert "modereringsord: bygglov" in page
    assert "erik@example.se" in page and "https://erik.example" in page  # moderators only
    assert "192.0.2.0" in page  # the anonymized address
    assert "SOI Mitt startar i Svealand" in page
    assert 'Väntande <span class="count">(2)</span>' in page


def test_tabs_count_each_status_and_filter_by_article_and_search(
    mod, held, app, add_comment, article
):
    from commentsvc import threads

    with app.app_context():
        threads.create_article("nyhet-2", title="Ny bro över älven")
        db.session.commit()
    held("Pendlar varje dag", author="Lisa", email="lisa@example.se")
    held("Fler bussar tack")
    add_comment("nyhet-2", "Bra bro", author="Olle", email="olle@example.se", approve=False)
    add_comment(article, "Redan godkänd")
    page = mod.get("/moderation/?status=all").get_data(as_text=True)
    assert 'Alla <span class="count">(4)</span>' in page
    assert 'Godkända <span class="count">(1)</span>' in page
    only = mod.get("/moderation/?article=nyhet-2").get_data(as_text=True)
    assert "Bra bro" in only and "Pendlar" not in only
    for query in ("pendlar", "Lisa", "lisa@example"):
        found = mod.get("/moderation/", query_string={"q": query}).get_data(as_text=True)
        assert "Pendlar varje dag" in found and "Fler bussar" not in found


def test_the_queue_is_paginated(mod, held):
    for i in range(25):
        held(f"Kommentar nummer {i:02d}")
    first = mod.get("/moderation/").get_data(as_text=True)
    second = mod.get("/moderation/?page=2").get_data(as_text=True)
    assert "Kommentar nummer 00" in first and "Kommentar nummer 24" not in first
    assert "Kommentar nummer 24" in second and 'aria-current="page">2' in second


@pytest.mark.parametrize(
    ("action", "status"), [("approve", "approved"), ("trash", "trash"), ("spam", "spam")]
)
def test_each_decision_changes_the_status_and_is_in_the_audit_log(
    app, mod, held, status_of, action, status
):
    comment = held()
    response = mod.act(comment, action, next="/moderation/")
    assert response.status_code == 303
    assert status_of(comment) == status
    assert events(app, comment) == [("moa", action, "pending", status)]
    page = mod.get(f"/moderation/comments/{comment}").get_data(as_text=True)
    assert "moa" in page and "pending → " + status in page


def test_restore_brings_a_comment_back_to_where_it_was(app, mod, held, status_of):
    comment = held()
    mod.act(comment, "approve")
    mod.act(comment, "trash")
    mod.act(comment, "restore")
    assert status_of(comment) == "approved"
    spam = held("Något annat", email="ny@example.se")
    mod.act(spam, "spam")
    mod.act(spam, "restore")
    assert status_of(spam) == "pending"


def test_undo_reverses_the_last_decision(app, mod, held, status_of):
    comment = held()
    mod.act(comment, "approve", next="/moderation/")
    page = mod.get("/moderation/").get_data(as_text=True)
    assert f"Ångra det senaste beslutet (kommentar {comment})" in page
    mod.act(comment, "undo")
    assert status_of(comment) == "pending"
    assert [e[1] for e in events(app, comment)] == ["approve", "undo"]
    refused = mod.act(comment, "undo", next="/moderation/")
    assert "Det finns inget beslut" in mod.get("/moderation/").get_data(as_text=True)
    assert refused.status_code == 303


def test_edit_sanitizes_again_and_can_be_undone(app, mod, held):
    from commentsvc.models.threads import Comment

    comment = held("Originaltext")
    response = mod.post(
        f"/moderation/comments/{comment}/edit",
        {"text": "Rättad <script>alert(1)</script><b>text</b>"},
    )
    assert response.status_code == 303
    with app.app_context():
        stored = db.session.get(Comment, comment)
        assert "<script>" not in stored.html and "<b>text</b>" in stored.html
    mod.act(comment, "undo")
    with app.app_context():
        assert db.session.get(Comment, comment).text == "Originaltext"


def test_an_empty_edit_is_refused_and_keeps_the_text(app, mod, held):
    comment = held("Originaltext")
    response = mod.post(f"/moderation/comments/{comment}/edit", {"text": "  "})
    assert response.status_code == 422
    assert "Skriv en kommentar" in response.get_data(as_text=True)


def test_a_staff_reply_is_published_at_once_and_marked(app, mod, held, reader, article):
    comment = held("En fråga till redaktionen")
    response = mod.post(f"/moderation/comments/{comment}/reply", {"text": "Tack, vi svarar."})
    assert response.status_code == 303
    page = reader.open(article).get_data(as_text=True)
    assert "Tack, vi svarar." in page and "Redaktionen" in page
    assert "En fråga till redaktionen" in page  # the parent is published with the answer


def test_a_reply_waits_for_its_pending_parent_or_goes_with_it(
    app, mod, held, add_comment, article, status_of
):
    from commentsvc.models.threads import Comment, CommentStatus

    parent = add_comment(article, "Föräldern")
    reply = add_comment(article, "Svaret", parent=parent, approve=False, email="b@example.se")
    with app.app_context():  # the parent went back to the queue after the reply came
        db.session.get(Comment, parent).status = CommentStatus.PENDING
        db.session.commit()
    mod.act(reply, "approve", next="/moderation/")
    page = mod.get("/moderation/").get_data(as_text=True)
    assert f"svarar på kommentar {parent}, som fortfarande väntar" in page
    assert status_of(reply) == "pending"
    assert "Godkänn tillsammans med kommentaren den svarar på" in page
    mod.act(reply, "approve-with-parent")
    assert (status_of(parent), status_of(reply)) == ("approved", "approved")


def test_delete_permanently_asks_first_and_is_for_admins(app, admin, held, status_of):
    comment = held("Radera mig")
    admin.act(comment, "trash")
    confirm = admin.get(f"/moderation/comments/{comment}/confirm-delete")
    assert "Radera kommentar" in confirm.get_data(as_text=True)
    unconfirmed = admin.post(f"/moderation/comments/{comment}/delete")  # asks again, in place
    assert unconfirmed.status_code == 422 and "Radera kommentar" in unconfirmed.get_data(
        as_text=True
    )
    assert status_of(comment) == "trash"
    response = admin.post(f"/moderation/comments/{comment}/delete", {"confirm": "yes"})
    assert response.status_code == 303
    assert status_of(comment) is None
    assert events(app, comment)[-1] == ("ada", "delete", "trash", None)


def test_delete_permanently_refuses_a_comment_with_replies(app, admin, add_comment, article):
    parent = add_comment(article, "Förälder")
    add_comment(article, "Svar", parent=parent, email="b@example.se")
    page = admin.post(
        f"/moderation/comments/{parent}/delete", {"confirm": "yes"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "kan därför inte raderas permanent" in page


@pytest.mark.parametrize("action", ["approve", "trash", "spam", "restore", "undo", "edit"])
def test_an_action_on_a_comment_that_does_not_exist_is_404(mod, action):
    response = mod.act(9999, action, text="x")
    assert response.status_code == 404
    assert "Det finns ingen kommentar 9999" in response.get_data(as_text=True)


def test_bulk_with_an_empty_selection_says_so(mod, held, status_of):
    comment = held()
    response = mod.post("/moderation/bulk", {"action": "approve"}, follow_redirects=True)
    assert "Markera minst en kommentar" in response.get_data(as_text=True)
    assert status_of(comment) == "pending"


def test_bulk_without_an_action_says_so(mod, held, status_of):
    comment = held()
    response = mod.post("/moderation/bulk", {"ids": [str(comment)]}, follow_redirects=True)
    assert "Välj en åtgärd" in response.get_data(as_text=True)


def test_a_queue_of_50_is_cleared_with_bulk_actions_and_every_decision_is_logged(
    app, mod, held, status_of
):
    from commentsvc.models.moderation import ModerationEvent

    ids = [held(f"Kommentar {i}", email=f"p{i}@example.se") for i in range(50)]
    approve, spam = ids[:40], ids[40:]
    mod.post("/moderation/bulk", {"action": "approve", "ids": [str(i) for i in approve]})
    response = mod.post(
        "/moderation/bulk", {"action": "spam", "ids": [str(i) for i in spam]}, follow_redirects=True
    )
    assert "10 kommentarer uppdaterade" in response.get_data(as_text=True)
    assert 'Väntande <span class="count">(0)</span>' in response.get_data(as_text=True)
    with app.app_context():
        decisions = db.session.query(ModerationEvent).filter(
            ModerationEvent.comment_id.is_not(None)
        )
        assert decisions.count() == 50
    assert {status_of(i) for i in approve} == {"approved"}


def test_bulk_approves_parent_and_reply_together(app, mod, add_comment, article, status_of):
    from commentsvc.models.threads import Comment, CommentStatus

    parent = add_comment(article, "Föräldern")
    reply = add_comment(article, "Svaret", parent=parent, approve=False, email="b@example.se")
    with app.app_context():
        db.session.get(Comment, parent).status = CommentStatus.PENDING
        db.session.commit()
    mod.post("/moderation/bulk", {"action": "approve", "ids": [str(reply), str(parent)]})
    assert (status_of(parent), status_of(reply)) == ("approved", "approved")


@pytest.mark.parametrize("status", ["pending", "spam", "trash"])
def test_readers_never_see_or_count_comments_that_are_not_approved(
    app, mod, held, make_reader, article, status
):
    comment = held("Hemlig text", email="hemlig@example.se")
    if status != "pending":
        mod.act(comment, status)
    page = make_reader().open(article).get_data(as_text=True)
    assert "Hemlig text" not in page and "hemlig@example.se" not in page
    assert "Inga kommentarer ännu" in page


def test_a_staff_reply_to_a_trashed_comment_is_refused(app, mod, held, status_of):
    comment = held("Borttagen")
    mod.act(comment, "trash")
    page = mod.post(
        f"/moderation/comments/{comment}/reply", {"text": "Svar"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Återställ kommentaren innan du svarar på den" in page
    assert status_of(comment) == "trash"


def test_the_queue_shows_each_comments_history(app, mod, held):
    comment = held()
    mod.act(comment, "spam")
    page = mod.get("/moderation/?status=spam").get_data(as_text=True)
    assert "Historik (1)" in page
    assert "moa: markerade som skräp (pending → spam)" in page


def test_the_same_decision_twice_is_recorded_once(app, mod, held):
    comment = held()
    mod.act(comment, "trash")
    mod.act(comment, "trash")
    assert [e[1] for e in events(app, comment)] == ["trash"]


def test_the_list_view_shows_one_row_per_comment_and_is_remembered(mod, held, article):
    first = held("Hur påverkar det pendlingen från Sundsvall? " + "Lång text. " * 40)
    cards = mod.get("/moderation/").get_data(as_text=True)
    assert '<ol class="queue"' in cards and 'aria-current="page">Kort</a>' in cards
    listed = mod.get("/moderation/?view=list").get_data(as_text=True)
    assert '<table class="queue queue-list"' in listed
    row = re.search(rf'<tr class="queue-item" id="row-{first}".*?</tr>', listed, re.DOTALL)
    cells = row.group(0)
    assert "Anna Lindqvist" in cells and "anna@example.se" in cells
    assert "Hur påverkar det pendlingen" in cells and "…" in cells  # an excerpt
    assert "SOI Mitt startar i Svealand" in cells
    assert "första kommentaren från denna författare" in cells
    assert 'data-shortcut="a"' in cells and 'form="bulk"' in cells
    # The next visit, without asking, is the list again; asking for cards switches back.
    assert '<table class="queue queue-list"' in mod.get("/moderation/").get_data(as_text=True)
    assert '<ol class="queue"' in mod.get("/moderation/?view=cards").get_data(as_text=True)
    assert '<ol class="queue"' in mod.get("/moderation/").get_data(as_text=True)


def test_a_reply_shows_the_text_it_answers_in_both_views(mod, held, article, add_comment):
    parent = add_comment(article, "Bron öppnar i maj, enligt kommunen.", author="Bo Ek")
    held("Stämmer det verkligen?", parent=parent, author="Lisa Berg", email="lisa@example.se")
    held("En vanlig kommentar", author="Karin", email="karin@example.se")
    for view in ("cards", "list"):
        page = mod.get(f"/moderation/?view={view}").get_data(as_text=True)
        quoted = re.findall(r'<blockquote class="parent-text">(.*?)</blockquote>', page)
        assert quoted == ["Bron öppnar i maj, enligt kommunen."], view


def test_bulk_on_one_comment_says_so_in_the_singular(mod, held):
    one = held()
    response = mod.post(
        "/moderation/bulk", {"action": "approve", "ids": [str(one)]}, follow_redirects=True
    )
    assert "1 kommentar uppdaterad." in response.get_data(as_text=True)
