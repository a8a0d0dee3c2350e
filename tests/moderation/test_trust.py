"""What the service promises about readers' data and moderators' accounts, under every path:
personal data found by exact address and erased everywhere, mails withdrawn, passwords,
sessions that end, one transaction per action, refusals in place, the audit log, undo."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from commentsvc.extensions import db
from commentsvc.models import Comment, ModerationEvent, Moderator, OutboxMail, utcnow
from tests.conftest import CSRF_INPUT, Reader

from .conftest import PASSWORD, ModeratorClient


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


# --- 1. personal data by exact identity --------------------------------------------------------

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
    from commentsvc.models import Notification, Subscriber, Subscription

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


# --- 2. erasure leaves nothing ------------------------------------------------------------------

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


# --- 3. outbox hygiene ------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["approve", "trash", "spam"])
def test_a_decision_withdraws_the_unsent_mail_about_the_comment(
    app, article, held, notified, admin, action
):
    decided = held("Avgörs snart")
    waiting = held("Väntar fortfarande", author="Bo", email="bo@example.se")
    assert {m.comment_id for m in mails(app)} == {decided, waiting}
    assert admin.act(decided, action).status_code == 303
    assert [m.comment_id for m in mails(app)] == [waiting]


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


# --- 4. passwords --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [("kort", "minst 10 tecken"), ("Mia.Moderator", "får inte vara användarnamnet")],
    ids=["short", "the-name"],
)
def test_the_same_password_rules_apply_in_all_three_places(
    app, runner, make_moderator, password, message
):
    make_moderator("mia.moderator")
    result = runner.invoke(
        args=["set-password", "mia.moderator", "--password-stdin"], input=password + "\n"
    )
    assert result.exit_code != 0 and message in result.output
    mia = ModeratorClient(app.test_client())
    assert mia.login("mia.moderator").status_code == 303
    answer = mia.post(
        "/moderation/me/password",
        {"current": PASSWORD, "password": password, "confirm": password},
    )
    assert answer.status_code == 422 and message in answer.get_data(as_text=True)
    created = runner.invoke(
        args=["create-moderator", "Mia.Moderator2", "--password-stdin"],
        input=("mia.moderator2" if "moderator" in password.lower() else password) + "\n",
    )
    assert created.exit_code != 0


def test_set_password_lets_a_moderator_in_again_after_an_import_without_secrets(
    app, runner, make_moderator
):
    make_moderator("mia")
    with app.app_context():
        db.session.execute(update(Moderator).values(password_hash="!"))  # as after import-json
        db.session.commit()
    assert ModeratorClient(app.test_client()).login("mia").status_code == 401
    result = runner.invoke(
        args=["set-password", "mia", "--password-stdin"], input="ett nytt långt lösenord\n"
    )
    assert result.exit_code == 0, result.output
    assert (
        ModeratorClient(app.test_client()).login("mia", "ett nytt långt lösenord").status_code
        == 303
    )
    unknown = runner.invoke(args=["set-password", "nobody", "--password-stdin"], input="x" * 12)
    assert unknown.exit_code != 0


def test_an_admin_resets_a_password_and_the_temporary_one_must_be_changed(app, admin, mod):
    with app.app_context():
        moa = db.session.execute(select(Moderator).where(Moderator.username == "moa")).scalar_one()
    page = admin.post(f"/moderation/moderators/{moa.id}/reset-password")
    assert page.status_code == 200
    temporary = page.get_data(as_text=True).split('class="temporary-password">')[1].split("<")[0]
    assert mod.get("/moderation/").status_code in (302, 303)  # her session has ended
    fresh = ModeratorClient(app.test_client())
    assert fresh.login("moa").status_code == 401  # the old password is gone
    login = fresh.login("moa", temporary)
    assert login.status_code == 303 and login.headers["Location"].endswith(
        "/moderation/me/password"
    )
    queue = fresh.get("/moderation/")
    assert queue.status_code == 303 and queue.headers["Location"].endswith(
        "/moderation/me/password"
    )
    wrong = fresh.post(
        "/moderation/me/password",
        {
            "current": "fel",
            "password": "ett helt nytt lösenord",
            "confirm": "ett helt nytt lösenord",
        },
    )
    assert wrong.status_code == 422 and "Det nuvarande lösenordet är fel." in wrong.get_data(
        as_text=True
    )
    done = fresh.post(
        "/moderation/me/password",
        {
            "current": temporary,
            "password": "ett helt nytt lösenord",
            "confirm": "ett helt nytt lösenord",
        },
    )
    assert done.status_code == 303
    assert fresh.get("/moderation/").status_code == 200


# --- 5. sessions end --------------------------------------------------------------------------


def copied(app, client: ModeratorClient):
    """Another browser with a copy of this one's session cookie."""
    other = app.test_client()
    cookie = client.client.get_cookie("session")
    other.set_cookie("session", cookie.value)
    assert other.get("/moderation/").status_code == 200
    return other


def test_logout_ends_a_copied_cookie_too(app, mod):
    other = copied(app, mod)
    assert mod.post("/moderation/logout").status_code == 303
    assert other.get("/moderation/").status_code == 302
    assert mod.login("moa").status_code == 303  # a new login works


@pytest.mark.parametrize("change", ["disable-enable", "role", "password", "reset"])
def test_account_changes_end_every_session_of_the_account(app, admin, mod, change):
    other = copied(app, mod)
    with app.app_context():
        moa_id = db.session.execute(
            select(Moderator.id).where(Moderator.username == "moa")
        ).scalar_one()
    if change == "disable-enable":
        admin.post(f"/moderation/moderators/{moa_id}/disable")
        admin.post(f"/moderation/moderators/{moa_id}/enable")
    elif change == "role":
        admin.post(f"/moderation/moderators/{moa_id}/role", {"role": "admin"})
    elif change == "password":
        answer = mod.post(
            "/moderation/me/password",
            {
                "current": PASSWORD,
                "password": "ett helt nytt lösenord",
                "confirm": "ett helt nytt lösenord",
            },
        )
        assert answer.status_code == 303
        assert mod.get("/moderation/").status_code == 200  # this browser goes on
    else:
        admin.post(f"/moderation/moderators/{moa_id}/reset-password")
    assert other.get("/moderation/").status_code == 302


def test_login_renews_the_session(app, mod):
    before = mod.client.get_cookie("session").value
    mod.post("/moderation/logout")
    mod.login("moa")
    assert mod.client.get_cookie("session").value != before


# --- 7. one transaction per action -------------------------------------------------------------


def test_a_refused_staff_reply_publishes_nothing_and_keeps_the_typed_text(
    app, held, admin, status_of
):
    comment = held("Väntar på svar")
    answer = admin.post(f"/moderation/comments/{comment}/reply", {"text": "<!-- -->"})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "Skriv en kommentar." in page and "&lt;!-- --&gt;</textarea>" in page
    assert status_of(comment) == "pending"
    with app.app_context():
        decisions = select(ModerationEvent).where(ModerationEvent.comment_id.is_not(None))
        assert db.session.execute(decisions).first() is None


def test_a_bulk_action_is_whole_or_nothing(app, article, add_comment, held, admin, status_of):
    parent = held("Förälder väntar")
    # A reply to a comment that is not published yet: approving it alone is refused.
    with app.app_context():
        db.session.execute(
            text("UPDATE comment SET status = 'approved' WHERE id = :id"), {"id": parent}
        )
        db.session.commit()
    reply = held("Svar", author="Bo", email="bo@example.se", parent=parent)
    other = held("En annan", author="Cilla", email="cilla@example.se")
    with app.app_context():
        db.session.execute(
            text("UPDATE comment SET status = 'pending' WHERE id = :id"), {"id": parent}
        )
        db.session.commit()
    answer = admin.post(
        "/moderation/bulk",
        {"action": "approve", "ids": [str(reply), str(other)]},
        follow_redirects=True,
    )
    page = answer.get_data(as_text=True)
    assert "Ingenting ändrades" in page
    assert (status_of(reply), status_of(other)) == ("pending", "pending")


# --- 8. refusals in place ----------------------------------------------------------------------


def test_an_edit_refused_by_the_service_comes_back_with_the_typed_text(app, held, admin):
    comment = held("Original")
    answer = admin.post(f"/moderation/comments/{comment}/edit", {"text": "<!-- -->"})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "&lt;!-- --&gt;</textarea>" in page and "Skriv en kommentar." in page


def test_a_refused_delete_answers_on_the_confirmation_page(app, article, add_comment, admin):
    parent = add_comment(article, "Har svar")
    add_comment(article, "Svaret", parent=parent, email="bo@example.se")
    answer = admin.post(f"/moderation/comments/{parent}/delete", {"confirm": "yes"})
    assert answer.status_code == 409
    page = answer.get_data(as_text=True)
    assert "har svar" in page and "Ja, radera permanent" in page


# --- 9. the audit log ---------------------------------------------------------------------------


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


# --- 10. undo that makes sense -----------------------------------------------------------------


def test_undoing_an_approval_that_a_staff_reply_depends_on_is_refused_with_a_reason(
    app, article, held, admin, status_of
):
    comment = held("Fråga till redaktionen")
    admin.post(f"/moderation/comments/{comment}/reply", {"text": "Vi svarar här."})
    assert status_of(comment) == "approved"
    answer = admin.act(comment, "undo", next=f"/moderation/comments/{comment}")
    page = admin.get(answer.headers["Location"]).get_data(as_text=True)
    assert "redaktionens svar" in page or "webbplatsens svar" in page
    assert status_of(comment) == "approved"
    thread = app.test_client().get("/thread", query_string={"article": article})
    assert "Kommentaren har tagits bort" not in thread.get_data(as_text=True)


def test_undo_is_offered_only_where_there_is_something_to_undo(app, held, admin):
    comment = held("Inget beslut ännu")
    page = admin.get(f"/moderation/comments/{comment}").get_data(as_text=True)
    assert "Ångra" not in page
    admin.act(comment, "approve")
    assert "Ångra" in admin.get(f"/moderation/comments/{comment}").get_data(as_text=True)
    queue = admin.get("/moderation/?status=approved").get_data(as_text=True)
    assert "Ångra" in queue
    admin.act(comment, "undo")
    assert "Ångra" not in admin.get(f"/moderation/comments/{comment}").get_data(as_text=True)
    assert "Ångra" not in admin.get("/moderation/").get_data(as_text=True)
