"""One code of the second factor, sent at the same moment from eight browsers that each gave the
password, to real gunicorn (4 workers of 4 threads, SQLite): exactly one logs in; the others
are told the code is used, and none meets a 500. The same for one recovery code."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pyotp
import pytest

from tests.moderation.conftest import PASSWORD
from tests.servers import Browser, Forms, gunicorn

pytestmark = pytest.mark.slow
BROWSERS = 8
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def fields_of(page_text: str, wanted: str) -> dict:
    form = next(f for f in Forms(page_text).forms if wanted in f["fields"])
    return {name: field["value"] or "" for name, field in form["fields"].items()}


def halfway(base: str) -> tuple[Browser, dict]:
    """A browser that gave moa's password and has the code page's form."""
    browser = Browser(base)
    fields = fields_of(browser.get("/moderation/login").text, "password")
    body = urlencode({**fields, "username": "moa", "password": PASSWORD})
    assert browser.request("POST", "/moderation/login", body, FORM).status == 303
    return browser, fields_of(browser.get("/moderation/login/code").text, "code")


def at_once(base: str, code: str) -> list[int]:
    browsers = [halfway(base) for _ in range(BROWSERS)]
    start = threading.Barrier(BROWSERS)

    def send(n: int) -> int:
        browser, fields = browsers[n]
        start.wait()
        body = urlencode({**fields, "code": code})
        return browser.request("POST", "/moderation/login/code", body, FORM).status

    with ThreadPoolExecutor(BROWSERS) as pool:
        return list(pool.map(send, range(BROWSERS)))


@pytest.fixture
def moa_with_totp(app, make_moderator) -> list[str]:
    """moa with the second factor on; the recovery codes."""
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow
    from commentsvc.moderation import accounts, secondfactor

    make_moderator("moa")
    with app.app_context():
        moa = accounts.find_by_name("moa")
        now = utcnow()
        codes = secondfactor.enable(moa, SECRET, pyotp.TOTP(SECRET).at(now), now=now)
        db.session.commit()
    return codes


# Every check is made (no wait before the lock): the count of logins is the test's answer.
CONFIG = {"LOGIN_FREE_FAILURES": 20, "LOGIN_LOCK_FAILURES": 20}


def test_one_code_sent_at_once_from_eight_browsers_logs_in_one(
    moa_with_totp, database_url, tmp_path
):
    from commentsvc.models.base import utcnow

    (tmp_path / "srv").mkdir()
    with gunicorn(database_url, tmp_path / "srv", workers=4, threads=4, **CONFIG) as base:
        # The step after the one that turned it on: not used yet, and within the drift.
        statuses = at_once(base, pyotp.TOTP(SECRET).at(utcnow(), counter_offset=1))
    assert 500 not in statuses
    assert statuses.count(303) == 1, statuses
    assert statuses.count(401) == BROWSERS - 1, statuses


def test_one_recovery_code_sent_at_once_from_eight_browsers_logs_in_one(
    moa_with_totp, database_url, tmp_path
):
    (tmp_path / "srv").mkdir()
    with gunicorn(database_url, tmp_path / "srv", workers=4, threads=4, **CONFIG) as base:
        statuses = at_once(base, moa_with_totp[0])
    assert 500 not in statuses
    assert statuses.count(303) == 1, statuses
    assert statuses.count(401) == BROWSERS - 1, statuses
