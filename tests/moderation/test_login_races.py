"""Parallel guesses get no more password checks than guesses one after another.

Real gunicorn (4 workers of 4 threads) on a real SQLite file; 16 browsers each fetch the login
form, then all send a wrong password at the same moment. A 401 ("Fel användarnamn eller
lösenord") is a password that was checked; a 429 is a guess refused before any check. The
throttle counts each attempt before its password is checked, so the 401s never exceed what
moderating.md promises, no guess meets a 500, and the right password after the lock is refused.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest

from tests.moderation.conftest import PASSWORD
from tests.servers import Browser, Forms, gunicorn

pytestmark = pytest.mark.slow
GUESSES = 16
ADDRESS_LIMIT = 5  # LOGIN_ADDRESS_FAILURES: failures over all accounts before the address waits


def login_form(base: str) -> tuple[Browser, dict]:
    browser = Browser(base)
    page = browser.get("/moderation/login")
    form = next(f for f in Forms(page.text).forms if "password" in f["fields"])
    return browser, {name: field["value"] or "" for name, field in form["fields"].items()}


def send(browser: Browser, fields: dict, username: str, password: str) -> int:
    body = urlencode({**fields, "username": username, "password": password})
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return browser.request("POST", "/moderation/login", body, headers).status


def guess_at_once(base: str, usernames: list[str]) -> tuple[list[int], float]:
    """One wrong password per user name, all sent at the same moment; their statuses, and
    how many seconds the burst took from the first request to the last answer."""
    forms = [login_form(base) for _ in usernames]
    start = threading.Barrier(len(usernames))
    started: list[float] = []

    def guess(n: int) -> int:
        browser, fields = forms[n]
        if start.wait() == 0:
            started.append(time.monotonic())
        return send(browser, fields, usernames[n], f"gissning nummer {n}")

    with ThreadPoolExecutor(len(usernames)) as pool:
        statuses = list(pool.map(guess, range(len(usernames))))
    return statuses, time.monotonic() - started[0]


def delays_run_out(seconds: float) -> int:
    """How many of the waits of 1, 2, 4 ... seconds (moderating.md) end within ``seconds``:
    each lets one more guess be checked during a burst that long."""
    ends = [sum(2**k for k in range(n + 1)) for n in range(7)]  # 1, 3, 7, 15 ...
    return len([end for end in ends if end <= seconds])


def test_parallel_wrong_logins_get_no_more_checks_than_the_lock_allows(
    make_moderator, database_url, tmp_path
):
    """LOGIN_LOCK_FAILURES (no slowing before it, so the number is exact whatever the timing):
    ten checks, six refusals, and then the pair is locked, the right password too."""
    make_moderator("moa")
    config = {"LOGIN_FREE_FAILURES": 10, "LOGIN_LOCK_FAILURES": 10}
    (tmp_path / "srv").mkdir()
    with gunicorn(database_url, tmp_path / "srv", workers=4, threads=4, **config) as base:
        statuses, _ = guess_at_once(base, ["moa"] * GUESSES)
        assert 500 not in statuses
        assert statuses.count(401) == 10, statuses
        assert statuses.count(429) == GUESSES - 10
        browser, fields = login_form(base)
        assert send(browser, fields, "moa", PASSWORD) == 429


def test_parallel_wrong_logins_over_many_accounts_count_against_the_address(
    make_moderator, database_url, tmp_path
):
    """Sixteen accounts guessed at once from one address: LOGIN_ADDRESS_FAILURES checks, then
    the address must wait (one more check for each wait that runs out while the burst lasts)."""
    make_moderator("moa")
    usernames = ["moa", *(f"konto{n}" for n in range(GUESSES - 1))]
    (tmp_path / "srv").mkdir()
    config = {"LOGIN_ADDRESS_FAILURES": ADDRESS_LIMIT}
    with gunicorn(database_url, tmp_path / "srv", workers=4, threads=4, **config) as base:
        statuses, seconds = guess_at_once(base, usernames)
        assert 500 not in statuses
        most = ADDRESS_LIMIT + delays_run_out(seconds)
        assert ADDRESS_LIMIT <= statuses.count(401) <= most, (statuses, seconds)
        assert statuses.count(429) == GUESSES - statuses.count(401)


def test_parallel_wrong_logins_with_the_default_delays_check_at_most_the_free_ones(
    make_moderator, database_url, tmp_path
):
    """LOGIN_FREE_FAILURES (3) failures, then 1, 2, 4 ... seconds between tries: a burst gets
    its free checks and at most one more for each wait that runs out while it lasts."""
    make_moderator("moa")
    (tmp_path / "srv").mkdir()
    with gunicorn(database_url, tmp_path / "srv", workers=4, threads=4) as base:
        statuses, seconds = guess_at_once(base, ["moa"] * GUESSES)
        assert 500 not in statuses
        # 3 free; one more for each wait that ran out while the burst lasted (usually none).
        assert 3 <= statuses.count(401) <= 3 + delays_run_out(seconds), (statuses, seconds)
        assert statuses.count(429) == GUESSES - statuses.count(401)


def test_the_delays_start_after_the_free_failures_as_documented(app, make_moderator):
    """moderating.md: after LOGIN_FREE_FAILURES (3) failures the pair waits 1, 2, 4 ... seconds
    between tries. The 4th try at once waits; a second later it is checked; the 5th then
    waits 2 seconds, not 1."""
    from datetime import timedelta

    from commentsvc.models.base import utcnow
    from commentsvc.moderation import logins

    make_moderator("moa")
    start = utcnow()

    def attempt(seconds: float) -> str:
        try:
            logins.authenticate(
                "moa", "fel", address="203.0.113.0", now=start + timedelta(seconds=seconds)
            )
        except logins.LoginThrottled:
            return "waits"
        except logins.LoginFailed:
            return "checked"
        return "logged in"

    with app.app_context():
        assert [attempt(0) for _ in range(3)] == ["checked"] * 3
        assert attempt(0.5) == "waits"
        assert attempt(1) == "checked"
        assert attempt(2.5) == "waits"
        assert attempt(3) == "checked"
