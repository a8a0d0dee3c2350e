"""Data-subject requests for admins in the moderation UI, the audit log of them, and the
other places an email lives (the moderators' outbox, moderator accounts)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from commentsvc import moderation
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.mail import OutboxMail
from commentsvc.models.moderation import ModerationEvent, Moderator
from commentsvc.models.threads import Comment

from .conftest import ModeratorClient

ANNA = "anna@example.se"


@pytest.fixture
def config_overrides() -> dict:
    return {"MODERATION": "all"}  # every comment is held, and a mail quotes it


@pytest.fixture
def anna(app, article, add_comment, make_moderator):
    """Anna's approved comment, her held one, Bo's reply; a mail to a moderator quotes each."""
    make_moderator("mia", email="mia@example.se", notify=True)

    def sent_then_approved(comment_id):
        # The mail went out while the comment waited; a decision withdraws only unsent ones.
        with app.app_context():
            db.session.execute(
                update(OutboxMail)
                .where(OutboxMail.comment_id == comment_id)
                .values(sent_at=utcnow())
            )
            moderation.approve(comment_id, by="test", now=utcnow())
            db.session.commit()
        return comment_id

    first = sent_then_approved(
        add_comment(article, "Annas första", website="https://anna.example.se", approve=False)
    )
    held = add_comment(article, "Annas väntande", approve=False)
    reply = sent_then_approved(
        add_comment(
            article, "Bos svar", parent=first, author="Bo", email="bo@example.se", approve=False
        )
    )
    with app.app_context():
        mails = db.session.execute(select(OutboxMail)).scalars().all()
        assert [m.comment_id for m in mails] == [first, held, reply] and ANNA in mails[0].body
    return {"first": first, "held": held, "reply": reply}


def privacy_events(app) -> list[tuple[str | None, str, str, dict]]:
    with app.app_context():
        return [
            (e.comment_id, e.actor, e.action, e.details)
            for e in db.session.execute(
                select(ModerationEvent)
                .where(
                    ModerationEvent.comment_id.is_(None),
                    ModerationEvent.action.in_(("privacy-export", "privacy-erase", "purge")),
                )
                .order_by(ModerationEvent.id)
            ).scalars()
        ]


# --- who may ---------------------------------------------------------------------------------


def test_the_page_is_for_admins_only_and_linked_in_their_navigation(app, admin, mod, client):
    page = admin.get("/moderation/privacy")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert 'href="/moderation/privacy"' in admin.get("/moderation/").get_data(as_text=True)
    assert 'href="/moderation/privacy"' not in mod.get("/moderation/").get_data(as_text=True)
    assert mod.get("/moderation/privacy").status_code == 403
    for path in ("lookup", "export", "erase"):
        assert mod.post(f"/moderation/privacy/{path}", {"email": ANNA}).status_code == 403
    anonymous = client.get("/moderation/privacy")
    assert anonymous.status_code == 302 and "/moderation/login" in anonymous.headers["Location"]
    stranger = ModeratorClient(client)  # a valid CSRF token, but nobody logged in
    assert stranger.post("/moderation/privacy/export", {"email": ANNA}).status_code == 403


@pytest.mark.parametrize("path", ["lookup", "export", "erase"])
def test_action_urls_answer_get_with_405_and_need_the_csrf_token(admin, anna, path, status_of):
    assert admin.get(f"/moderation/privacy/{path}").status_code == 405
    without = admin.client.post(
        f"/moderation/privacy/{path}", data={"email": ANNA, "confirm": "yes"}
    )
    assert without.status_code == 400
    assert status_of(anna["held"]) == "pending"
    assert "Annas" not in without.get_data(as_text=True)


# --- seeing and downloading --------------------------------------------------------------------


def test_an_admin_sees_what_is_stored_and_downloads_it(app, admin, anna):
    shown = admin.post("/moderation/privacy/lookup", {"email": " Anna@Example.se "})
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    assert "Annas första" in html and "Annas väntande" in html and "Bos svar" not in html
    assert "Kommentarer: 2" in html and "Mejl till moderatorer om dem: 2" in html
    download = admin.post("/moderation/privacy/export", {"email": ANNA})
    assert download.status_code == 200 and download.mimetype == "application/json"
    assert download.headers["Content-Disposition"].startswith("attachment; filename=")
    assert download.headers["Cache-Control"] == "no-store"
    document = json.loads(download.get_data(as_text=True))
    assert [c["text"] for c in document["comments"]] == ["Annas första", "Annas väntande"]
    assert [m["comment_id"] for m in document["outbox_mails"]] == [anna["first"], anna["held"]]
    assert document["moderator_accounts"] == []
    events = privacy_events(app)
    assert [(e[1], e[2]) for e in events] == [("ada", "privacy-export")] * 2
    assert all("Anna" not in e[3] and "anna" not in e[3] for e in events)


def test_an_email_with_no_data_says_so(admin, anna):
    html = admin.post("/moderation/privacy/lookup", {"email": "okand@example.se"}).get_data(
        as_text=True
    )
    assert "Ingenting finns lagrat om den här e-postadressen." in html
    assert "Ladda ner" not in html and "Radera…" not in html
    erased = admin.post(
        "/moderation/privacy/erase",
        {"email": "okand@example.se", "confirm": "yes"},
        follow_redirects=True,
    )
    assert "ingenting ändrades" in erased.get_data(as_text=True)


@pytest.mark.parametrize(
    ("email", "swedish", "english"),
    [
        (
            "",
            "Ange e-postadressen som begäran gäller.",
            "Enter the email address the request is about.",
        ),
        (
            "inte en adress",
            "Ange en e-postadress som namn@exempel.se.",
            "Enter an email address like namn@exempel.se.",
        ),
        (
            "a" * 290 + "@example.se",
            "högst 254 tecken; den har 301",
            "at most 254 characters; it has 301",
        ),
    ],
    ids=["empty", "not-an-email", "300-chars"],
)
@pytest.mark.parametrize("path", ["lookup", "export", "erase"])
def test_bad_input_gets_a_clear_message_in_swedish_and_english(
    admin, anna, email, swedish, english, path, status_of
):
    sv = admin.post(f"/moderation/privacy/{path}", {"email": email, "confirm": "yes"})
    assert sv.status_code == 422 and swedish in sv.get_data(as_text=True)
    en = admin.post(f"/moderation/privacy/{path}", {"email": email, "lang": "en", "confirm": "yes"})
    assert en.status_code == 422 and english in en.get_data(as_text=True)
    assert status_of(anna["held"]) == "pending"


# --- erasing ---------------------------------------------------------------------------------


def test_erasure_asks_for_confirmation_first(app, admin, anna):
    asked = admin.post("/moderation/privacy/erase", {"email": ANNA, "delete": "y"})
    assert asked.status_code == 200
    html = asked.get_data(as_text=True)
    assert "Ja, radera" in html and 'name="confirm" value="yes"' in html and 'name="delete"' in html
    with app.app_context():
        assert db.session.get(Comment, anna["first"]).email == ANNA  # nothing happened yet
    assert privacy_events(app) == []


@pytest.mark.parametrize("remove_texts", [False, True], ids=["anonymize", "delete"])
def test_an_admin_erases_and_the_email_is_nowhere_afterwards(
    app, admin, anna, article, client, runner, remove_texts
):
    form = {"email": ANNA, "confirm": "yes", **({"delete": "y"} if remove_texts else {})}
    done = admin.post("/moderation/privacy/erase", form, follow_redirects=True)
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and "Raderat:" in html
    assert "personuppgiftsradering" in html  # in the log on the same page
    traces = [ANNA, "Anna Lindqvist", "anna.example.se"]
    if remove_texts:
        traces += ["Annas första", "Annas väntande"]
    seen = {
        "thread page": client.get("/thread", query_string={"article": article}),
        "API": client.get("/api/v1/comments", query_string={"article": article}),
        "feed": client.get("/feed.atom", query_string={"article": article}),
        "site feed": client.get("/feed.atom"),
        "queue": admin.get("/moderation/?status=all"),
        "export": runner.invoke(args=["export"]).stdout,
    }
    with app.app_context():
        seen["outbox"] = [
            (m.subject, m.body) for m in db.session.execute(select(OutboxMail)).scalars()
        ]
        seen["audit"] = [
            (e.actor, e.details) for e in db.session.execute(select(ModerationEvent)).scalars()
        ]
    for where, what in seen.items():
        text = (
            what
            if isinstance(what, str)
            else (what.get_data(as_text=True) if hasattr(what, "get_data") else repr(what))
        )
        for trace in traces:
            assert trace not in text, f"{trace!r} still in the {where}"
    for where in ("thread page", "API", "feed", "site feed", "queue"):
        assert seen[where].status_code == 200, where
    again = json.loads(runner.invoke(args=["privacy-export", ANNA]).stdout)
    assert again["comments"] == again["outbox_mails"] == again["moderator_accounts"] == []
    assert "Bos svar" in seen["thread page"].get_data(as_text=True)
    # The unsent mails quoting her are gone (never delivered); the one about Bo stays.
    assert [subject for subject, _ in seen["outbox"]] and all("Bo" in s for s, _ in seen["outbox"])
    actions = [(e[1], e[2]) for e in privacy_events(app)]
    assert ("ada", "privacy-erase") in actions
    erase = next(e for e in privacy_events(app) if e[2] == "privacy-erase")
    assert erase[3]["other"] == 2 and erase[3]["texts_removed"] == remove_texts


def test_erasing_an_active_moderators_email_is_refused_a_disabled_one_is_scrubbed(
    app, admin, make_moderator, runner
):
    make_moderator("per@example.se", email="per@example.se")
    assert ModeratorClient(app.test_client()).login("Per@example.se", "fel").status_code == 401
    refused = admin.post(
        "/moderation/privacy/erase",
        {"email": "per@example.se", "confirm": "yes"},
        follow_redirects=True,
    )
    assert refused.status_code == 409
    assert "aktiva moderatorkontot per@example.se" in refused.get_data(as_text=True)
    assert 'value="per@example.se"' in refused.get_data(as_text=True)  # the address is kept
    cli = runner.invoke(args=["privacy-erase", "per@example.se"])
    assert cli.exit_code == 1 and "Inaktivera kontot" in cli.output
    exported = json.loads(runner.invoke(args=["privacy-export", "per@example.se"]).stdout)
    assert exported["moderator_accounts"][0]["username"] == "per@example.se"
    assert "password" not in json.dumps(exported)
    assert exported["failed_logins"][0]["failures"] == 1
    with app.app_context():
        account = db.session.execute(
            select(Moderator).where(Moderator.username == "per@example.se")
        ).scalar_one()
        account.active = False
        account_id = account.id
        db.session.add(ModerationEvent(comment_id=1, actor="per@example.se", action="approve"))
        db.session.commit()
    assert runner.invoke(args=["privacy-erase", "per@example.se"]).exit_code == 0
    with app.app_context():
        account = db.session.get(Moderator, account_id)
        assert (account.username, account.email) == (f"erased-moderator-{account_id}", "")
        actors = db.session.execute(select(ModerationEvent.actor)).scalars().all()
        assert "per@example.se" not in actors and f"erased-moderator-{account_id}" in actors
    after = json.loads(runner.invoke(args=["privacy-export", "per@example.se"]).stdout)
    assert after["moderator_accounts"] == after["failed_logins"] == []


# --- the audit log from the commands ----------------------------------------------------------


def test_commands_write_the_audit_log_without_the_data(app, runner, anna):
    runner.invoke(args=["privacy-export", ANNA])
    runner.invoke(args=["privacy-erase", ANNA])
    runner.invoke(args=["privacy-erase", "--delete", "bo@example.se"])
    runner.invoke(args=["purge"])
    events = privacy_events(app)
    assert [(e[1], e[2]) for e in events] == [
        ("cli", "privacy-export"),
        ("cli", "privacy-erase"),
        ("cli", "privacy-erase"),
        ("purge", "purge"),
    ]
    assert events[0][3] == {"rows": 4}  # two comments, two mails
    assert events[1][3] == {"anonymized": 2, "deleted": 0, "other": 2, "texts_removed": False}
    assert events[2][3]["texts_removed"] is True
    for event in events:
        for trace in ("anna", "Anna", "bo@", "Bos svar", "Annas"):
            assert trace not in json.dumps(event[3], ensure_ascii=False)


@pytest.mark.parametrize("email", ["", "   ", "utan-snabel-a"])
def test_an_empty_or_malformed_email_never_matches_everyone(app, runner, anna, email):
    for command in ("privacy-erase", "privacy-export"):
        result = runner.invoke(args=[command, email])
        assert result.exit_code == 1 and "namn@exempel.se" in result.output
    with app.app_context():
        assert db.session.get(Comment, anna["reply"]).email == "bo@example.se"


def test_the_privacy_logs_results_are_in_swedish(app, admin, article, add_comment):
    add_comment(article, "Annas text", email="anna@example.se")
    add_comment(article, "Gretas text", email="greta.anna@example.se")  # a near miss: kept
    admin.post("/moderation/privacy/erase", {"email": "anna@example.se", "confirm": "yes"})
    admin.post("/moderation/privacy/lookup", {"email": "greta.anna@example.se"})
    page = admin.get("/moderation/privacy").get_data(as_text=True)
    table = re.search(r'<table class="privacy-audit">.*?</table>', page, re.DOTALL).group(0)
    assert '<th scope="col">Resultat</th>' in table
    assert "1 kommentar anonymiserad, 0 borttagna, 0 andra poster" in table
    assert "comments anonymized" not in table and " rows" not in table
    assert " UTC" not in table  # times in the configured zone, as on every other page


def test_a_purge_of_one_sent_mail_says_so_in_the_singular_in_the_shell_and_the_log(
    app, runner, admin, held, make_moderator
):
    make_moderator("mia", email="mia@example.se", notify=True)
    comment = held()
    with app.app_context():
        db.session.execute(
            update(OutboxMail)
            .where(OutboxMail.comment_id == comment)
            .values(sent_at=utcnow() - timedelta(days=400))
        )
        db.session.commit()
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "Raderade 1 skickat mejl." in result.output
    page = admin.get("/moderation/privacy").get_data(as_text=True)
    table = re.search(r'<table class="privacy-audit">.*?</table>', page, re.DOTALL).group(0)
    assert "0 IP-adresser tömda, 0 kommentarer borttagna, 1 skickat mejl raderat" in table
    assert "sent mails" not in table
