"""A privacy export holds the person's own data only, and an erasure removes exactly theirs.

Eva (``eva@example.se``) and Greta (``greta.eva@example.se``, the near-miss address that holds
Eva's) answer each other and both asked for reply notifications: each one's notification mail
quotes the other. Each one's export lists the other's mail only as "your comment was quoted in
a notification to another reader", never with its recipient, body or links; erasing one takes
the mails that quote them and their own, and leaves the other's own mails and subscription.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.test_subscriptions import (
    PUBLIC,
    _confirmed,
    config_overrides,  # noqa: F401 - the module's mail settings
    deliver,
    mails,
    reply,
    subscribed,  # noqa: F401 - fixture
)

EVA, GRETA, BERTIL = "eva@example.se", "greta.eva@example.se", "bertil@example.se"
# Eva's address on its own, not as the end of Greta's.
EVAS_ADDRESS = re.compile(r"(?<![\w.+-])eva@example\.se", re.IGNORECASE)
LINK = re.compile(re.escape(PUBLIC) + r"/[^\s\"'<>]+")


@pytest.fixture
def conversation(app, reader, article, subscribed, make_reader, smtp_server):  # noqa: F811
    """Eva comments, Greta answers, Eva answers Greta; both subscribed to replies. Then
    Bertil answers Eva in a later batch. Every mail has gone out."""
    evas = subscribed("replies", email=EVA, author="Eva Ek", text="Evas fråga om bussarna")
    greta = make_reader()
    gretas = reply(
        lambda: greta,
        article,
        evas,
        "Gretas svar om linje 4",
        email=GRETA,
        author="Greta Gran",
        subscribe="replies",
    )
    from tests.test_subscriptions import confirm, link_in, mails_to

    confirm(greta.client, link_in(mails_to(app, GRETA)[-1].body, "/subscriptions/confirm"))
    reply(make_reader, article, gretas, "Evas tack till Greta", email=EVA, author="Eva Ek")
    deliver(app, minutes=11)
    reply(make_reader, article, evas, "Bertils svar om linje 7", email=BERTIL, author="Bertil")
    deliver(app, minutes=22)
    sent = {m.recipient: m for m in mails(app) if m.list_unsubscribe}
    assert set(sent) == {EVA, GRETA}, "each got a notification"
    return {"evas": evas, "gretas": gretas}


def export(runner, address: str) -> tuple[dict, str]:
    result = runner.invoke(args=["privacy-export", address])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stdout


def links_of(app, address: str) -> set[str]:
    """Every link in every mail to ``address`` (text, HTML part, List-Unsubscribe)."""
    found = set()
    for m in mails(app):
        if m.recipient == address:
            found |= set(LINK.findall(m.body + m.html + m.list_unsubscribe))
    return found


@pytest.mark.parametrize(
    ("person", "other", "leaks"),
    [
        (GRETA, EVA, EVAS_ADDRESS),
        (EVA, GRETA, re.compile(re.escape(GRETA), re.IGNORECASE)),
    ],
)
def test_an_export_lists_a_mail_to_another_reader_without_recipient_body_or_links(
    app, runner, conversation, person, other, leaks
):
    document, text = export(runner, person)
    others_links = links_of(app, other)
    assert others_links, "the other reader's mails carry links"

    assert not leaks.search(text), "the other reader's address is in the export"
    assert not [link for link in others_links if link in text]
    tokens = {t for link in others_links for t in re.findall(r"token=([^&]+)", link)}
    assert tokens and not [t for t in tokens if t in text]
    theirs = [m for m in document["outbox_mails"] if m.get("recipient")]
    others = [m for m in document["outbox_mails"] if not m.get("recipient")]
    # The person's own mails, whole: their confirmation and their notification.
    assert {m["recipient"] for m in theirs} == {person}
    assert len(theirs) >= 2 and all(m["body"] for m in theirs)
    # The other's notification that quotes them: a line, its date, what of theirs it quoted.
    (quoting,) = [m for m in others if m["kind"] == "notification"]
    assert set(quoting) >= {"note", "created_at", "sent_at"}
    assert "body" not in quoting and "subject" not in quoting
    assert "citerades i ett meddelande till en annan läsare" in quoting["note"]
    # The person's own links: what for and when, never the token (nor its digest).
    assert {link["purpose"] for link in document["links"]} == {"confirm", "unsubscribe", "edit"}
    assert all(
        set(link) == {"purpose", "created_at", "expires_at", "used_at"}
        for link in document["links"]
    )


def test_the_export_note_speaks_the_services_language(app, runner, conversation):
    app.config["LANGUAGE"] = "en"
    document, _ = export(runner, GRETA)
    (quoting,) = [m for m in document["outbox_mails"] if not m.get("recipient")]
    assert "quoted in a notification to another reader" in quoting["note"]


def _recipients(app) -> list[str]:
    return sorted(m.recipient for m in mails(app))


def test_erasing_greta_keeps_evas_own_mails_that_do_not_quote_her(app, runner, conversation):
    before = mails(app)
    quoting_greta = [m for m in before if m.recipient == EVA and "Gretas svar" in m.body]
    evas_other = [m for m in before if m.recipient == EVA and "Gretas svar" not in m.body]
    assert quoting_greta and evas_other

    result = runner.invoke(args=["privacy-erase", GRETA])
    assert result.exit_code == 0, result.output

    after = mails(app)
    assert not [m for m in after if m.recipient == GRETA]
    assert not [m for m in after if "Gretas svar" in m.body + m.html]
    assert {m.id for m in evas_other} <= {m.id for m in after}
    assert _confirmed(app, EVA) is True and _confirmed(app, GRETA) is None


def test_erasing_eva_removes_her_mails_and_keeps_gretas_that_do_not_quote_her(
    app, runner, conversation
):
    before = mails(app)
    gretas_confirmation = [m for m in before if m.recipient == GRETA and not m.list_unsubscribe]
    assert gretas_confirmation

    result = runner.invoke(args=["privacy-erase", EVA])
    assert result.exit_code == 0, result.output

    after = mails(app)
    assert not [m for m in after if m.recipient == EVA]
    assert not [m for m in after if "Evas tack" in m.body + m.html]
    assert {m.id for m in gretas_confirmation} <= {m.id for m in after}
    assert _confirmed(app, GRETA) is True and _confirmed(app, EVA) is None
