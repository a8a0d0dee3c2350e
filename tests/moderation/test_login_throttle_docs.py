"""Failed logins slow down and lock exactly as docs/moderating.md says, through the login form,
and the throttled answer says when to try again: in a ``Retry-After`` header (seconds) and in
words on the page, in Swedish and in English."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from tests.moderation.conftest import PASSWORD, ModeratorClient

DOCS = Path(__file__).parents[2] / "docs" / "moderating.md"


def documented_numbers() -> dict[str, int]:
    """The settings and their defaults as the Failed logins section names them."""
    section = DOCS.read_text(encoding="utf-8").split("### Failed logins", 1)[1].split("\n## ")[0]
    return {key: int(value) for key, value in re.findall(r"`(LOGIN_[A-Z_]+)` \((\d+)\)", section)}


@pytest.fixture
def clock(monkeypatch):
    """The login form's clock, moved by the test: no test sleeps through a delay."""
    from commentsvc.models.base import utcnow

    now = [utcnow()]
    monkeypatch.setattr("commentsvc.views.moderation.signin.utcnow", lambda: now[0])

    def move(seconds: float = 0) -> None:
        now[0] += timedelta(seconds=seconds)

    return move


def test_the_documented_numbers_are_the_defaults(app):
    from commentsvc.setting_specs import SETTINGS

    documented = documented_numbers()
    assert set(documented) == {
        "LOGIN_FREE_FAILURES",
        "LOGIN_LOCK_FAILURES",
        "LOGIN_LOCK_MINUTES",
        "LOGIN_ADDRESS_FAILURES",
    }
    defaults = {spec.key: spec.default for spec in SETTINGS if spec.key in documented}
    assert documented == defaults
    assert {key: app.config[key] for key in documented} == documented


def test_the_delay_starts_at_the_try_after_the_free_failures_with_retry_after(
    app, make_moderator, clock
):
    """After 3 failures the 4th try at once waits 1 second (not the 5th); a second later it
    is checked; the next then waits 2 seconds."""
    make_moderator("moa")
    browser = ModeratorClient(app.test_client())
    free = documented_numbers()["LOGIN_FREE_FAILURES"]
    answers = [browser.login("moa", f"fel {i}") for i in range(free)]
    assert [a.status_code for a in answers] == [401] * free
    assert all("Retry-After" not in a.headers for a in answers)

    fourth = browser.login("moa", "fel igen")
    assert fourth.status_code == 429
    assert fourth.headers["Retry-After"] == "1"
    assert "Vänta 1 sekund och försök igen" in fourth.get_data(as_text=True)

    clock(1)
    assert browser.login("moa", "fel en gång till").status_code == 401
    fifth = browser.login("moa", "fel igen")
    assert fifth.status_code == 429
    assert fifth.headers["Retry-After"] == "2"
    assert "Vänta 2 sekunder och försök igen" in fifth.get_data(as_text=True)


def test_the_right_password_after_the_free_failures_and_the_wait_logs_in(
    app, make_moderator, clock
):
    """The near miss: the free failures cost nothing but the wait."""
    make_moderator("moa")
    browser = ModeratorClient(app.test_client())
    for i in range(documented_numbers()["LOGIN_FREE_FAILURES"]):
        browser.login("moa", f"fel {i}")
    assert browser.login("moa").status_code == 429
    clock(1)
    assert browser.login("moa").status_code == 303


def test_the_lock_comes_at_the_documented_failure_and_says_its_minutes(app, make_moderator, clock):
    make_moderator("moa")
    browser = ModeratorClient(app.test_client())
    numbers = documented_numbers()
    statuses = []
    for i in range(numbers["LOGIN_LOCK_FAILURES"]):
        clock(120)  # past every delay: only the lock can refuse
        statuses.append(browser.login("moa", f"fel {i}").status_code)
    assert statuses == [401] * numbers["LOGIN_LOCK_FAILURES"]
    clock(120)
    locked = browser.login("moa")
    assert locked.status_code == 429
    minutes = numbers["LOGIN_LOCK_MINUTES"]
    assert int(locked.headers["Retry-After"]) == minutes * 60 - 120
    assert f"Försök igen om {minutes - 2} minuter" in locked.get_data(as_text=True)
    clock(minutes * 60)
    assert browser.login("moa").status_code == 303


def test_an_address_is_slowed_after_its_documented_failures_over_all_accounts(app, clock):
    """Unknown names from one address: each is a pair of its own, the address's count holds."""
    browser = ModeratorClient(app.test_client())
    budget = documented_numbers()["LOGIN_ADDRESS_FAILURES"]
    statuses = [browser.login(f"gissning{i}", "fel").status_code for i in range(budget)]
    assert statuses == [401] * budget
    slowed = browser.login("en-till", "fel")
    assert slowed.status_code == 429
    assert slowed.headers["Retry-After"] == "1"
    other = ModeratorClient(app.test_client())
    answer = other.login("en-till", "fel", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert answer.status_code == 401  # another address: its own budget


@pytest.mark.parametrize("config_overrides", [{"LANGUAGE": "en"}])
def test_the_wait_is_said_in_english_too(app, make_moderator, clock, config_overrides):
    make_moderator("moa")
    browser = ModeratorClient(app.test_client())
    for i in range(documented_numbers()["LOGIN_FREE_FAILURES"]):
        browser.login("moa", f"wrong {i}")
    waits = browser.login("moa", "wrong again")
    assert waits.status_code == 429
    assert waits.headers["Retry-After"] == "1"
    assert "Wait 1 second and try again" in waits.get_data(as_text=True)


def test_the_page_gets_the_right_password_only_after_the_wait(app, make_moderator, clock):
    """Even the right password waits out the delay: the wait is no oracle for it."""
    make_moderator("moa")
    browser = ModeratorClient(app.test_client())
    for i in range(documented_numbers()["LOGIN_FREE_FAILURES"]):
        browser.login("moa", f"fel {i}")
    early = browser.login("moa", PASSWORD)
    assert early.status_code == 429 and early.headers["Retry-After"] == "1"
