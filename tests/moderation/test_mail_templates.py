"""Every mail the service sends is a template pair in templates/mail/, rendered in its
reader's language and queued by the one function ``notify.mail.queue``; its links follow the
one ``PUBLIC_URL`` rule."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.mailserver import mail_config

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
PUBLIC = "https://kommentarer.example.se"


@pytest.fixture
def config_overrides(smtp_port):
    return {**mail_config(smtp_port), "REPORTS_TO_HOLD": 2}


def _post(key, text, *, author, email, approve=True, subscribe="", language="sv", when=NOW):
    from commentsvc import moderation, threads
    from commentsvc.extensions import db
    from commentsvc.models.threads import CommentStatus

    draft = threads.Draft(
        comment=text, author=author, email=email, subscribe=subscribe, language=language
    )
    comment = threads.post_comment(threads.find_article(key), draft, ip="192.0.2.0", now=when)
    if approve and comment.status != CommentStatus.APPROVED:
        moderation.approve(comment.id, by="test", now=when)
    db.session.commit()
    return comment


def _file(comment_id, reason, *, browser, email="", lang="sv"):
    from commentsvc import reports
    from commentsvc.extensions import db
    from commentsvc.models.reports import ReportReason

    reports.file_report(
        comment_id,
        reports.NewReport(reason=ReportReason(reason), email=email, good_faith=True),
        reporter=reports.reporter_key(browser),
        network=f"network-of-{browser}",
        lang=lang,
        now=NOW,
    )
    db.session.commit()


def _confirm_receipt(address):
    """The notifier presses the button behind the link in their receipt."""
    from sqlalchemy import select

    from commentsvc import reports
    from commentsvc.extensions import db
    from commentsvc.models.mail import OutboxMail

    receipt = (
        db.session.execute(
            select(OutboxMail).where(OutboxMail.recipient == address).order_by(OutboxMail.id.desc())
        )
        .scalars()
        .first()
    )
    link = re.search(r"https://\S+/reports/confirm\S*", receipt.body).group(0)
    reports.confirm_report(parse_qs(urlsplit(link).query)["token"][0], now=NOW)
    db.session.commit()


def every_mail(app, make_moderator):
    """Run the service through each thing that sends mail (a held comment, a subscription and
    a notification batch, reports filed, removed and kept, reports that hold a comment); the
    outbox rows in order, and the statements of reasons."""
    from sqlalchemy import select

    from commentsvc import reports, threads
    from commentsvc.extensions import db
    from commentsvc.models.mail import OutboxMail
    from commentsvc.models.reports import StatementOfReasons
    from commentsvc.notify import notifications, subscriptions

    make_moderator("ada", email="ada@example.se", notify=True)
    with app.app_context():
        threads.create_article(
            "hemsida", title="Nytt badhus i Kiruna", url="https://www.example.se/badhus"
        )
        threads.create_article("utan-adress", title="Vägarbete <E4> & omledning")
        db.session.commit()
        # A first-time author waits for review: the moderators are called.
        _post(
            "hemsida",
            "Första gången <b>här</b>.\nRad två.",
            author="Ny Skribent",
            email="ny@example.se",
            approve=False,
        )
        # A reader asks to hear of the article in English, confirms, and a comment follows.
        _post(
            "utan-adress",
            "Tell me more.",
            author="Erik Ek",
            email="Erik@Example.se",
            subscribe="article",
            language="en",
        )
        confirmation = db.session.execute(
            select(OutboxMail).where(OutboxMail.recipient == "Erik@Example.se")
        ).scalar_one()
        link = re.search(r"https://\S+/subscriptions/confirm\S*", confirmation.body).group(0)
        subscriptions.confirm(parse_qs(urlsplit(link).query)["token"][0], now=NOW)
        db.session.commit()
        for text in ("Det blir omledning via Lombolo.", "Och via Tuolluvaara."):
            _post("utan-adress", text, author="Stina Ö", email="s@example.se")
        notifications.queue_due_notifications(now=NOW + timedelta(hours=2))
        # Two readers report a comment (the second holds it), one in English; it is removed.
        bad = _post(
            "utan-adress", "Ett hot.\nAndra raden.", author="Eva Berg", email="eva@example.se"
        )
        _file(bad.id, "illegal", browser="a", email="greta@example.se", lang="en")
        _file(bad.id, "harassment", browser="b", email="olle@example.se", lang="sv")
        _confirm_receipt("greta@example.se")  # greta hears the decision; olle did not confirm
        reports.remove(bad.id, reason="illegal", ground="Olaga hot.", by="ada", now=NOW)
        db.session.commit()
        # One report on another comment, kept.
        fine = _post("hemsida", "Helt okej.", author="Per Persson", email="per@example.se")
        _file(fine.id, "spam", browser="c", email="kalle@example.se", lang="sv")
        _confirm_receipt("kalle@example.se")
        reports.keep(fine.id, by="ada", now=NOW)
        db.session.commit()
        # The author of the removed comment is banned for a month: a statement of reasons too.
        from commentsvc.moderation import bans

        bans.add_ban(
            "default",
            "eva@example.se",
            days=30,
            reason="illegal",
            note="Upprepade olaga hot.",
            comment_id=bad.id,
            by="ada",
            now=NOW,
        )
        db.session.commit()
        # Two reports hold a published comment nobody has decided on: the moderators are called.
        waiting = _post("hemsida", "Tveksamt.", author="Lars Ek", email="lars@example.se")
        _file(waiting.id, "spam", browser="d")
        _file(waiting.id, "other", browser="e")
        mails = [
            {
                "to": m.recipient,
                "subject": m.subject,
                "body": m.body,
                "html": m.html,
                "comment": m.comment_id,
                "about": m.about_address,
                "unsubscribe": m.list_unsubscribe,
            }
            for m in db.session.execute(select(OutboxMail).order_by(OutboxMail.id)).scalars()
        ]
        statements = [s.body for s in db.session.execute(select(StatementOfReasons)).scalars()]
    return mails, statements


@pytest.fixture
def rendered(monkeypatch):
    """Every mail rendered from templates/mail/, in order: (name, language, Rendered), and the
    same mail in the other language, rendered beside it."""
    from commentsvc.notify import mail

    seen = []
    real = mail.render

    def spy(template, *, language, site_id, **context):
        language = mail.site_language(site_id, language)  # None: the site's
        result = real(template, language=language, site_id=site_id, **context)
        other = real(
            template, language="en" if language == "sv" else "sv", site_id=site_id, **context
        )
        seen.append((template, language, result, other))
        return result

    monkeypatch.setattr(mail, "render", spy)
    return seen


def test_every_mail_in_the_outbox_is_a_rendered_template_pair(app, make_moderator, rendered):
    from commentsvc.notify.mail import MAILS

    mails, statements = every_mail(app, make_moderator)

    # Each outbox row is one of the mails rendered from the templates, in the same order; the
    # rest were taken back (the moderators' call about a comment approved meanwhile).
    made = iter((r.subject, r.body, r.html) for _name, _lang, r, _other in rendered)
    for row in mails:
        assert (row["subject"], row["body"], row["html"]) in made, row["subject"]
    # The scenario reaches every mail the service can send; each has its HTML part or none.
    assert {name for name, *_ in rendered} == set(MAILS)
    for name, _lang, result, _other in rendered:
        assert bool(result.html) is MAILS[name], name
    assert statements == [
        r.body for name, _lang, r, _other in rendered if name in ("statement", "ban_statement")
    ]


def test_each_mail_speaks_its_readers_language_and_both_languages_are_written(
    app, make_moderator, rendered
):
    mails, _statements = every_mail(app, make_moderator)
    by_subject = {m["subject"]: m for m in mails}
    assert "We have received your report (case 1)" in by_subject  # greta asked in English
    assert "Vi har tagit emot din anmälan (ärende 2)" in by_subject  # olle in Swedish
    assert "Decision on your report (case 1)" in by_subject
    assert "[Kommentarer] 2 new comments on “Vägarbete <E4> & omledning”" in by_subject
    # Each mail in the other language too, with nothing left unfilled.
    for name, _language, result, other in rendered:
        assert other.subject != result.subject, name
        assert other.body != result.body, name
        for text in (*result.__dict__.values(), *other.__dict__.values()):
            assert "%(" not in text and "{{" not in text, name


def test_links_in_mails_start_with_public_url_or_the_articles_own_page(app, make_moderator):
    mails, _statements = every_mail(app, make_moderator)
    links = {link for m in mails for link in re.findall(r"https?://[^\s\"<>]+", m["body"])}
    assert links
    for link in links:
        assert link.startswith((PUBLIC + "/", "https://www.example.se/badhus#")), link
    assert f"{PUBLIC}/moderation/comments/1" in links  # the queue, by its endpoint
    assert f"{PUBLIC}/thread?article=utan-adress#comment-5" in links  # no address of its own


def test_the_texts_of_notice_and_action_and_the_moderators_call_read_as_before(app, make_moderator):
    mails, statements = every_mail(app, make_moderator)
    by_to = {}
    for m in mails:
        by_to.setdefault(m["to"], []).append(m)
    receipt = by_to["greta@example.se"][0]
    assert re.sub(r"token=[\w-]+", "token=TOKEN", receipt["body"]) == (
        "Thank you for your report of a comment on “Vägarbete <E4> & omledning”.\n"
        f"{PUBLIC}/thread?article=utan-adress#comment-5\n"
        "\n"
        "Reason: Illegal content\n"
        "Received: 2026-03-02 10:30 CET\n"
        "\n"
        "What happens next: a moderator (a person) looks at the comment and decides whether it "
        "stays or is removed. When several readers report a comment, it is hidden until then.\n"
        "\n"
        "To get the decision and its reason by email, confirm that you sent this report: open "
        "the link and press the button (it works for 7 days). If you did not report anything, "
        "ignore this email: nothing more will be sent to you about it.\n"
        f"{PUBLIC}/reports/confirm?token=TOKEN&lang=en\n"
        "\n"
        "Questions: kommentarer@example.se\n"
        "\n"
        "-- \n"
        "Kommentarer"
    )
    assert (receipt["comment"], receipt["about"]) == (None, "")  # not in the author's export
    statement = by_to["eva@example.se"][0]
    assert statement["subject"] == "Din kommentar till ”Vägarbete <E4> & omledning” har tagits bort"
    assert (
        statement["body"]
        == statements[0]
        == (
            "Motivering av beslut (ärende 5)\n"
            "Tjänsteleverantör: Kommentarer\n"
            "\n"
            "Vad som gjordes: din kommentar till ”Vägarbete <E4> & omledning”, skriven "
            "2026-03-02 10:30 CET, har tagits bort från webbplatsen; läsarna ser "
            "den inte längre.\n"
            "\n"
            "Omständigheterna: 2 läsare anmälde kommentaren "
            "(Olagligt innehåll (1), Trakasserier eller hot (1)).\n"
            "Efter 2 anmälningar doldes den automatiskt tills en moderator beslutade.\n"
            "Din kommentar:\n"
            "> Ett hot.\n"
            "> Andra raden.\n"
            "\n"
            "Vem som beslutade: en moderator (en människa) beslutade efter att ha läst kommentaren "
            "och anmälningarna; beslutet fattades inte av ett automatiskt system.\n"
            "Grunden: Olagligt innehåll. Olaga hot.\n"
            "\n"
            "Så invänder du: om du anser att beslutet är fel, svara på det här mejlet eller skriv "
            "till kommentarer@example.se och ange ärende 5. En människa prövar då beslutet igen.\n"
            "\n"
            "-- \n"
            "Kommentarer"
        )
    )
    assert (statement["comment"], statement["about"]) == (5, "eva@example.se")
    call = by_to["ada@example.se"][-1]
    assert call["subject"] == "[Nytt badhus i Kiruna] En kommentar väntar på granskning: Lars Ek"
    assert call["body"] == (
        "En publicerad kommentar till ”Nytt badhus i Kiruna” har anmälts av läsare och är dold "
        "tills du beslutar; den väntar på granskning.\n"
        "\n"
        "Författare: Lars Ek <lars@example.se>\n"
        "Kvarhållen eftersom:\n"
        "- första kommentaren från denna författare\n"
        "- anmäld av 2 läsare\n"
        "\n"
        "Tveksamt.\n"
        "\n"
        "Öppna den i kön (inget händer förrän du väljer en åtgärd där):\n"
        f"{PUBLIC}/moderation/comments/7\n"
        "\n"
        "-- \n"
        "Kommentarer"
    )
