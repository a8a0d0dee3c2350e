"""The moderation policy: what is held, what is spam, what is refused (duplicates, floods)."""

from __future__ import annotations

import re
import socket
from datetime import timedelta

import pytest

from commentsvc.threads.policy import Signals, held_reasons, spam_reasons

BASE = {
    "MODERATION": "none",
    "MAX_LINKS": 2,
    "MODERATION_KEYS": [],
    "DISALLOWED_KEYS": [],
    "MIN_SUBMIT_SECONDS": 3,
}
WHO = {
    "author": "Anna Lindqvist",
    "email": "anna@example.se",
    "website": "https://anna.example.se",
    "ip": "192.0.2.0",
    "text": "Ett lugnt inlägg om vägbygget.",
}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("text", "Köp BILLIGA klockor här"),
        ("author", "Billiga Klockor AB"),
        ("email", "sales@billiga.example"),
        ("website", "https://BILLIGA.example"),
    ],
)
def test_a_moderation_word_holds_the_comment_wherever_it_is(app, field, value):
    with app.app_context():
        reasons = held_reasons(
            {**BASE, "MODERATION_KEYS": ["billiga"]}, html="<p>x</p>", **{**WHO, field: value}
        )
    assert reasons == ["moderation-key:billiga"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("text", "CASINO bonus"), ("author", "Casino"), ("email", "x@casino.example")],
)
def test_a_disallowed_word_makes_it_spam_wherever_it_is(field, value):
    reasons = spam_reasons({**BASE, "DISALLOWED_KEYS": ["casino"]}, **{**WHO, field: value})
    assert reasons == ["disallowed-key:casino"]


@pytest.mark.parametrize(
    ("signals", "minimum", "expected"),
    [
        (Signals(stamp_age=10, honeypot=""), 3, []),
        (Signals(stamp_age=10, honeypot="http://spam.example"), 3, ["honeypot"]),
        (Signals(stamp_age=1.2, honeypot=""), 3, ["too-fast:1"]),
        (Signals(stamp_age=None, honeypot=""), 3, ["no-stamp"]),
        (Signals(stamp_age=None, honeypot=""), 0, []),  # the time-trap turned off
        (Signals(stamp_age=0, honeypot="x"), 0, ["honeypot"]),
        (None, 3, []),  # trusted callers (imports) send no signals
    ],
)
def test_form_signals_mark_spam(signals, minimum, expected):
    assert spam_reasons({**BASE, "MIN_SUBMIT_SECONDS": minimum}, **WHO, signals=signals) == (
        expected
    )


@pytest.mark.parametrize(
    ("mode", "earlier_approved", "expected"),
    [
        ("all", True, ["all"]),
        ("first-time", False, ["first-time"]),
        ("first-time", True, []),
        ("none", False, []),
    ],
)
def test_moderation_modes(app, article, add_comment, mode, earlier_approved, expected):
    if earlier_approved:
        add_comment(article, "Tidigare godkänd", author=WHO["author"], email=WHO["email"])
    with app.app_context():
        reasons = held_reasons({**BASE, "MODERATION": mode}, html="<p>x</p>", **WHO)
    assert reasons == expected


def test_more_links_than_allowed_holds_the_comment(app):
    html = "".join(f'<a href="https://e{i}.example">l</a>' for i in range(3))
    with app.app_context():
        assert held_reasons(BASE, html=html, **WHO) == ["links:3"]
        assert held_reasons({**BASE, "MAX_LINKS": 3}, html=html, **WHO) == []


# --- through the form, as a reader sends it ---------------------------------------------


@pytest.fixture
def config_overrides():
    return {"MIN_SUBMIT_SECONDS": 3}


def stamp_from(page: str) -> str:
    return re.search(r'name="ts" value="([^"]*)"', page).group(1)


def old_stamp(app, seconds: int) -> str:
    from commentsvc.models.base import utcnow
    from commentsvc.threads.antispam import issue_stamp

    with app.test_request_context():
        return issue_stamp(utcnow() - timedelta(seconds=seconds))


def stored(app):
    from commentsvc.extensions import db
    from commentsvc.models.threads import Comment

    with app.app_context():
        return [(c.status.value, c.held_for) for c in db.session.query(Comment).order_by("id")]


def test_a_person_who_took_their_time_is_not_spam(app, reader, article):
    response = reader.post(article, ts=old_stamp(app, 20))
    assert response.status_code == 303
    assert stored(app) == [("pending", "first-time")]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"hp": "https://spam.example"}, "honeypot"),
        ({"ts": None}, "no-stamp"),
        ({"ts": "forged.stamp"}, "no-stamp"),
        ({"ts": "fresh"}, "too-fast:"),  # sent a second after the page was shown
    ],
)
def test_spam_signals_store_the_comment_as_spam_with_the_reason(
    app, reader, article, mod, fields, reason
):
    if fields.get("ts") == "fresh":
        fields = {"ts": stamp_from(reader.open(article).get_data(as_text=True))}
    else:
        fields = {"ts": old_stamp(app, 20), **fields}
    response = reader.post(article, comment="Köp nu", **fields)
    assert response.status_code == 303  # the sender is not told; nothing is lost
    [(status, held_for)] = stored(app)
    assert status == "spam" and held_for.startswith(reason)
    public = reader.open(article).get_data(as_text=True)
    assert "Inga kommentarer ännu" in public
    spam_tab = mod.get("/moderation/?status=spam").get_data(as_text=True)
    assert "Köp nu" in spam_tab and "Skräp eftersom:" in spam_tab


def test_the_same_comment_twice_is_refused_with_a_clear_message(app, reader, article):
    assert reader.post(article, ts=old_stamp(app, 20)).status_code == 303
    again = reader.post(article, ts=old_stamp(app, 20))
    assert again.status_code == 422
    page = again.get_data(as_text=True)
    assert "Du har redan skickat den här kommentaren" in page
    assert "Ett bra initiativ!" in page  # the typed text is kept
    assert len(stored(app)) == 1


def test_the_same_text_from_another_person_is_not_a_duplicate(app, reader, article):
    assert reader.post(article, ts=old_stamp(app, 20)).status_code == 303
    other = reader.post(article, ts=old_stamp(app, 20), email="erik@example.se")
    assert other.status_code == 303


class TestFlooding:
    @pytest.fixture
    def config_overrides(self):
        return {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_COMMENTS": "3 per minute",
            "MIN_SUBMIT_SECONDS": 0,
        }

    def test_too_many_comments_from_one_address_get_429(self, app, reader, article):
        codes = [reader.post(article, comment=f"Inlägg {i}").status_code for i in range(4)]
        assert codes == [303, 303, 303, 429]
        page = reader.post(article, comment="Ett till").get_data(as_text=True)
        assert "Du skickar kommentarer för snabbt" in page
        assert len(stored(app)) == 3

    def test_other_addresses_are_not_limited(self, app, make_reader, article):
        first, second = make_reader(), make_reader()
        for i in range(3):
            first.post(article, comment=f"Inlägg {i}")
        response = second.client.post(
            "/comments",
            data={
                "article": article,
                "comment": "Från en annan adress",
                "author": "Erik",
                "email": "erik@example.se",
                "csrf_token": second.csrf_token(article),
            },
            environ_base={"REMOTE_ADDR": "198.51.100.7"},
        )
        assert response.status_code == 303

    def test_reading_is_not_limited(self, reader, article):
        for i in range(3):
            reader.post(article, comment=f"Inlägg {i}")
        assert all(reader.open(article).status_code == 200 for _ in range(10))

    def test_another_app_in_the_process_does_not_change_this_ones_limits(
        self, app, reader, article, database_url, tmp_path
    ):
        from commentsvc import create_app
        from tests.conftest import base_config

        # Made after this app, with limits off and another prefix, as a second instance or a
        # command in the same process would be: each app keeps its own Limiter.
        other = tmp_path / "other"
        other.mkdir()
        create_app(
            {
                **base_config(database_url, other),
                "RATELIMIT_ENABLED": False,
                "RATELIMIT_KEY_PREFIX": "another",
            }
        )
        codes = [reader.post(article, comment=f"Inlägg {i}").status_code for i in range(4)]
        assert codes == [303, 303, 303, 429]
        assert len(stored(app)) == 3


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TestRedisDown:
    @pytest.fixture
    def config_overrides(self):
        return {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_COMMENTS": "2 per minute",
            "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{_closed_port()}/0",
            "MIN_SUBMIT_SECONDS": 0,
        }

    def test_the_service_keeps_serving_with_per_instance_limits(self, app, reader, article, caplog):
        codes = [reader.post(article, comment=f"Inlägg {i}").status_code for i in range(3)]
        assert codes == [303, 303, 429]
        assert len(stored(app)) == 2
        assert "falling back to in-memory storage" in caplog.text
