"""Readers' reply notifications by email: the `subscribe` field on every path (plain form,
iframe, script embed's API), double opt-in, batched mails delivered by send-mail to a real
SMTP server on loopback (aiosmtpd), unsubscribing, moderators and privacy requests."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from commentsvc.notify import subscriptions
from tests.conftest import ALLOWED_ORIGIN
from tests.mailserver import LoopbackSMTP, mail_config
from tests.test_api import new_comment, post

PUBLIC = "https://kommentarer.example.se"
ANNA, BERTIL, CECILIA = "anna@example.se", "bertil@example.se", "cecilia@example.se"


@pytest.fixture
def config_overrides(smtp_port, request):
    """Parametrize indirectly with a dict to change some of these."""
    return {
        **mail_config(smtp_port, PUBLIC),
        "SITE_NAME": "Kommunen",
        "MODERATION": "none",
        "MODERATION_KEYS": ["granska"],
        "NOTIFY_BATCH_MINUTES": 10,
    } | getattr(request, "param", {})


# --- helpers ---------------------------------------------------------------------------------


def mails(app) -> list:
    from commentsvc.extensions import db
    from commentsvc.models.mail import OutboxMail

    with app.app_context():
        rows = list(db.session.execute(db.select(OutboxMail).order_by(OutboxMail.id)).scalars())
        db.session.expunge_all()
        return rows


def mails_to(app, address: str) -> list:
    return [m for m in mails(app) if m.recipient == address]


def deliver(app, minutes: float = 0):
    from commentsvc.models.base import utcnow
    from commentsvc.notify.outbox import deliver_due

    with app.app_context():
        return deliver_due(now=utcnow() + timedelta(minutes=minutes))


def link_in(text: str, route: str) -> str:
    """The path and query of the first link to ``route`` in a mail's text."""
    match = re.search(re.escape(PUBLIC) + re.escape(route) + r"\?\S+", text)
    assert match, f"no {route} link in:\n{text}"
    parts = urlsplit(match.group(0))
    return f"{parts.path}?{parts.query}"


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, "the page has no CSRF token"
    return match.group(1)


def confirm(client, link: str):
    page = client.get(link)
    assert page.status_code == 200, page.get_data(as_text=True)
    return client.post(link, data={"csrf_token": csrf_of(page.get_data(as_text=True))})


def comment_id(response) -> int:
    return int(re.search(r"#comment-(\d+)$", response.headers["Location"]).group(1))


@pytest.fixture
def subscribed(app, reader, article):
    """Anna asks for replies to her comment and confirms; returns her comment's id."""

    def make(kind="replies", email=ANNA, key=None, author="Anna Lindqvist", text=None):
        before = len(mails_to(app, email))
        r = reader.post(
            key or article,
            subscribe=kind,
            email=email,
            author=author,
            comment=text or f"Fråga från {email} ({kind})",
        )
        assert r.status_code == 303
        confirmation = mails_to(app, email)[before:]
        if confirmation:
            assert confirm(reader.client, link_in(confirmation[-1].body, "/subscriptions/confirm"))
        return comment_id(r)

    return make


def reply(make_reader, key, parent, text, email=BERTIL, author="Bertil Berg", **fields):
    r = make_reader().post(
        key, parent=str(parent), comment=text, email=email, author=author, **fields
    )
    assert r.status_code == 303, r.get_data(as_text=True)
    return comment_id(r)


def sent(smtp_server, address: str) -> list:
    return [m for rcpt, m in smtp_server.messages if rcpt == [address]]


def plain(message) -> str:
    return message.get_body(("plain",)).get_content()


def notifications(smtp_server, address: str = ANNA) -> list[str]:
    """The plain text of each notification (not confirmation) mail the address received."""
    return [plain(m) for m in sent(smtp_server, address) if m["List-Unsubscribe"]]


# --- the field on every form -------------------------------------------------------------------


def test_every_form_offers_the_choice_unticked_with_swedish_and_english_labels(client, article):
    for path in ("/thread", "/embed"):
        page = client.get(path, query_string={"article": article}).get_data(as_text=True)
        assert "Meddela mig via e-post när någon svarar på min kommentar" in page
        assert "… när någon kommenterar den här artikeln" in page
        for value in ("replies", "article"):
            box = re.search(rf'<input id="subscribe-{value}"[^>]*>', page).group(0)
            assert 'name="subscribe"' in box and "checked" not in box
    english = client.get("/thread", query_string={"article": article, "lang": "en"})
    assert "Notify me by email when someone replies to my comment" in english.get_data(as_text=True)
    texts = client.get(
        "/api/v1/comments", query_string={"article": article, "texts": 1, "lang": "en"}
    ).get_json()["texts"]
    assert texts["subscribe_replies"] == "Notify me by email when someone replies to my comment"
    assert texts["subscribe_article"] == "… when someone comments on this article"
    script = client.get("/embed.js").get_data(as_text=True)
    assert "subscribe" in script


def test_the_openapi_description_lists_the_field(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    field = spec["components"]["schemas"]["NewComment"]["properties"]["subscribe"]
    assert field["enum"] == ["", "replies", "article"]


def test_no_box_ticked_means_no_mail(app, reader, article):
    assert reader.post(article).status_code == 303
    assert mails_to(app, ANNA) == []


# --- double opt-in -----------------------------------------------------------------------------


def test_ticking_the_box_queues_one_confirmation_mail_and_nothing_else_until_confirmed(
    app, reader, article, make_reader, smtp_server
):
    r = reader.post(article, subscribe="replies", comment="Hur kommer man dit?")
    first = comment_id(r)
    page = reader.client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Vi har skickat ett mejl till dig" in page
    (mail,) = mails_to(app, ANNA)
    assert "/subscriptions/confirm?" in mail.body
    # A reply while the address is unconfirmed: nobody is told, now or later.
    reply(make_reader, article, first, "Med buss 12.")
    deliver(app, minutes=60)
    assert [m["Subject"] for m in sent(smtp_server, ANNA)] == [
        "Bekräfta dina e-postaviseringar från Kommunen"
    ]


def test_the_link_only_shows_a_button_and_the_post_from_it_confirms(
    app, reader, article, make_reader, smtp_server
):
    first = comment_id(reader.post(article, subscribe="replies"))
    link = link_in(mails_to(app, ANNA)[0].body, "/subscriptions/confirm")
    # A mail scanner follows the link: nothing is confirmed.
    scanner = app.test_client()
    for _ in range(2):
        page = scanner.get(link)
        assert page.status_code == 200
        assert "Ja, skicka aviseringar till mig" in page.get_data(as_text=True)
        assert page.headers["Cache-Control"] == "no-store"
    reply(make_reader, article, first, "Svar som ingen får höra om")
    # A POST without the page's CSRF token confirms nothing either.
    assert app.test_client().post(link).status_code == 400
    r = confirm(reader.client, link)
    assert r.status_code == 200
    assert "Din e-postadress är bekräftad" in r.get_data(as_text=True)
    reply(make_reader, article, first, "Svar efter bekräftelsen", email=CECILIA)
    deliver(app, minutes=11)
    (note,) = notifications(smtp_server)
    assert "Svar efter bekräftelsen" in note
    assert "Svar som ingen får höra om" not in note


def test_a_thousand_sign_ups_for_one_address_send_one_confirmation_mail(
    app, reader, client, article
):
    from commentsvc import threads
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow

    with app.app_context():
        thread = threads.find_article(article)
        for n in range(1000):
            draft = threads.Draft(
                comment=f"Kommentar {n}",
                author="Anna",
                email="Anna@Example.se" if n % 2 else ANNA,
                subscribe="article" if n % 3 else "replies",
                language="sv",
            )
            threads.post_comment(thread, draft, ip="192.0.2.0", now=utcnow())
            db.session.commit()  # one action each, as the views commit them
    # ...and through the form and the API as well.
    assert reader.post(article, subscribe="replies", comment="Via formuläret").status_code == 303
    r = post(client, new_comment(article, subscribe="article", comment="Via API:t"))
    assert r.get_json()["subscription"] == "confirm"
    assert len(mails_to(app, ANNA)) == 1
    # Others are not held back by Anna's limit.
    post(client, new_comment(article, subscribe="replies", email="greta.anna@example.se"))
    assert len(mails_to(app, "greta.anna@example.se")) == 1
    # A day later a new sign-up may send a new one.
    with app.app_context():
        draft = threads.Draft(comment="Dagen efter", author="Anna", email=ANNA, subscribe="replies")
        threads.post_comment(
            threads.find_article(article),
            draft,
            ip="",
            now=utcnow() + timedelta(days=1, minutes=1),
        )
        db.session.commit()
    assert len(mails_to(app, ANNA)) == 2


def test_a_confirmed_address_stays_confirmed_until_it_leaves_everything(
    app, reader, article, subscribed, client
):
    from commentsvc import threads
    from commentsvc.extensions import db

    with app.app_context():
        threads.create_article("nyhet-2", title="Andra nyheten")
        db.session.commit()  # services flush; the view or command commits
    subscribed("replies")
    before = len(mails_to(app, ANNA))
    r = post(client, new_comment("nyhet-2", subscribe="article", comment="Här också"))
    assert r.get_json()["subscription"] == "active"
    assert len(mails_to(app, ANNA)) == before  # no new confirmation mail
    # Leaving everything: the next wish needs a confirmation again.
    token_link = _unsubscribe_link(app, reader, article)
    assert reader.client.post(token_link, data={"scope": "everything"}).status_code == 200
    r = post(client, new_comment("nyhet-2", subscribe="article", comment="Igen"))
    assert r.get_json()["subscription"] == "confirm"
    assert len(mails_to(app, ANNA)) == before + 1


def _unsubscribe_link(app, reader, key) -> str:
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow
    from commentsvc.threads.articles import find_article

    with app.app_context():
        url = subscriptions.unsubscribe_url(ANNA, find_article(key).id, "sv", now=utcnow())
        db.session.commit()
    assert url.startswith(PUBLIC + "/subscriptions/unsubscribe?")
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


# --- bad links ---------------------------------------------------------------------------------


def test_a_forged_confirmation_link_confirms_nothing(app, reader, article):
    reader.post(article, subscribe="replies")
    link = link_in(mails_to(app, ANNA)[0].body, "/subscriptions/confirm")
    token = link.split("token=")[1]
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for lang, message in (("sv", "Den här bekräftelselänken är inte giltig"), ("en", "not valid")):
        query = {"token": forged, "lang": lang}
        r = reader.client.get("/subscriptions/confirm", query_string=query)
        assert r.status_code == 400
        assert message in r.get_data(as_text=True)
        r = reader.client.post("/subscriptions/confirm", query_string=query)
        assert r.status_code == 400
    assert _confirmed(app, ANNA) is False


def test_an_expired_confirmation_link_confirms_nothing(app, reader, article):
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow
    from commentsvc.models.mail import Subscriber

    reader.post(article, subscribe="replies")
    with app.app_context():
        subscriber = db.session.execute(db.select(Subscriber)).scalar_one()
        old = subscriptions.confirm_url(subscriber, "sv", now=utcnow() - timedelta(days=8))
        db.session.commit()
    link = urlsplit(old)
    for lang, message in (("sv", "har gått ut"), ("en", "has expired")):
        query = f"{link.query.replace('lang=sv', 'lang=' + lang)}"
        r = reader.client.get(f"{link.path}?{query}")
        assert r.status_code == 410
        assert message in r.get_data(as_text=True)
    assert _confirmed(app, ANNA) is False


def test_a_used_confirmation_link_cannot_confirm_again(app, reader, article, subscribed):
    subscribed("replies")
    link = link_in(mails_to(app, ANNA)[0].body, "/subscriptions/confirm")
    r = reader.client.get(link)
    assert r.status_code == 410
    assert "redan använts" in r.get_data(as_text=True)
    # Not even after the address left everything: the old mail cannot sign it up again.
    reader.client.post(_unsubscribe_link(app, reader, article), data={"scope": "everything"})
    assert reader.client.get(link).status_code == 410
    assert _confirmed(app, ANNA) is None


def _confirmed(app, address):
    """True/False for a known address, None when it is not stored at all."""
    from commentsvc.extensions import db
    from commentsvc.models.mail import Subscriber

    with app.app_context():
        row = db.session.execute(
            db.select(Subscriber).where(Subscriber.address == address)
        ).scalar_one_or_none()
        return None if row is None else row.confirmed_at is not None


def test_an_unsubscribe_link_stops_only_its_own_address(
    app, reader, article, subscribed, make_reader, smtp_server
):
    first = subscribed("replies")
    greta = make_reader()
    greta_subscribed = make_reader_subscribed(app, greta, article, "greta.anna@example.se")
    link = _unsubscribe_link(app, reader, article)
    # Anna's token, changed by one character: it is no longer anybody's.
    token = urlsplit(link).query.split("token=")[1]
    forged = token[:-1] + ("A" if not token.endswith("A") else "B")
    r = app.test_client().post(
        "/subscriptions/unsubscribe", query_string={"token": forged, "lang": "en"}
    )
    assert r.status_code == 400
    assert "This unsubscribe link is not valid" in r.get_data(as_text=True)
    # Anna's own link stops Anna only.
    assert app.test_client().post(link, data={"scope": "everything"}).status_code == 200
    reply(make_reader, article, first, "Till Anna")
    reply(make_reader, article, greta_subscribed, "Till Greta")
    deliver(app, minutes=11)
    assert notifications(smtp_server) == []
    (to_greta,) = notifications(smtp_server, "greta.anna@example.se")
    assert "Till Greta" in to_greta


def make_reader_subscribed(app, reader, key, email) -> int:
    r = reader.post(key, subscribe="replies", email=email, author="Greta", comment="Gretas fråga")
    link = link_in(mails_to(app, email)[-1].body, "/subscriptions/confirm")
    assert confirm(reader.client, link).status_code == 200
    return comment_id(r)


# --- bad input on the forms -------------------------------------------------------------------


def test_an_unknown_subscribe_value_is_refused_with_the_fields_message(
    app, client, reader, article
):
    r = post(client, new_comment(article, subscribe="allt"))
    assert r.status_code == 422
    assert r.get_json()["errors"]["subscribe"] == [
        "Välj hur du vill bli meddelad via e-post: ”replies”, ”article” eller inget (ett tomt "
        "värde)."
    ]
    r = post(client, new_comment(article, subscribe="allt"), query_string={"lang": "en"})
    assert "Choose how to be notified by email" in r.get_json()["errors"]["subscribe"][0]
    assert post(client, new_comment(article, subscribe=True)).status_code == 422
    r = reader.post(article, subscribe="allt", comment="Min text finns kvar")
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "Välj hur du vill bli meddelad via e-post" in page
    assert "Min text finns kvar" in page
    assert mails(app) == []


@pytest.mark.parametrize("email", ["", "inte-en-adress", "anna@", "Anna <anna@example.se>"])
def test_subscribing_without_a_valid_email_is_refused_on_every_path(
    app, client, reader, article, email
):
    r = post(client, new_comment(article, subscribe="replies", email=email))
    assert r.status_code == 422
    assert "email" in r.get_json()["errors"]
    r = reader.post(article, subscribe="article", email=email)
    assert r.status_code == 422
    frame = app.test_client(use_cookies=False).post(
        "/embed/comments",
        data={**new_comment(article, subscribe="replies", email=email)},
        headers={"Origin": PUBLIC},  # the iframe's own page, at PUBLIC_URL
    )
    assert frame.status_code == 422
    assert mails(app) == []
    assert _confirmed(app, email.lower()) is None


def test_the_iframe_and_the_api_sign_up_as_the_plain_form_does(app, client, article):
    frame = app.test_client(use_cookies=False).post(
        "/embed/comments",
        data=new_comment(article, subscribe="replies", email=BERTIL, comment="Från iframen"),
        headers={"Origin": PUBLIC},  # the iframe's own page, at PUBLIC_URL
    )
    assert frame.status_code == 303
    page = app.test_client(use_cookies=False).get(frame.headers["Location"])
    assert "Vi har skickat ett mejl till dig" in page.get_data(as_text=True)
    r = post(client, new_comment(article, subscribe="article", email=CECILIA))
    assert r.status_code == 201 and r.get_json()["subscription"] == "confirm"
    assert "subscription" not in str(
        post(client, new_comment(article, comment="Utan")).get_json()["comment"]
    )
    assert len(mails_to(app, BERTIL)) == 1 and len(mails_to(app, CECILIA)) == 1
    # Sent from an allowed host page too.
    r = post(
        client,
        new_comment(article, subscribe="replies", email="dan@example.se"),
        headers={"Origin": ALLOWED_ORIGIN},
    )
    assert r.status_code == 201


# --- notifications -----------------------------------------------------------------------------


def test_a_published_reply_sends_a_good_mail_in_the_subscribers_language(
    app, client, reader, article, make_reader, smtp_server
):
    r = reader.post(article, subscribe="replies", lang="en", comment="Where is it?")
    first = comment_id(r)
    confirm(reader.client, link_in(mails_to(app, ANNA)[0].body, "/subscriptions/confirm"))
    reply_id = reply(make_reader, article, first, "By bus <b>12</b>, see https://evil.example/x")
    assert deliver(app, minutes=9).sent == 1  # only the confirmation mail so far
    assert deliver(app, minutes=11).sent == 1
    message = sent(smtp_server, ANNA)[-1]
    assert message["From"] == "Kommunen <kommentarer@example.se>"
    assert message["Subject"] == "[Kommunen] A new comment on “SOI Mitt startar i Svealand”"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"] and message["Date"]
    unsubscribe = message["List-Unsubscribe"]
    assert re.fullmatch(
        r"<https://kommentarer\.example\.se/subscriptions/unsubscribe\?\S+>", unsubscribe
    )
    assert "mailto" not in unsubscribe
    # As sent: one plain <https://…>, not RFC 2047 encoded words a mail client cannot use.
    raw = dict(message.raw_items())
    assert raw["List-Unsubscribe"] == unsubscribe
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    link = f"https://www.example.se/nyheter/soi-mitt#comment-{reply_id}"
    for part in (text, html):
        assert "Bertil Berg" in part
        assert BERTIL not in part
        assert link in part
        assert "Hello," in part and "Hej" not in part
    assert "By bus <b>12</b>" in text
    # Only two links: the comment's and the unsubscribe address; no images, no tracking.
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert hrefs == [link, unsubscribe.strip("<>").replace("&", "&amp;")]
    assert "<img" not in html and 'evil.example/x"' not in html


def test_two_quick_replies_come_in_one_mail(
    app, reader, article, subscribed, make_reader, smtp_server
):
    first = subscribed("replies")
    reply(make_reader, article, first, "Första svaret")
    deliver(app, minutes=5)  # the batch is not due yet
    reply(make_reader, article, first, "Andra svaret", email=CECILIA, author="Cecilia")
    deliver(app, minutes=11)
    deliver(app, minutes=30)
    notes = [m for m in sent(smtp_server, ANNA) if m["List-Unsubscribe"]]
    assert len(notes) == 1
    assert notes[0]["Subject"] == "[Kommunen] 2 nya kommentarer på ”SOI Mitt startar i Svealand”"
    text = notes[0].get_body(("plain",)).get_content()
    assert text.index("Första svaret") < text.index("Andra svaret")


@pytest.mark.parametrize("config_overrides", [{"NOTIFY_BATCH_MINUTES": 0}], indirect=True)
def test_with_no_batch_window_the_next_send_mail_run_sends_it(
    app, runner, reader, article, subscribed, make_reader, smtp_server
):
    first = subscribed("replies")
    reply(make_reader, article, first, "Genast")
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert any("Genast" in note for note in notifications(smtp_server))


def test_a_held_reply_is_told_only_when_approved(
    app, reader, article, subscribed, make_reader, smtp_server, runner
):
    first = subscribed("replies")
    held = reply(make_reader, article, first, "Bör granska detta")
    deliver(app, minutes=60)
    assert notifications(smtp_server) == []
    assert runner.invoke(args=["approve", str(held)]).exit_code == 0
    deliver(app, minutes=71)
    (note,) = notifications(smtp_server)
    assert "Bör granska detta" in note


def test_nobody_is_told_of_their_own_comment(
    app, reader, article, subscribed, make_reader, smtp_server
):
    first = subscribed("article")
    # Anna answers Bertil under her own article subscription: not told of it.
    bertil = reply(make_reader, article, first, "Bertils svar")
    reply(make_reader, article, bertil, "Annas eget svar", email="ANNA@example.se", author="Anna")
    deliver(app, minutes=11)
    (note,) = notifications(smtp_server)
    assert "Bertils svar" in note and "Annas eget svar" not in note


def test_an_article_subscription_hears_of_every_comment_there_and_nowhere_else(
    app, reader, article, subscribed, make_reader, add_comment, smtp_server
):
    from commentsvc import threads
    from commentsvc.extensions import db

    with app.app_context():
        threads.create_article("nyhet-2", title="Andra nyheten")
        db.session.commit()  # services flush; the view or command commits
    subscribed("article")
    make_reader().post(article, comment="Ny tråd", email=BERTIL, author="Bertil")
    make_reader().post("nyhet-2", comment="Annan artikel", email=BERTIL, author="Bertil")
    deliver(app, minutes=11)
    (note,) = notifications(smtp_server)
    assert "Ny tråd" in note and "Annan artikel" not in note


def test_a_reply_trashed_or_marked_spam_before_its_batch_is_left_out(
    app, reader, article, subscribed, make_reader, smtp_server
):
    from commentsvc import moderation
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow

    first = subscribed("replies")
    kept = reply(make_reader, article, first, "Det här stannar")
    trashed = reply(make_reader, article, first, "Det här slängs", email=CECILIA)
    spam = reply(make_reader, article, first, "Köp billigt", email="dan@example.se")
    with app.app_context():
        moderation.trash(trashed, by="moa", now=utcnow())
        moderation.mark_spam(spam, by="moa", now=utcnow())
        db.session.commit()  # moderation services flush; the page commits
    deliver(app, minutes=11)
    (note,) = notifications(smtp_server)
    assert "Det här stannar" in note
    assert "slängs" not in note and "billigt" not in note
    assert kept
    # A batch of only removed comments sends nothing.
    gone = reply(make_reader, article, first, "Också borta", email=CECILIA)
    with app.app_context():
        moderation.trash(gone, by="moa", now=utcnow())
        db.session.commit()
    deliver(app, minutes=30)
    assert len(notifications(smtp_server)) == 1


def test_a_notification_due_while_the_smtp_server_is_down_is_kept_and_sent_once(
    app, reader, article, subscribed, make_reader, smtp_port
):
    first = subscribed("replies")
    reply(make_reader, article, first, "Medan servern ligger nere")
    result = deliver(app, minutes=11)  # nothing listens on the port
    assert result.sent == 0 and result.failed >= 1
    waiting = [m for m in mails_to(app, ANNA) if m.list_unsubscribe]
    assert len(waiting) == 1 and waiting[0].sent_at is None
    with LoopbackSMTP(smtp_port) as server:
        deliver(app, minutes=13)
        deliver(app, minutes=20)
        deliver(app, minutes=60)
    notes = [m for rcpt, m in server.messages if "Medan servern" in plain(m)]
    assert len(notes) == 1


# --- unsubscribing -----------------------------------------------------------------------------


def test_one_click_unsubscribe_stops_the_thread_without_a_page_or_cookie(
    app, reader, article, subscribed, make_reader, smtp_server
):
    first = subscribed("replies")
    reply(make_reader, article, first, "Ett svar")
    deliver(app, minutes=11)
    note = [m for m in sent(smtp_server, ANNA) if m["List-Unsubscribe"]][-1]
    url = urlsplit(note["List-Unsubscribe"].strip("<>"))
    mail_client = app.test_client(use_cookies=False)
    r = mail_client.post(
        f"{url.path}?{url.query}",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert r.status_code == 200
    reply(make_reader, article, first, "Ett svar för sent", email=CECILIA)
    deliver(app, minutes=30)
    assert not any("för sent" in note for note in notifications(smtp_server))
    # The address stays confirmed: a new wish elsewhere works at once.
    assert _confirmed(app, ANNA) is True


def test_the_unsubscribe_page_offers_this_thread_or_everything(app, reader, article, subscribed):
    from commentsvc import threads
    from commentsvc.extensions import db

    with app.app_context():
        threads.create_article("nyhet-2", title="Andra nyheten")
        db.session.commit()  # services flush; the view or command commits
    subscribed("replies")
    subscribed("article", key="nyhet-2")
    link = _unsubscribe_link(app, reader, article)
    page = reader.client.get(link)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Mejl om nya kommentarer på ”SOI Mitt startar i Svealand”" in text
    assert "Alla mejl om kommentarer från Kommunen" in text
    assert _count_subscriptions(app) == 2  # a GET stops nothing
    r = reader.client.post(link, data={"scope": "thread"})
    assert "Inga fler mejl om den här artikeln" in r.get_data(as_text=True)
    assert _count_subscriptions(app) == 1
    r = reader.client.post(link, data={"scope": "everything"})
    assert _count_subscriptions(app) == 0
    assert _confirmed(app, ANNA) is None


def _count_subscriptions(app) -> int:
    from commentsvc.extensions import db
    from commentsvc.models.mail import Subscription

    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(Subscription)).scalar()


# --- privacy ----------------------------------------------------------------------------------


def test_privacy_export_and_erase_cover_subscriptions_by_exact_address(
    app, runner, reader, article, make_reader, subscribed
):
    import json

    subscribed("replies", email="eva@example.se", author="Eva")
    make_reader_subscribed(app, make_reader(), article, "greta.eva@example.se")
    result = runner.invoke(args=["privacy-export", "EVA@example.se"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [s["email"] for s in document["subscriptions"]] == ["eva@example.se"]
    assert document["subscriptions"][0]["confirmed_at"]
    result = runner.invoke(args=["privacy-erase", "eva@example.se"])
    assert result.exit_code == 0, result.output
    assert _confirmed(app, "eva@example.se") is None
    assert _confirmed(app, "greta.eva@example.se") is True
    assert _count_subscriptions(app) == 1


def test_erasing_a_repliers_data_takes_back_the_mails_that_quote_them(
    app, runner, reader, article, subscribed, make_reader, smtp_port
):
    import json

    first = subscribed("replies")
    reply(make_reader, article, first, "Bertils svar med telefonnummer 070-1234567")
    reply(make_reader, article, first, "Cecilias svar", email=CECILIA, author="Cecilia")
    deliver(app, minutes=11)  # nothing listens on the port: the mail waits in the outbox
    (waiting,) = [m for m in mails_to(app, ANNA) if m.list_unsubscribe]
    assert waiting.sent_at is None and "070-1234567" in waiting.body
    # Bertil's export shows the mail that quotes him (it is Anna's mail, not one about him).
    result = runner.invoke(args=["privacy-export", BERTIL])
    assert result.exit_code == 0, result.output
    assert [m["id"] for m in json.loads(result.stdout)["outbox_mails"]] == [waiting.id]
    # Cecilia's too: the same mail quotes her.
    result = runner.invoke(args=["privacy-export", CECILIA])
    assert [m["id"] for m in json.loads(result.stdout)["outbox_mails"]] == [waiting.id]
    result = runner.invoke(args=["privacy-erase", BERTIL, "--delete"])
    assert result.exit_code == 0, result.output
    assert not any("070-1234567" in m.body + m.html for m in mails(app))
    # Anna still hears of Cecilia's reply, in the next run, without Bertil's text.
    with LoopbackSMTP(smtp_port) as server:
        deliver(app, minutes=12)
    (note,) = [plain(m) for rcpt, m in server.messages if rcpt == [ANNA] and m["List-Unsubscribe"]]
    assert "Cecilias svar" in note and "070-1234567" not in note


def test_a_sent_notification_is_erased_with_the_data_of_those_it_quotes(
    app, runner, reader, article, subscribed, make_reader, smtp_server
):
    first = subscribed("replies")
    reply(make_reader, article, first, "Bertils svar med telefonnummer 070-1234567")
    deliver(app, minutes=11)
    assert any("070-1234567" in note for note in notifications(smtp_server))
    assert any("070-1234567" in m.body for m in mails(app))  # the sent copy, kept a while
    result = runner.invoke(args=["privacy-erase", BERTIL])
    assert result.exit_code == 0, result.output
    assert not any("070-1234567" in m.body + m.html for m in mails(app))
    assert _confirmed(app, ANNA) is True  # Anna's own subscription stays


@pytest.mark.parametrize("config_overrides", [{"MODERATION": "all"}], indirect=True)
def test_approving_a_held_comment_keeps_its_authors_confirmation_mail(
    app, reader, article, smtp_server
):
    from commentsvc import moderation
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow

    r = reader.post(article, subscribe="replies", email=ANNA, author="Anna", comment="Granska")
    assert r.status_code == 303  # held: the text has a moderation key word
    (confirmation,) = mails_to(app, ANNA)
    # About the address, not the comment: withdraw_mail, which takes back the mails about a
    # held comment once it is decided, leaves it alone.
    assert confirmation.comment_id is None
    with app.app_context():
        moderation.approve(comment_id(r), by="moa", now=utcnow())
        db.session.commit()
    assert [m.id for m in mails_to(app, ANNA)] == [confirmation.id]
    deliver(app)
    assert "/subscriptions/confirm?" in plain(sent(smtp_server, ANNA)[0])


def test_a_moderators_reply_and_a_restored_reply_are_told_once_each(
    app, reader, article, subscribed, make_reader, smtp_server
):
    from commentsvc import moderation
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow

    first = subscribed("replies")
    with app.app_context():
        moderation.reply_as_staff(
            first, "Svar från redaktionen", by="moa", author="Redaktionen", email="", now=utcnow()
        )
        db.session.commit()  # moderation services flush; the page commits
    restored = reply(make_reader, article, first, "Tillbaka från papperskorgen")
    with app.app_context():
        moderation.trash(restored, by="moa", now=utcnow())
        moderation.restore(restored, by="moa", now=utcnow())
        moderation.undo_last(restored, by="moa", now=utcnow())  # back to the trash
        moderation.undo_last(restored, by="moa", now=utcnow())  # and published again
        db.session.commit()
    deliver(app, minutes=11)
    (note,) = notifications(smtp_server)
    assert "Redaktionen skrev:" in note
    assert note.count("Tillbaka från papperskorgen") == 1


def test_a_forged_unsubscribe_link_shows_a_clear_page_and_stops_nothing(
    app, client, reader, article, subscribed
):
    subscribed("replies")
    for lang, message in (("sv", "avregistreringslänken är inte giltig"), ("en", "not valid")):
        r = client.get("/subscriptions/unsubscribe", query_string={"token": "x.y", "lang": lang})
        assert r.status_code == 400
        assert message in r.get_data(as_text=True)
    assert client.post("/subscriptions/unsubscribe?token=x.y").status_code == 400
    assert _count_subscriptions(app) == 1


def test_a_forged_host_never_reaches_a_mail(app, client, article, smtp_server):
    # Since the hardening PUBLIC_URL is required outside development, and links in mails come
    # from it alone (weburls.public_url): the Host a sender chooses is never used, so a
    # stranger cannot mail anyone a link to their own site.
    r = post(
        client,
        new_comment(article, subscribe="replies"),
        # From a host site's page: an Origin equal to the forged Host is refused since our own
        # pages are PUBLIC_URL's (tests/test_own_origin.py).
        headers={"Host": "evil.example", "Origin": ALLOWED_ORIGIN},
        base_url="http://evil.example",
    )
    assert r.status_code == 201, r.get_data(as_text=True)
    (mail,) = mails_to(app, ANNA)
    assert "evil.example" not in mail.body + mail.html
    assert PUBLIC + "/subscriptions/confirm?" in mail.body


def test_an_edit_before_the_mail_goes_out_is_what_the_mail_quotes(
    app, reader, article, subscribed, make_reader, smtp_port
):
    """A phone number taken out by a moderator, or by the author on the plain page, is not
    sent to the subscriber in a mail written before the edit; the neighbour in the same mail
    still goes out, once."""
    from commentsvc import moderation
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow
    from tests.conftest import CSRF_INPUT

    first = subscribed("replies")
    by_staff = reply(make_reader, article, first, "Ring Bertil på 070-1234567")
    author = make_reader()
    posted = author.post(article, parent=str(first), comment="Ring Cecilia på 070-7654321",
                         email=CECILIA, author="Cecilia")  # fmt: skip
    by_author = comment_id(posted)
    reply(make_reader, article, first, "Ett svar utan nummer", email="dan@example.se")
    deliver(app, minutes=11)  # nothing listens on the port: the mail waits in the outbox
    (waiting,) = [m for m in mails_to(app, ANNA) if m.list_unsubscribe]
    assert "070-1234567" in waiting.body and "070-7654321" in waiting.body
    with app.app_context():
        moderation.edit(by_staff, "Ring Bertil via växeln", by="moa", now=utcnow())
        db.session.commit()  # the moderation page commits once
    page = author.open(article, edit=by_author).get_data(as_text=True)
    answer = author.client.post(
        f"/comments/{by_author}/edit",
        data={"comment": "Ring Cecilia via växeln", "csrf_token": CSRF_INPUT.search(page)[1]},
    )
    assert answer.status_code == 303
    assert not any("070-" in m.body + m.html for m in mails(app) if m.sent_at is None)
    with LoopbackSMTP(smtp_port) as server:
        deliver(app, minutes=12)
        deliver(app, minutes=30)
    notes = [plain(m) for rcpt, m in server.messages if rcpt == [ANNA] and m["List-Unsubscribe"]]
    assert len(notes) == 1, notes
    (note,) = notes
    assert "Ring Bertil via växeln" in note and "Ring Cecilia via växeln" in note
    assert "Ett svar utan nummer" in note and "070-" not in note
