"""The word lists (MODERATION_KEYS holds, DISALLOWED_KEYS marks spam) match whole words and
phrases, word patterns, exact addresses and networks, never a substring of an address; the
settings page refuses an entry that cannot mean anything and says which."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.models.threads import Comment
from commentsvc.moderation import accounts
from commentsvc.threads.policy import held_reasons, spam_reasons
from commentsvc.wordlists import BadEntry, first_match, parse_entry
from tests.conftest import ALLOWED_ORIGIN, Reader
from tests.moderation.conftest import PASSWORD, ModeratorClient
from tests.moderation.test_settings import (
    SETTINGS,  # the settings form as a page sends it unchanged
)
from tests.test_api import new_comment
from tests.test_embed import post_from_frame

WHO = {
    "author": "Anna Lindqvist",
    "email": "anna@example.se",
    "website": "https://anna.example.se",
    "ip": "192.0.2.0",
    "text": "Ett lugnt inlägg om vägbygget.",
}

# Matches none of the entries below: each case changes one field.
NEUTRAL = {**WHO, "email": "greta@example.org", "ip": "198.51.100.0", "website": ""}

# entry, the field it looks at, a value it catches, a near miss beside it that it lets through
CASES = [
    ("spam", "text", "Det här är Spam!", "Det här är spamalot"),
    ("spam", "text", "SPAM, SPAM och ägg", "antispam-filter"),
    ("köp nu", "text", "Köp  nu, bara idag", "köp inte nu"),
    ("köp nu", "text", "KÖP\nNU", "köpnu"),
    ("bygglov", "text", "Frågan om bygglov.", "Frågan om bygglovet"),
    ("straße", "text", "Die STRASSE hier", "Strassenbahn"),  # case-folded, as Unicode folds
    ("viagr*", "text", "Billig Viagra här", "Om niagara"),
    ("*bonus", "text", "Kasinobonus idag", "Bonusar idag"),
    ("*kasino*", "text", "Onlinekasinosidor", "kasi no"),
    ("c++", "text", "Kurs i C++ i höst", "Kurs i C i höst"),
    ("billiga", "author", "Billiga Klockor AB", "Billigare Klockor"),
    ("billiga", "website", "https://BILLIGA.example", "https://billigaste.example"),
    ("billiga", "email", "sales@billiga.example", "sales@billigaste.example"),
    ("anna@example.se", "email", "Anna@Example.se", "hanna@example.se"),
    ("anna@example.se", "email", "anna@example.se", "anna@example.se.evil.com"),
    ("anna@example.se", "text", None, "Skriv till anna@example.se"),  # the email field only
    ("@example.se", "email", "eva@example.se", "eva@mail.example.se"),
    ("192.0.2.0/24", "ip", "192.0.2.0", "192.0.3.0"),
    ("192.0.2.0", "ip", "192.0.2.0", "192.0.20.0"),
    ("192.0.2.17", "ip", "192.0.2.0", "192.0.1.0"),  # an address names its kept /24
    ("192.0.0.0/16", "ip", "192.0.7.0", "192.1.0.0"),
    ("2001:db8::/32", "ip", "2001:db8:1::", "2001:db9::"),
    ("192.0.2.0", "text", None, "Min adress är 192.0.2.0"),  # networks are not text
]


@pytest.mark.parametrize(("entry", "field", "caught", "near_miss"), CASES)
def test_an_entry_catches_what_it_says_and_not_its_neighbour(entry, field, caught, near_miss):
    if caught is not None:
        assert first_match([entry], **{**NEUTRAL, field: caught}) == entry
    assert first_match([entry], **{**NEUTRAL, field: near_miss}) is None


@pytest.mark.parametrize(
    ("entry", "named"),
    [
        ("vi*gra", "vi*gra"),
        ("*", "*"),
        ("**", "**"),
        ("anna@", "anna@"),
        ("a@b@example.se", "a@b@example.se"),
        ("192.0.2.0/33", "192.0.2.0/33"),
    ],
)
def test_an_entry_that_cannot_mean_anything_is_refused_by_name(entry, named):
    with pytest.raises(BadEntry) as refused:
        parse_entry(entry)
    assert named in str(refused.value.message)


def test_the_moderation_list_holds_and_the_disallowed_list_marks_spam():
    config = {
        "MODERATION": "none",
        "MAX_LINKS": 2,
        "MODERATION_KEYS": ["bygglov"],
        "DISALLOWED_KEYS": ["anna@example.se"],
        "MIN_SUBMIT_SECONDS": 0,
    }
    hanna = {**WHO, "email": "hanna@example.se", "text": "Om bygglovet"}
    assert spam_reasons(config, **hanna) == []
    assert spam_reasons(config, **WHO) == ["disallowed-key:anna@example.se"]
    assert held_reasons(config, html="<p>x</p>", **{**hanna, "text": "Om bygglov"}) == [
        "moderation-key:bygglov"
    ]


def test_a_long_comment_against_many_patterns_is_judged_at_once():
    """No entry can make the search backtrack: a worst case for naive patterns is quick."""
    import time

    entries = [f"*{'a' * n}*" for n in range(1, 40)] + ["a*", "*a", "aaaa b"] * 20
    text = "a" * 5000 + "!"
    started = time.perf_counter()
    for _ in range(20):
        first_match(entries[::-1], **{**WHO, "text": text, "author": "x"})
    assert time.perf_counter() - started < 2


# --- through the paths people use -------------------------------------------------------------


@pytest.fixture
def config_overrides() -> dict:
    return {"MODERATION": "none", "MIN_SUBMIT_SECONDS": 0, "DISALLOWED_KEYS": ["anna@example.se"]}


def status_of(app, email: str) -> str | None:
    with app.app_context():
        found = db.session.execute(select(Comment).where(Comment.email == email)).scalar_one()
        return found.status.value


def post_form(app, article, email):
    return Reader(app.test_client()).post(article, email=email, comment=f"Hej från {email}")


def post_api(app, article, email):
    body = new_comment(article, email=email, comment=f"Hej från {email}")
    return app.test_client().post("/api/v1/comments", json=body, headers={"Origin": ALLOWED_ORIGIN})


def post_iframe(app, article, email):
    client = app.test_client(use_cookies=False)
    return post_from_frame(client, article, email=email, comment=f"Hej från {email}")


@pytest.mark.parametrize("post", [post_form, post_api, post_iframe])
def test_a_listed_address_is_spam_and_its_neighbour_is_published(app, article, post):
    post(app, article, "anna@example.se")
    post(app, article, "hanna@example.se")
    assert status_of(app, "anna@example.se") == "spam"
    assert status_of(app, "hanna@example.se") == "approved"


@pytest.fixture
def admin(app) -> ModeratorClient:
    with app.app_context():
        accounts.create_moderator("ada", PASSWORD, role="admin", email="ada@example.se")
        db.session.commit()
    client = ModeratorClient(app.test_client())
    assert client.login("ada").status_code == 303
    return client


def test_the_settings_page_explains_the_syntax(admin):
    page = admin.get("/moderation/settings").get_data(as_text=True)
    assert 'id="DISALLOWED_KEYS-hint"' in page
    assert "viagr*" in page and "@example.se" in page and "192.0.2.0/24" in page


def test_the_settings_page_refuses_a_bad_entry_and_names_it(admin):
    bad = {**SETTINGS, "MODERATION_KEYS": "bygglov\nvi*gra", "DISALLOWED_KEYS": "kasino"}
    response = admin.post("/moderation/settings", bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="MODERATION_KEYS-error"' in page and "vi*gra" in page
    assert "kan bara stå först eller sist" in page  # said in Swedish, the default language
    saved = admin.post(
        "/moderation/settings",
        {**SETTINGS, "MODERATION_KEYS": "bygglov\nköp nu\nviagr*\n192.0.2.0/24"},
    )
    assert saved.status_code == 303


def test_an_entry_stored_before_the_rules_matches_nothing_and_breaks_nothing():
    """A list saved before entries were checked may hold one that cannot mean anything now:
    it is passed over, and the others still count."""
    stored = ["vi*gra", "anna@", "kasino"]
    assert first_match(stored, **{**NEUTRAL, "text": "vi*gra och kasino"}) == "kasino"
    assert first_match(stored, **{**NEUTRAL, "text": "vi*gra"}) is None


def test_the_command_line_refuses_a_bad_entry_and_names_it(app, runner):
    refused = runner.invoke(args=["site", "set", "default", 'DISALLOWED_KEYS=["kasino", "anna@"]'])
    assert refused.exit_code != 0
    assert "anna@" in refused.output
    taken = runner.invoke(args=["site", "set", "default", 'DISALLOWED_KEYS=["anna@example.se"]'])
    assert taken.exit_code == 0, taken.output
