"""Every link the service mails or puts in a page's address is opaque: random bytes that prove
something to the service and say nothing to a log, a proxy or a Referer.

One conversation makes every mail the service can send (notify.mail.MAILS): a confirmation, a
notification, a held comment's mail to the moderators, a report's receipt and decision, and a
statement of reasons. Each link in each mail (text, HTML, List-Unsubscribe) and the iframe's
own address, cut into its path and query parts, each url-decoded and base64-decoded, holds no
address of anyone involved and nothing readable at all. Erasing a person kills their links.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
import zlib
from datetime import timedelta
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from tests.mailserver import mail_config
from tests.moderation.conftest import ModeratorClient
from tests.test_embed import post_from_frame
from tests.test_subscriptions import confirm, csrf_of, deliver, link_in, mails_to

PUBLIC = "https://kommentarer.example.se"
EVA, GRETA, BERTIL = "eva@example.se", "greta.eva@example.se", "bertil@example.se"
PEOPLE = (EVA, GRETA, BERTIL, "ada@example.se")
LINK = re.compile(r"https?://[^\s\"'<>]+")


@pytest.fixture
def config_overrides(smtp_port):
    return {**mail_config(smtp_port, PUBLIC), "REPORTS_TO_HOLD": 3, "NOTIFY_BATCH_MINUTES": 0}


def outbox(app) -> list:
    from commentsvc.extensions import db
    from commentsvc.models.mail import OutboxMail

    with app.app_context():
        rows = list(db.session.execute(db.select(OutboxMail).order_by(OutboxMail.id)).scalars())
        db.session.expunge_all()
        return rows


def _id(response) -> int:
    return int(re.search(r"#comment-(\d+)$", response.headers["Location"]).group(1))


@pytest.fixture
def every_mail(app, article, make_reader, make_moderator, report, confirm_receipt, smtp_server):
    """A conversation that makes each kind of mail, each sent before the next step (a decision
    takes back the unsent mails about a comment); returns the outbox and Eva's browser."""
    from commentsvc.models.base import utcnow
    from commentsvc.notify import notifications

    make_moderator("ada", role="admin", email="ada@example.se", notify=True)
    ada = ModeratorClient(app.test_client())
    assert ada.login("ada").status_code == 303
    eva = make_reader()
    asked = eva.post(article, email=EVA, author="Eva Ek", comment="Evas fråga", subscribe="replies")
    evas = _id(asked)
    deliver(app)
    assert ada.act(evas, "approve").status_code == 303
    assert confirm(eva.client, link_in(mails_to(app, EVA)[-1].body, "/subscriptions/confirm"))
    answer = make_reader().post(
        article, email=GRETA, author="Greta Gran", comment="Gretas svar", parent=str(evas)
    )
    gretas = _id(answer)
    deliver(app)
    assert ada.act(gretas, "approve").status_code == 303
    with app.app_context():
        assert notifications.queue_due_notifications(now=utcnow() + timedelta(minutes=1)) == 1
    deliver(app, minutes=2)
    report(gretas, "illegal", browser="a", email=BERTIL, name="Bertil")
    report(gretas, "harassment", browser="b")
    report(gretas, "spam", browser="c")
    deliver(app)
    confirm_receipt(BERTIL)  # the decision goes only to a notifier who confirmed
    removed = ada.post(
        f"/moderation/comments/{gretas}/reports/remove", {"reason": "illegal", "ground": "Hot."}
    )
    assert removed.status_code == 303
    banned = ada.post(  # and Greta is banned for a week: a statement of reasons of its own
        "/moderation/bans/new",
        {"target": GRETA, "days": "7", "reason": "harassment", "comment": gretas},
    )
    assert banned.status_code == 303
    return {"mails": outbox(app), "eva": eva, "evas": evas, "gretas": gretas}


def _decodings(part: str) -> list[str]:
    """What a piece of a URL may say: as it is, url-decoded, and base64-decoded (whole or cut
    at dots, zlib-inflated where it is compressed as itsdangerous does)."""
    text = unquote(unquote(part))
    found = [text]
    for piece in [text, *text.split(".")]:
        piece = piece.lstrip(".")
        if len(piece) < 2:
            continue
        try:
            raw = base64.urlsafe_b64decode(piece + "=" * (-len(piece) % 4))
        except (binascii.Error, ValueError):
            continue
        with_inflated = [raw]
        with contextlib.suppress(zlib.error):
            with_inflated.append(zlib.decompress(raw))
        found += [r.decode("latin-1") for r in with_inflated]
    return found


def _readable(raw: str) -> bool:
    """Printable text (what a base64-decoded payload of JSON or a number is), not random bytes."""
    return bool(raw) and all(32 <= ord(c) < 127 for c in raw)


def url_parts(url: str) -> list[str]:
    parts = urlsplit(url)
    return [p for p in parts.path.split("/") if p] + [
        v for pair in parse_qsl(parts.query, keep_blank_values=True) for v in pair
    ]


def secret_parts(url: str) -> list[str]:
    """The query values that carry a token (the long ones)."""
    parts = urlsplit(url)
    return [v for _k, v in parse_qsl(parts.query) if len(v) >= 16]


def links(mail) -> list[str]:
    return LINK.findall(mail.body + " " + mail.html + " " + mail.list_unsubscribe)


def test_every_kind_of_mail_is_made_here(every_mail):
    from commentsvc.notify.mail import MAILS

    assert {m.kind for m in every_mail["mails"]} == set(MAILS)


def test_no_link_in_any_mail_carries_an_address_or_anything_readable(every_mail):
    checked = 0
    for mail in every_mail["mails"]:
        for url in links(mail):
            for part in url_parts(url):
                for said in _decodings(part):
                    assert not [p for p in PEOPLE if p in said.lower()], (mail.kind, url, said)
                    if _readable(said):  # random bytes may hold an "@" by chance
                        assert "@" not in said, (mail.kind, url, said)
            for token in secret_parts(url):
                decoded = [s for s in _decodings(token)[1:] if _readable(s)]
                assert not decoded, (mail.kind, url, decoded)
                checked += 1
    assert checked >= 3  # confirm, unsubscribe in the text and in List-Unsubscribe


def test_the_iframes_own_address_carries_no_readable_token(app, client, article):
    # From the iframe's own page, at PUBLIC_URL.
    posted = post_from_frame(client, article, origin=PUBLIC, email=EVA, author="Eva Ek")
    assert posted.status_code == 303, posted.get_data(as_text=True)
    tokens = [v for k, v in parse_qsl(urlsplit(posted.headers["Location"]).query) if k == "own"]
    assert tokens
    for token in tokens:
        assert not [s for s in _decodings(token)[1:] if _readable(s)], token
    # The token still proves authorship: the pending comment shows to its author.
    page = client.get(posted.headers["Location"]).get_data(as_text=True)
    assert "Från iframen" in page


def test_the_links_still_work_and_an_erasure_kills_them(app, runner, every_mail):
    (notification,) = [m for m in every_mail["mails"] if m.kind == "notification"]
    stop = link_in(notification.body, "/subscriptions/unsubscribe")
    eva = every_mail["eva"].client
    page = eva.get(stop)
    assert page.status_code == 200 and "SOI Mitt startar i Svealand" in page.get_data(as_text=True)

    result = runner.invoke(args=["privacy-erase", EVA])
    assert result.exit_code == 0, result.output

    for method in ("GET", "POST"):
        dead = eva.open(stop, method=method, data={"scope": "everything"})
        assert dead.status_code in (400, 410), dead.status_code
        assert "SOI Mitt" not in dead.get_data(as_text=True)


def test_a_link_of_the_earlier_signed_format_is_refused_with_a_page(app, client):
    from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer

    old_stop = URLSafeSerializer("test-secret", salt="subscription-unsubscribe").dumps(
        {"a": EVA, "t": 1}
    )
    old_confirm = URLSafeTimedSerializer("test-secret", salt="subscription-confirm").dumps(
        {"a": EVA, "n": "x"}
    )
    for path, token in (
        ("/subscriptions/unsubscribe", old_stop),
        ("/subscriptions/confirm", old_confirm),
    ):
        page = client.get(path, query_string={"token": token, "lang": "en"})
        assert page.status_code == 400
        assert "not valid" in page.get_data(as_text=True)
        form = client.post(path, query_string={"token": token}, data={"scope": "everything"})
        assert form.status_code in (400, 410)


def test_an_edit_token_dies_with_its_authors_erasure(app, client, runner, article):
    from tests.test_api import new_comment
    from tests.test_api_edit import HOST, edit

    body = client.post("/api/v1/comments", json=new_comment(article), headers=HOST).get_json()
    token = body["edit_token"]
    assert not [s for s in _decodings(token)[1:] if _readable(s)]
    email = new_comment(article)["email"]
    assert runner.invoke(args=["privacy-erase", email]).exit_code == 0
    assert edit(client, body["comment"]["id"], token).status_code == 403


def test_a_confirmation_link_confirms_once_and_only_its_own_address(app, make_reader, article):
    eva, greta = make_reader(), make_reader()
    eva.post(article, email=EVA, author="Eva", comment="Eva frågar", subscribe="replies")
    greta.post(article, email=GRETA, author="Greta", comment="Greta frågar", subscribe="replies")
    evas = link_in(mails_to(app, EVA)[-1].body, "/subscriptions/confirm")
    assert confirm(eva.client, evas).status_code == 200
    again = eva.client.get(evas)
    assert again.status_code == 410
    from tests.test_subscriptions import _confirmed

    assert _confirmed(app, EVA) is True and _confirmed(app, GRETA) is False
    form = eva.client.get(link_in(mails_to(app, GRETA)[-1].body, "/subscriptions/confirm"))
    assert form.status_code == 200 and csrf_of(form.get_data(as_text=True))


def _links(app) -> list[tuple[str, str]]:
    from commentsvc.extensions import db
    from commentsvc.models.tokens import LinkToken

    with app.app_context():
        rows = db.session.execute(db.select(LinkToken).order_by(LinkToken.id)).scalars()
        return [(r.purpose.value, r.address) for r in rows]


def test_the_purge_deletes_dead_links_and_keeps_working_ones(app, runner, make_reader, article):
    from commentsvc import threads, tokens
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow
    from commentsvc.models.tokens import TokenPurpose
    from commentsvc.notify import subscriptions

    app.config["OUTBOX_RETENTION_DAYS"] = 30
    eva, greta = make_reader(), make_reader()
    eva.post(article, email=EVA, author="Eva", comment="Eva frågar", subscribe="replies")
    greta.post(article, email=GRETA, author="Greta", comment="Greta frågar", subscribe="replies")
    long_ago = utcnow() - timedelta(days=40)
    with app.app_context():
        key = threads.find_article(article).id
        for address in (EVA, GRETA):  # a stop link mailed long ago to each
            subscriptions.unsubscribe_url(address, key, "sv", now=long_ago)
        subscriptions.unsubscribe_url(BERTIL, key, "sv", now=long_ago)  # left since
        tokens.issue(TokenPurpose.CONFIRM, address=BERTIL, now=long_ago, lifetime=timedelta(7))
        db.session.commit()
    before = _links(app)

    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "Tog bort 2 länkar som inte längre fungerar." in result.output

    gone = [link for link in before if link not in _links(app)]
    assert sorted(gone) == [("confirm", BERTIL), ("unsubscribe", BERTIL)]
    # Eva's and Greta's: their edit, confirmation and stop links still work.
    assert {a for _p, a in _links(app)} == {EVA, GRETA}


def test_a_confirmation_link_from_before_the_address_left_everything_confirms_nothing(
    app, make_reader, article
):
    from tests.test_subscriptions import _confirmed

    eva = make_reader()
    eva.post(article, email=EVA, author="Eva", comment="Eva frågar", subscribe="replies")
    unused = link_in(mails_to(app, EVA)[-1].body, "/subscriptions/confirm")
    with app.app_context():
        from commentsvc.extensions import db
        from commentsvc.models.base import utcnow
        from commentsvc.notify import subscriptions
        from commentsvc.threads.articles import find_article

        stop = subscriptions.unsubscribe_url(EVA, find_article(article).id, "sv", now=utcnow())
        db.session.commit()
    left = eva.client.post(
        urlsplit(stop).path + "?" + urlsplit(stop).query, data={"scope": "everything"}
    )
    assert left.status_code == 200
    # She asks again: only the new mail's link confirms, not the one from before she left.
    eva.post(article, email=EVA, author="Eva", comment="Eva igen", subscribe="replies")
    fresh = link_in(mails_to(app, EVA)[-1].body, "/subscriptions/confirm")
    assert fresh != unused
    assert eva.client.get(unused).status_code in (400, 410)
    assert _confirmed(app, EVA) is False
    assert confirm(eva.client, fresh).status_code == 200
    assert _confirmed(app, EVA) is True
