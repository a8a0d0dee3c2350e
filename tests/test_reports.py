"""Readers report comments: the "Anmäl" link everywhere a comment is shown, the report form
and the API, one count per reader, holding a much-reported comment, and every bad input."""

from __future__ import annotations

import os
import re
import uuid

import pytest

from tests.conftest import ALLOWED_ORIGIN, CSRF_INPUT

GOOD_FAITH = "Jag intygar i god tro att uppgifterna är korrekta och fullständiga"


class Reporter:
    """A reader with a browser who opens a comment's report page and sends the form."""

    def __init__(self, client, ip: str = "198.51.100.7"):
        self.client = client
        self.environ = {"REMOTE_ADDR": ip}  # its network is what counts towards a hold

    def open(self, comment_id: int, **params):
        return self.client.get(
            f"/comments/{comment_id}/report", query_string=params, environ_base=self.environ
        )

    def send(self, comment_id: int, *, follow: bool = False, **fields):
        if "csrf_token" not in fields:
            page = self.open(comment_id).get_data(as_text=True)
            match = CSRF_INPUT.search(page)
            fields["csrf_token"] = match.group(1) if match else ""
        form = {"reason": "harassment", **fields}
        form = {k: v for k, v in form.items() if v is not None}
        return self.client.post(
            f"/comments/{comment_id}/report",
            data=form,
            follow_redirects=follow,
            environ_base=self.environ,
        )


@pytest.fixture
def make_reporter(app):
    """Another reader, in a browser of their own, in a network of their own unless told."""
    networks = iter(range(1, 255))
    return lambda ip=None: Reporter(app.test_client(), ip or f"203.0.{next(networks)}.9")


@pytest.fixture
def published(article, add_comment):
    return add_comment(article, "Ett publicerat inlägg", author="Eva Berg", email="eva@example.se")


def api_report(client, comment_id, body, *, origin=ALLOWED_ORIGIN, **kwargs):
    headers = {"Origin": origin} if origin else {}
    return client.post(
        f"/api/v1/comments/{comment_id}/reports", json=body, headers=headers, **kwargs
    )


def stored_reports(app):
    from sqlalchemy import select

    from commentsvc.extensions import db
    from commentsvc.models.reports import Report

    with app.app_context():
        return [
            {
                "comment": r.comment_id,
                "reason": r.reason.value,
                "email": r.email,
                "address": r.address,
                "explanation": r.explanation,
                "lang": r.lang,
            }
            for r in db.session.execute(select(Report).order_by(Report.id)).scalars()
        ]


def outbox(app):
    from sqlalchemy import select

    from commentsvc.extensions import db
    from commentsvc.models.mail import OutboxMail

    with app.app_context():
        return [
            (m.recipient, m.subject, m.body)
            for m in db.session.execute(select(OutboxMail).order_by(OutboxMail.id)).scalars()
        ]


# --- the link -------------------------------------------------------------------------------


def test_every_published_comment_has_a_report_link_on_the_plain_page(
    client, article, published, reader
):
    reader.post(article, comment="Min egen väntande", author="Ny Person", email="ny@example.se")
    page = reader.open(article).get_data(as_text=True)
    links = re.findall(r'<a class="report-link" href="([^"]+)"[^>]*>([^<]+)</a>', page)
    # The published comment has one; the reader's own pending comment has none.
    assert links == [(f"/comments/{published}/report", "Anmäl")]
    assert 'aria-label="Anmäl kommentaren av Eva Berg"' in page
    assert client.get(links[0][0]).status_code == 200


def test_the_iframe_opens_the_report_page_in_a_new_tab(client, article, published):
    page = client.get("/embed", query_string={"article": article, "lang": "en"}).get_data(
        as_text=True
    )
    assert (
        f'<a class="report-link" href="/comments/{published}/report?lang=en" target="_blank" '
        'rel="noopener"' in page
    )
    assert ">Report</a>" in page


def test_the_script_embed_gets_the_report_texts_and_links_to_the_report_page(
    client, article, published
):
    body = client.get("/api/v1/comments", query_string={"article": article, "texts": 1}).json
    assert body["texts"]["report"] == "Anmäl"
    assert body["texts"]["report_to"] == "Anmäl kommentaren av {name}"
    script = client.get("/embed.js").get_data(as_text=True)
    assert '"/comments/"+c.id+"/report?"' in script  # minified


# --- the form -------------------------------------------------------------------------------


def test_a_reader_reports_a_comment_and_is_told_what_happens_next(app, reader, article, published):
    reporter = Reporter(reader.client)
    form = reporter.open(published).get_data(as_text=True)
    assert "Ett publicerat inlägg" in form and GOOD_FAITH in form
    response = reporter.send(published, reason="spam")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/comments/{published}/report?sent=1")
    done = reporter.open(published, sent=1).get_data(as_text=True)
    assert "Tack. Din anmälan har tagits emot." in done
    assert "en moderator (en människa)" in done
    assert stored_reports(app) == [
        {
            "comment": published,
            "reason": "spam",
            "email": "",
            "address": "",
            "explanation": "",
            "lang": "sv",
        }
    ]
    assert outbox(app) == []  # no address, no receipt


@pytest.mark.parametrize("config_overrides", [{"DSA_CONTACT": "dsa@kommun.example.se"}])
def test_the_report_page_shows_the_point_of_contact(client, published):
    page = client.get(f"/comments/{published}/report").get_data(as_text=True)
    assert "Kontaktpunkt för anmälningar och beslut: dsa@kommun.example.se" in page


def test_a_notice_of_illegal_content_is_acknowledged_by_mail_in_the_notifiers_language(
    app, make_reporter, published
):
    reporter = make_reporter()
    response = reporter.send(
        published,
        reason="illegal",
        explanation="Hets mot folkgrupp, andra stycket.",
        name="Greta Eva",
        email="Greta.Eva@Example.se",
        good_faith="y",
        lang="en",
    )
    assert response.status_code == 303
    (stored,) = stored_reports(app)
    assert stored["address"] == "greta.eva@example.se" and stored["lang"] == "en"
    ((recipient, subject, body),) = outbox(app)
    assert recipient == "Greta.Eva@example.se"
    assert subject.startswith("We have received your report")
    assert "Reason: Illegal content" in body and "a moderator (a person)" in body


BAD_FORMS = [
    ({"reason": "nonsense"}, "Välj ett av skälen i listan."),
    ({"reason": None}, "Välj ett av skälen i listan."),
    (
        {"reason": "illegal", "name": "Eva", "email": "e@example.se", "good_faith": "y"},
        "Förklara varför kommentaren är olaglig",
    ),
    (
        {"reason": "illegal", "explanation": "Olaga hot.", "name": "Eva", "email": "e@example.se"},
        "Kryssa i rutan för att intyga att anmälan görs i god tro.",
    ),
    (
        {"reason": "illegal", "explanation": "Olaga hot.", "good_faith": "y"},
        "Skriv din e-postadress: vi skickar beslutet till den.",
    ),
    (
        {"reason": "other", "explanation": "x" * 100_000},
        "Förklaringen får vara högst 2000 tecken; den har 100000.",
    ),
    ({"reason": "spam", "email": "inte-en-adress"}, "Ange en e-postadress som namn@exempel.se."),
]


@pytest.mark.parametrize(("fields", "message"), BAD_FORMS)
def test_bad_reports_get_a_clear_message_and_keep_what_was_typed(
    app, make_reporter, published, fields, message
):
    response = make_reporter().send(published, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert "Din anmälan skickades inte" in page
    if fields.get("explanation"):
        assert fields["explanation"][:2000] in page
    assert stored_reports(app) == []


def test_bad_reports_are_explained_in_english_too(make_reporter, published):
    page = make_reporter().send(published, reason="illegal", lang="en").get_data(as_text=True)
    assert "Explain why the comment is illegal" in page
    assert "Tick the box to confirm that the notice is given in good faith." in page


def test_a_report_without_the_forms_token_is_refused_and_keeps_the_text(
    make_reporter, published, app
):
    response = make_reporter().send(published, csrf_token="fel", explanation="Spam!")
    assert response.status_code == 400
    assert "Spam!" in response.get_data(as_text=True)
    assert stored_reports(app) == []


def test_unknown_and_pending_comments_cannot_be_reported(
    app, client, make_reporter, article, published, held_comment
):
    assert client.get("/comments/999999/report").status_code == 404
    assert make_reporter().send(999999).status_code == 404
    # A pending comment answers as a missing one (tests/test_report_trust.py compares them).
    page = client.get(f"/comments/{held_comment}/report")
    assert page.status_code == 404
    assert "Väntar" not in page.get_data(as_text=True)
    # A reader whose form was open while the comment was held for review.
    reporter = make_reporter()
    token = CSRF_INPUT.search(reporter.open(published).get_data(as_text=True)).group(1)
    refused = reporter.send(held_comment, explanation="Spam", csrf_token=token)
    assert refused.status_code == 404
    assert stored_reports(app) == []


@pytest.fixture
def held_comment(article, add_comment):
    return add_comment(article, "Väntar", author="Ny", email="ny@example.se", approve=False)


def test_one_browser_counts_once_per_comment(app, make_reporter, published):
    first = make_reporter()
    assert first.send(published, email="eva@example.se").status_code == 303
    again = first.send(published, reason="spam")
    assert again.status_code == 409
    assert "Du har redan anmält den här kommentaren." in again.get_data(as_text=True)
    # Another browser naming the same address is taken: anyone can type an address, so an
    # unconfirmed one blocks nobody (tests/test_report_trust.py has the confirmed case).
    assert make_reporter().send(published, email="EVA@example.se").status_code == 303
    assert make_reporter().send(published, email="greta.eva@example.se").status_code == 303
    assert [r["address"] for r in stored_reports(app)] == [
        "eva@example.se",
        "eva@example.se",
        "greta.eva@example.se",
    ]


# --- holding a much-reported comment --------------------------------------------------------


@pytest.fixture
def authors_comment(app, reader, article):
    """A comment its author posted through the form in their browser, published at once."""
    app.config["MODERATION"] = "none"
    reader.post(article, comment="Något som många anmäler", author="Eva Berg")
    from sqlalchemy import select

    from commentsvc.extensions import db
    from commentsvc.models.threads import Comment

    with app.app_context():
        return db.session.execute(select(Comment.id)).scalar_one()


def test_three_different_readers_hold_a_comment_until_a_moderator_decides(
    app, client, reader, make_reporter, article, authors_comment
):
    from commentsvc.extensions import db
    from commentsvc.models.moderation import ModerationEvent
    from commentsvc.models.threads import Comment

    make_reporter().send(authors_comment, reason="spam")
    make_reporter().send(authors_comment, reason="harassment")
    assert "Något som många anmäler" in client.get(f"/thread?article={article}").get_data(
        as_text=True
    )
    assert make_reporter().send(authors_comment, reason="other").status_code == 303
    # Hidden from readers (page and API), shown to its author as waiting for review.
    assert "Något som många anmäler" not in app.test_client().get(
        f"/thread?article={article}"
    ).get_data(as_text=True)
    assert client.get("/api/v1/comments", query_string={"article": article}).json["count"] == 0
    own = reader.open(article).get_data(as_text=True)
    assert "Något som många anmäler" in own and "Din kommentar väntar på granskning." in own
    with app.app_context():
        comment = db.session.get(Comment, authors_comment)
        assert comment.status.value == "pending"
        assert comment.held_for == "reports:3"
        event = db.session.query(ModerationEvent).filter_by(comment_id=authors_comment).one()
        assert (event.actor, event.action, event.before, event.after) == (
            "reports",
            "report-hold",
            "approved",
            "pending",
        )
        assert event.details == {"count": 3, "limit": 3}
    # The confirmation page never quotes it.
    sent = make_reporter().open(authors_comment, sent=1).get_data(as_text=True)
    assert "Tack. Din anmälan har tagits emot." in sent
    assert "Något som många anmäler" not in sent
    # Now it waits: to a fourth reader it is not there.
    assert make_reporter().open(authors_comment).status_code == 404


@pytest.mark.parametrize("config_overrides", [{"REPORTS_TO_HOLD": 0}])
def test_reports_to_hold_zero_never_hides_a_comment(app, client, make_reporter, published):
    for _ in range(4):
        assert make_reporter().send(published).status_code == 303
    assert "Ett publicerat inlägg" in client.get("/thread?article=nyhet-1").get_data(as_text=True)


# --- the API --------------------------------------------------------------------------------


def test_the_api_takes_a_report_from_an_allowed_site(app, client, published):
    response = api_report(
        client,
        published,
        {"reason": "spam", "reporter": "browser-1", "email": "greta@example.se"},
        query_string={"lang": "en"},
    )
    assert response.status_code == 201
    assert response.json["report"]["reason"] == "spam"
    assert response.json["message"].startswith("Thank you.")
    assert "greta@" not in response.get_data(as_text=True)
    assert outbox(app)[0][1].startswith("We have received your report")
    again = api_report(client, published, {"reason": "other", "reporter": "browser-1"})
    assert again.status_code == 409
    assert again.json["error"] == "report_refused"
    assert api_report(client, published, {"reason": "other", "reporter": "b-2"}).status_code == 201


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"reason": "rude"}, "reason", "Välj ett av skälen i listan."),
        (
            {"reason": "illegal", "name": "E", "email": "e@example.se", "good_faith": True},
            "explanation",
            "Förklara varför",
        ),
        (
            {"reason": "illegal", "explanation": "Hot", "name": "E", "email": "e@example.se"},
            "good_faith",
            "Kryssa i rutan",
        ),
        (
            {
                "reason": "illegal",
                "explanation": "Hot",
                "name": "E",
                "email": "e@example.se",
                "good_faith": "ja",
            },
            "good_faith",
            "Skicka true eller false.",
        ),
        ({"reason": "spam", "explanation": 5}, "explanation", "Skicka fältet som text."),
        (
            {"reason": "spam", "reporter": "r" * 201},
            "reporter",
            "Webbläsarens id får vara högst 200 tecken; det har 201.",
        ),
    ],
)
def test_the_api_refuses_bad_reports_field_by_field(app, client, published, body, field, message):
    response = api_report(client, published, body)
    assert response.status_code == 422
    assert message in " ".join(response.json["errors"][field])
    assert stored_reports(app) == []


def test_a_reporter_id_of_200_characters_is_taken_whole(app, client, published):
    """The limit's neighbour: 200 characters are taken, and not cut to match another id."""
    first = api_report(client, published, {"reason": "spam", "reporter": "r" * 200})
    assert first.status_code == 201, first.json
    other = api_report(client, published, {"reason": "spam", "reporter": "r" * 199 + "s"})
    assert other.status_code == 201, other.json
    assert len(stored_reports(app)) == 2


def test_the_api_refuses_reports_it_cannot_take(app, client, published, held_comment):
    foreign = api_report(client, published, {"reason": "spam"}, origin="https://elak.example")
    assert foreign.status_code == 403
    assert foreign.json["error"] == "origin_not_allowed"
    assert api_report(client, 999999, {"reason": "spam"}).status_code == 404
    pending = api_report(client, held_comment, {"reason": "spam"})
    assert pending.status_code == 404 and pending.json["error"] == "comment_not_found"
    huge = api_report(client, published, {"reason": "other", "explanation": "x" * 100_000})
    assert huge.status_code == 413 and huge.json["message"]
    form_encoded = client.post(
        f"/api/v1/comments/{published}/reports",
        data={"reason": "spam"},
        headers={"Origin": ALLOWED_ORIGIN},
    )
    assert form_encoded.status_code == 415
    assert stored_reports(app) == []


@pytest.mark.parametrize(
    "config_overrides", [{"RATELIMIT_ENABLED": True, "RATELIMIT_COMMENTS": "3 per minute"}]
)
def test_a_report_flood_from_one_address_is_slowed_down_on_every_path(
    app, make_reporter, article, add_comment, client
):
    ids = [add_comment(article, f"Kommentar {n}") for n in range(5)]
    one = "127.0.0.1"  # the API client's address too
    assert make_reporter(one).send(ids[0]).status_code == 303
    assert make_reporter(one).send(ids[1]).status_code == 303
    assert api_report(client, ids[2], {"reason": "spam"}).status_code == 201
    flood = make_reporter(one).send(ids[3], explanation="Ännu en")
    assert flood.status_code == 429
    assert "Du skickar anmälningar för snabbt" in flood.get_data(as_text=True)
    api_flood = api_report(client, ids[4], {"reason": "spam"})
    assert api_flood.status_code == 429 and "för snabbt" in api_flood.json["message"]
    assert len(stored_reports(app)) == 3
    # Reporting has its own budget: the same reader may still post a comment.
    from tests.conftest import Reader

    assert Reader(app.test_client()).post(article).status_code == 303


REDIS_URL = os.environ.get("TEST_REDIS_URL")
REDIS_PREFIX = f"test-reports-{uuid.uuid4().hex}"


@pytest.mark.skipif(not REDIS_URL, reason="set TEST_REDIS_URL to test the limit in Redis")
@pytest.mark.parametrize(
    "config_overrides",
    [
        {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_COMMENTS": "2 per minute",
            "RATELIMIT_STORAGE_URI": REDIS_URL or "memory://",
            "RATELIMIT_KEY_PREFIX": REDIS_PREFIX,
        }
    ],
)
def test_the_report_flood_limit_is_kept_in_redis_for_every_instance(
    app, make_reporter, article, add_comment
):
    import redis

    from commentsvc import create_app
    from commentsvc.extensions import db

    ids = [add_comment(article, f"Kommentar {n}") for n in range(3)]
    assert make_reporter("127.0.0.1").send(ids[0]).status_code == 303
    # A second instance of the service shares the budget through Redis.
    other = create_app(dict(app.config))
    assert Reporter(other.test_client(), "127.0.0.1").send(ids[1]).status_code == 303
    assert make_reporter("127.0.0.1").send(ids[2]).status_code == 429
    client = redis.Redis.from_url(REDIS_URL)
    try:
        assert list(client.scan_iter(match=f"*{REDIS_PREFIX}*report-comments*"))
    finally:
        client.close()
        with other.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("config_overrides", [{"PUBLIC_URL": "https://kommentarer.example.se/"}])
def test_links_in_the_receipt_are_absolute_from_public_url(app, make_reporter, add_comment):
    from commentsvc import threads
    from commentsvc.extensions import db

    with app.app_context():
        threads.create_article("utan-adress", title="Utan adress")
        db.session.commit()  # services flush; the caller commits
    comment_id = add_comment("utan-adress", "Hej")
    make_reporter("127.0.0.1").send(comment_id, reason="spam", email="greta@example.se")
    ((_to, _subject, body),) = outbox(app)
    assert f"https://kommentarer.example.se/thread?article=utan-adress#comment-{comment_id}" in body
