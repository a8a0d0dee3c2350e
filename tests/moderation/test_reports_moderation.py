"""The moderators' tab "Anmälningar": keep or remove a reported comment, the mails and the
statement of reasons that follow, the transparency report, and reports as personal data."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest


@pytest.fixture
def reported(article, add_comment, report, confirm_receipt):
    """Two reported comments: one with three reports (held), one with a single report; the
    notifier who gave an address confirmed it from the receipt."""
    many = add_comment(article, "Hotfull kommentar", author="Eva Berg", email="eva@example.se")
    few = add_comment(article, "Lite off topic", author="Olle", email="olle@example.se")
    report(few, "off-topic", browser="a")
    report(
        many,
        "illegal",
        browser="b",
        email="greta.eva@example.se",
        name="Greta",
        explanation="Olaga hot mot en namngiven person.",
        lang="en",
    )
    report(many, "harassment", browser="c")
    report(many, "spam", browser="d")
    confirm_receipt("greta.eva@example.se")
    return many, few


def mails(app):
    from sqlalchemy import select

    from commentsvc.extensions import db
    from commentsvc.models.mail import OutboxMail

    with app.app_context():
        return [
            (m.recipient, m.subject, m.body, m.comment_id)
            for m in db.session.execute(select(OutboxMail).order_by(OutboxMail.id)).scalars()
        ]


def test_the_tab_lists_reported_comments_most_reported_first(mod, reported):
    many, few = reported
    page = mod.get("/moderation/reports").get_data(as_text=True)
    assert "Anmälningar" in page
    assert page.index(f'id="report-{many}"') < page.index(f'id="report-{few}"')
    assert "Eva Berg om SOI Mitt startar i Svealand: 3 anmälningar" in page
    assert "Olaga hot mot en namngiven person." in page
    # Moderators see who gave notice, and whether the address is the notifier's own.
    assert "Greta &lt;greta.eva@example.se&gt; · adressen bekräftad" in page
    assert "anmäld av 3 läsare" in page  # why it is held
    assert "Hör inte till ämnet" in page


def test_the_tab_is_for_moderators_only(client, reported):
    assert client.get("/moderation/reports").status_code == 302
    assert client.post(f"/moderation/comments/{reported[0]}/reports/keep").status_code in (400, 403)


def test_keep_dismisses_the_reports_publishes_the_comment_again_and_tells_the_notifier(
    app, mod, reported, status_of
):
    many, _few = reported
    assert status_of(many) == "pending"
    response = mod.post(f"/moderation/comments/{many}/reports/keep")
    assert response.status_code == 303
    assert status_of(many) == "approved"
    page = mod.get("/moderation/reports").get_data(as_text=True)
    assert f'id="report-{many}"' not in page
    decision = [m for m in mails(app) if m[1].startswith("Decision on your report")]
    assert len(decision) == 1
    assert decision[0][0] == "greta.eva@example.se"
    assert "decided to keep it" in decision[0][2]
    assert decision[0][3] is None  # never tied to the author's comment in the outbox
    # The same decision twice is refused with a message, not a 500.
    again = mod.post(f"/moderation/comments/{many}/reports/keep", follow_redirects=True)
    assert "har inga öppna anmälningar" in again.get_data(as_text=True)


def test_remove_trashes_the_comment_and_sends_the_statement_of_reasons(
    app, mod, reported, status_of
):
    many, _few = reported
    response = mod.post(
        f"/moderation/comments/{many}/reports/remove",
        {"reason": "illegal", "ground": "Olaga hot, brottsbalken 4 kap. 5 §."},
    )
    assert response.status_code == 303
    assert status_of(many) == "trash"
    sent = mails(app)
    statement = [m for m in sent if m[0] == "eva@example.se"]
    assert len(statement) == 1
    _recipient, subject, body, comment_id = statement[0]
    assert subject == "Din kommentar till ”SOI Mitt startar i Svealand” har tagits bort"
    assert comment_id == many
    for part in (
        "Vad som gjordes:",  # what was done
        "3 läsare anmälde kommentaren",  # the facts
        "doldes den automatiskt",
        "> Hotfull kommentar",
        "en moderator (en människa) beslutade",  # a person decided
        "Grunden: Olagligt innehåll. Olaga hot, brottsbalken 4 kap. 5 §.",  # the ground
        "Så invänder du:",  # how to object
    ):
        assert part in body
    decision = [m for m in sent if m[1].startswith("Decision on your report")]
    assert len(decision) == 1 and "Ground: Illegal content." in decision[0][2]
    # The statement is kept and shown to moderators.
    page = mod.get("/moderation/reports").get_data(as_text=True)
    assert "Skickade motiveringar" in page and "Så invänder du:" in page
    # The audit log says why the comment went, and its page keeps the statement.
    history = mod.get(f"/moderation/comments/{many}").get_data(as_text=True)
    assert "dold efter läsares anmälningar" in history
    assert "Motivering av beslut (ärende" in history and "Så invänder du:" in history


def test_remove_needs_a_reason_from_the_list_and_a_ground(app, mod, reported, status_of):
    many, _few = reported
    response = mod.post(
        f"/moderation/comments/{many}/reports/remove", {"reason": "illegal", "ground": "  "}
    )
    assert response.status_code == 422
    assert "Skriv grunden" in response.get_data(as_text=True)
    response = mod.post(
        f"/moderation/comments/{many}/reports/remove", {"reason": "rude", "ground": "Elakt"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Välj ett av skälen i listan." in page and ">Elakt</textarea>" in page
    assert status_of(many) == "pending"
    assert [m for m in mails(app) if m[0] == "eva@example.se"] == []


def test_the_transparency_report_counts_notices_decisions_and_holds(app, runner, mod, reported):
    many, few = reported
    mod.post(f"/moderation/comments/{many}/reports/remove", {"reason": "illegal", "ground": "Hot"})
    mod.post(f"/moderation/comments/{few}/reports/keep")
    result = runner.invoke(args=["transparency-report", "--format", "json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["notices"] == 4
    assert figures["notices_by_reason"] == {
        "illegal": 1,
        "harassment": 1,
        "spam": 1,
        "personal-data": 0,
        "off-topic": 1,
        "other": 0,
    }
    assert figures["decisions"] == {"kept": 1, "removed": 1}
    assert figures["removed_by_reason"]["illegal"] == 1
    assert figures["held_automatically"] == 1
    assert figures["open_reports"] == 0
    assert figures["median_hours_notice_to_decision"] is not None
    markdown = runner.invoke(args=["transparency-report"]).output
    assert "| Olagligt innehåll | 1 |" in markdown
    assert "Kommentarer som doldes automatiskt efter anmälningar: 1" in markdown
    later = runner.invoke(args=["transparency-report", "--since", "2999-01-01", "--format", "json"])
    assert json.loads(later.output)["notices"] == 0
    bad = runner.invoke(args=["transparency-report", "--since", "igår"])
    assert bad.exit_code != 0 and "ÅÅÅÅ-MM-DD" in bad.output


def test_the_transparency_page_is_for_admins(admin, mod, reported):
    page = admin.get("/moderation/transparency").get_data(as_text=True)
    assert "Öppenhetsrapport" in page
    assert re.search(r"<td>Olagligt innehåll</td><td>1</td>", page)
    assert "Kommentarer som doldes automatiskt efter anmälningar: 1" in page
    bad = admin.get("/moderation/transparency?since=igår")
    assert bad.status_code == 422 and "ÅÅÅÅ-MM-DD" in bad.get_data(as_text=True)
    assert mod.get("/moderation/transparency").status_code == 403


def test_reports_and_statements_are_exported_and_erased_by_exact_address(
    app, runner, mod, reported, report, article, add_comment
):
    many, few = reported
    report(few, "spam", browser="x", email="eva@example.se")
    mod.post(f"/moderation/comments/{many}/reports/remove", {"reason": "illegal", "ground": "Hot"})
    exported = runner.invoke(args=["privacy-export", "eva@example.se"])
    assert exported.exit_code == 0, exported.output
    document = json.loads(exported.stdout)
    assert [r["comment_id"] for r in document["reports"]] == [few]  # not greta.eva@'s
    assert [s["comment_id"] for s in document["statements_of_reasons"]] == [many]
    greta = json.loads(runner.invoke(args=["privacy-export", "greta.eva@example.se"]).stdout)
    assert [r["explanation"] for r in greta["reports"]] == ["Olaga hot mot en namngiven person."]
    assert greta["statements_of_reasons"] == []
    # The author's data export shows no notifier's address.
    assert "greta.eva@" not in exported.output

    assert runner.invoke(args=["privacy-erase", "eva@example.se"], input="y\n").exit_code == 0
    after = json.loads(runner.invoke(args=["privacy-export", "eva@example.se"]).stdout)
    assert after["reports"] == [] and after["statements_of_reasons"] == []
    greta_after = json.loads(runner.invoke(args=["privacy-export", "greta.eva@example.se"]).stdout)
    assert len(greta_after["reports"]) == 1
    # The counts stay for the transparency report.
    figures = json.loads(runner.invoke(args=["transparency-report", "--format", "json"]).output)
    assert figures["notices"] == 5


@pytest.mark.parametrize("config_overrides", [{"PURGE_AFTER_DAYS": 30}])
def test_purge_clears_old_decided_reports_but_keeps_the_counts(
    app, runner, admin, report, article, add_comment
):
    from sqlalchemy import select

    from commentsvc import reports
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow
    from commentsvc.models.reports import Report

    old = add_comment(article, "Gammal", author="A", email="a@example.se")
    recent = add_comment(article, "Ny", author="B", email="b@example.se")
    long_ago = utcnow() - timedelta(days=40)
    report(old, "spam", browser="p", email="p@example.se", explanation="Reklam", when=long_ago)
    report(recent, "spam", browser="q", email="q@example.se", explanation="Också reklam")
    with app.app_context():
        reports.keep(old, by="moa", now=long_ago + timedelta(hours=2))
        reports.keep(recent, by="moa", now=utcnow())
        db.session.commit()
    before = json.loads(runner.invoke(args=["transparency-report", "--format", "json"]).output)
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "1 avgjord anmälan togs bort" in result.output
    # The admins' privacy page tells the purge in words, the reports too.
    privacy = admin.get("/moderation/privacy").get_data(as_text=True)
    assert "personuppgifterna i 1 avgjord anmälan borttagna" in privacy
    with app.app_context():
        rows = {
            r.comment_id: (r.email, r.explanation, r.reason.value)
            for r in db.session.execute(select(Report)).scalars()
        }
    assert rows == {old: ("", "", "spam"), recent: ("q@example.se", "Också reklam", "spam")}
    after = json.loads(runner.invoke(args=["transparency-report", "--format", "json"]).output)
    assert after == {**before, "until": after["until"]}
    assert (
        json.loads(runner.invoke(args=["privacy-export", "p@example.se"]).stdout)["reports"] == []
    )


def test_the_admins_privacy_page_counts_reports_and_statements(admin, mod, reported):
    many, _few = reported
    mod.post(f"/moderation/comments/{many}/reports/remove", {"reason": "illegal", "ground": "Hot"})
    notifier = admin.post("/moderation/privacy/lookup", {"email": "greta.eva@example.se"})
    assert "Anmälningar av kommentarer gjorda med den: 1" in notifier.get_data(as_text=True)
    author = admin.post("/moderation/privacy/lookup", {"email": "eva@example.se"})
    assert "Motiveringar av beslut om personens kommentarer: 1" in author.get_data(as_text=True)


def test_a_comment_trashed_from_the_queue_cannot_be_kept_but_can_be_removed_with_reasons(
    app, mod, reported, status_of
):
    many, _few = reported
    mod.act(many, "trash")
    refused = mod.post(f"/moderation/comments/{many}/reports/keep", follow_redirects=True)
    assert "ligger i papperskorgen eller bland skräppost" in refused.get_data(as_text=True)
    assert [m for m in mails(app) if m[1].startswith("Decision")] == []
    mod.post(f"/moderation/comments/{many}/reports/remove", {"reason": "spam", "ground": "Reklam"})
    assert status_of(many) == "trash"
    assert [m[0] for m in mails(app) if m[1].startswith("Decision")] == ["greta.eva@example.se"]
    assert [m[0] for m in mails(app) if m[0] == "eva@example.se"] == ["eva@example.se"]


def test_holding_keeping_and_removing_are_in_the_audit_log_among_the_decisions(
    admin, report, article, add_comment
):
    kept = add_comment(article, "Får stå kvar", author="Olle", email="olle@example.se")
    removed = add_comment(article, "Tas bort", author="Eva Berg", email="eva@example.se")
    for comment_id in (kept, removed):
        for browser in "abc":
            report(comment_id, "harassment", browser=browser)
    admin.post(f"/moderation/comments/{kept}/reports/keep")
    admin.post(f"/moderation/comments/{removed}/reports/remove", {"reason": "spam", "ground": "X"})
    page = admin.get("/moderation/log", query_string={"kind": "decisions"}).get_data(as_text=True)
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)
    shown = " ".join(re.sub(r"\s+", " ", row) for row in rows)
    for words in (
        "dold efter läsares anmälningar (approved → pending)",  # by "reports", for both
        "3 läsare anmälde den (REPORTS_TO_HOLD = 3)",
        "godkände (pending → approved)",  # kept: published again, as an approval
        "fick vara kvar; anmälningarna avfärdade",
        "3 anmälningar avfärdade",
        "borttagen efter 3 anmälningar: spam",  # the move to the trash says why
    ):
        assert words in shown, words
    assert shown.count("dold efter läsares anmälningar") == 2


def test_erasing_a_notifier_clears_what_she_wrote_and_her_mails_but_keeps_the_count(
    app, runner, mod, reported
):
    from sqlalchemy import select

    from commentsvc.extensions import db
    from commentsvc.models.mail import OutboxMail
    from commentsvc.models.reports import Report

    many, _few = reported
    mod.post(f"/moderation/comments/{many}/reports/keep")  # a decision mail to her as well
    erased = runner.invoke(args=["privacy-erase", "greta.eva@example.se"], input="y\n")
    assert erased.exit_code == 0, erased.output
    with app.app_context():
        rows = db.session.execute(select(Report).where(Report.reason == "illegal")).scalars()
        ((name, email, address, explanation, reporter),) = [
            (r.name, r.email, r.address, r.explanation, r.reporter) for r in rows
        ]
        assert (name, email, address, explanation, reporter) == ("", "", "", "", "")
        recipients = db.session.execute(select(OutboxMail.recipient)).scalars().all()
        assert "greta.eva@example.se" not in recipients
    backup = runner.invoke(args=["export"]).stdout
    assert "Olaga hot mot en namngiven person." not in backup
    assert "greta.eva@" not in backup
    assert "Olaga hot mot en namngiven person." not in mod.get("/moderation/reports").get_data(
        as_text=True
    )
    figures = json.loads(runner.invoke(args=["transparency-report", "--format", "json"]).output)
    assert figures["notices_by_reason"]["illegal"] == 1


def test_the_backup_export_leaves_out_the_reporters_browser_hashes(app, runner, reported):
    plain = json.loads(runner.invoke(args=["export"]).stdout)
    rows = plain["tables"]["report"]
    assert len(rows) == 4 and all(row["reason"] for row in rows)
    assert all("reporter_token" not in row for row in rows)
    full = json.loads(runner.invoke(args=["export", "--with-secrets"]).stdout)
    assert all(len(row["reporter_token"]) == 32 for row in full["tables"]["report"])


def test_a_decision_without_the_forms_token_changes_nothing_and_says_why(
    app, mod, reported, status_of
):
    many, _few = reported
    for decision, form in (("keep", {}), ("remove", {"reason": "illegal", "ground": "Hot"})):
        answer = mod.client.post(f"/moderation/comments/{many}/reports/{decision}", data=form)
        assert answer.status_code == 400
        assert "Ingenting ändrades; försök igen." in answer.get_data(as_text=True)
    assert status_of(many) == "pending"
    assert [m for m in mails(app) if m[1].startswith("Decision")] == []


def test_after_readers_hold_a_comment_undo_is_not_offered_and_takes_nothing_back(
    app, mod, reported, status_of
):
    """The hold ends the earlier approval: keep or remove answer it, "Ångra" does not."""
    from sqlalchemy import func, select

    from commentsvc.extensions import db
    from commentsvc.models.moderation import ModerationEvent

    many, few = reported  # both approved by a moderator; only ``many`` is held by reports
    undo_button = "Ångra det senaste beslutet"
    assert undo_button not in mod.get(f"/moderation/comments/{many}").get_data(as_text=True)
    assert undo_button in mod.get(f"/moderation/comments/{few}").get_data(as_text=True)
    here = f"/moderation/comments/{many}"
    answer = mod.post(f"{here}/undo", {"next": here}, follow_redirects=True)
    assert "Det finns inget beslut om den här kommentaren att ångra." in answer.text
    assert status_of(many) == "pending"
    with app.app_context():
        undos = select(func.count()).where(ModerationEvent.action == "undo")
        assert db.session.execute(undos).scalar_one() == 0
    # Kept again, the approval is a decision like any other, and can be taken back.
    assert mod.post(f"/moderation/comments/{many}/reports/keep").status_code == 303
    assert undo_button in mod.get(f"/moderation/comments/{many}").get_data(as_text=True)
