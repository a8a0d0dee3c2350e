"""A moderator's second factor (TOTP, RFC 6238) with recovery codes: set up on their own page,
asked for after the password, each code taken once, required by the installation if it
says so, turned off with a code or reset by an admin; every step in the audit log."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from tests.conftest import CSRF_INPUT
from tests.moderation.conftest import PASSWORD, ModeratorClient

SECRET = re.compile(r'<code class="totp-secret">([A-Z2-7]+)</code>')
RECOVERY = re.compile(r"<li><code>([a-z0-9]{4}(?:-[a-z0-9]{4}){3})</code></li>")


@pytest.fixture
def clock(monkeypatch):
    """The desk's clock for logins and the second factor, moved by the test."""
    from commentsvc.models.base import utcnow

    now = [utcnow()]
    for module in ("signin", "security"):
        monkeypatch.setattr(f"commentsvc.views.moderation.{module}.utcnow", lambda: now[0])

    class Clock:
        def __call__(self):
            return now[0]

        def move(self, seconds: float) -> None:
            now[0] += timedelta(seconds=seconds)

    return Clock()


def code_at(secret: str, when, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(when, counter_offset=steps)


def turn_on(client: ModeratorClient, clock) -> tuple[str, list[str]]:
    """Set the second factor up as a moderator does; the secret and the recovery codes."""
    page = client.get("/moderation/me/second-factor").get_data(as_text=True)
    secret = SECRET.search(page).group(1)
    done = client.post("/moderation/me/second-factor", {"code": code_at(secret, clock())})
    assert done.status_code == 200, done.get_data(as_text=True)
    return secret, RECOVERY.findall(done.get_data(as_text=True))


def give_code(client: ModeratorClient, code: str, **environ):
    token = client.token("/moderation/login/code")
    return client.client.post(
        "/moderation/login/code", data={"code": code, "csrf_token": token}, **environ
    )


def account(app, username: str = "moa"):
    from commentsvc.extensions import db
    from commentsvc.models.moderation import Moderator

    with app.app_context():
        found = db.session.execute(
            select(Moderator).where(Moderator.username == username)
        ).scalar_one()
        db.session.expunge(found)
        return found


def records(app, *actions: str) -> list[tuple[str, str, dict]]:
    from commentsvc.extensions import db
    from commentsvc.models.moderation import ModerationEvent

    with app.app_context():
        return [
            (e.action, e.actor, e.details)
            for e in db.session.execute(
                select(ModerationEvent)
                .where(ModerationEvent.action.in_(actions))
                .order_by(ModerationEvent.id)
            ).scalars()
        ]


@pytest.fixture
def moa_with_totp(app, mod, clock):
    """moa, logged in, with the second factor on: (client, secret, recovery codes)."""
    secret, codes = turn_on(mod, clock)
    clock.move(90)  # the code that turned it on is spent; now and the steps around are fresh
    return mod, secret, codes


def test_the_setup_page_shows_the_secret_its_uri_and_a_qr_code_drawn_here(app, mod, clock):
    page = mod.get("/moderation/me/second-factor").get_data(as_text=True)
    secret = SECRET.search(page).group(1)
    assert len(secret) >= 32
    uri = html.unescape(re.search(r'<code class="totp-uri">([^<]+)</code>', page).group(1))
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri and "moa" in uri
    assert '<svg role="img" aria-label="QR-kod för din autentiseringsapp"' in page
    assert "<img" not in page and "https://" not in page.split("<main", 1)[1]
    # Reloading shows the same secret until it is confirmed: the app scanned it already.
    again = mod.get("/moderation/me/second-factor").get_data(as_text=True)
    assert SECRET.search(again).group(1) == secret
    assert account(app).totp_secret is None


def test_a_wrong_code_leaves_it_off_and_the_right_one_turns_it_on_with_ten_codes(
    app, mod, make_moderator, clock
):
    other = ModeratorClient(app.test_client())
    assert other.login("moa").status_code == 303  # a second session of moa's
    page = mod.get("/moderation/me/second-factor").get_data(as_text=True)
    secret = SECRET.search(page).group(1)
    right = code_at(secret, clock())
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    refused = mod.post("/moderation/me/second-factor", {"code": wrong})
    assert refused.status_code == 422
    assert "Det är inte koden som din app visar nu" in refused.get_data(as_text=True)
    assert account(app).totp_secret is None

    done = mod.post("/moderation/me/second-factor", {"code": right})
    assert done.status_code == 200
    codes = RECOVERY.findall(done.get_data(as_text=True))
    assert len(codes) == len(set(codes)) == 10
    stored = account(app)
    assert stored.totp_secret == secret
    assert len(stored.recovery_codes) == 10
    assert not any(code in str(stored.recovery_codes) for code in codes)  # hashes only
    assert mod.get("/moderation/").status_code == 200  # this browser goes on
    assert other.get("/moderation/").status_code == 302  # the other session has ended
    assert records(app, "totp-enabled") == [("totp-enabled", "moa", {"account": stored.id})]
    assert "10 reservkoder finns kvar." in mod.get("/moderation/me/second-factor").get_data(
        as_text=True
    )
    # The codes' page carries the new session's token: its log-out button works.
    token = CSRF_INPUT.search(done.get_data(as_text=True)).group(1)
    assert mod.client.post("/moderation/logout", data={"csrf_token": token}).status_code == 303


def test_the_login_asks_for_the_code_and_the_half_way_state_grants_nothing(
    app, moa_with_totp, clock, held
):
    _client, secret, _codes = moa_with_totp
    comment = held()
    browser = ModeratorClient(app.test_client())
    first = browser.login("moa")
    assert first.status_code == 303
    assert first.headers["Location"].endswith("/moderation/login/code")
    # Password given, code not yet: no page, no action, no list.
    assert browser.get("/moderation/").status_code == 302
    assert browser.get("/moderation/me/second-factor").status_code == 302
    assert browser.get(f"/moderation/comments/{comment}").status_code == 302
    assert browser.act(comment, "approve").status_code == 403
    assert browser.post("/moderation/me/second-factor/disable", {"code": "x"}).status_code == 403
    page = browser.get("/moderation/login/code").get_data(as_text=True)
    assert 'autocomplete="one-time-code"' in page

    answer = give_code(browser, code_at(secret, clock()))
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/moderation/")
    assert browser.get("/moderation/").status_code == 200
    login = records(app, "login")[-1]
    assert login == ("login", "moa", {"account": account(app).id, "proof": "totp"})


def test_the_code_page_without_a_password_first_sends_back_to_the_login(app, clock):
    stranger = ModeratorClient(app.test_client())
    answer = stranger.get("/moderation/login/code")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/moderation/login")
    posted = stranger.client.post("/moderation/login/code", data={"code": "123456"})
    assert posted.status_code in (303, 400)
    assert records(app, "login") == []


@pytest.mark.parametrize(
    ("steps", "accepted"),
    [(0, True), (-1, True), (1, True), (-2, False), (2, False)],
)
def test_the_code_of_now_and_of_one_step_either_side_is_taken(
    app, moa_with_totp, clock, steps, accepted
):
    _client, secret, _codes = moa_with_totp
    browser = ModeratorClient(app.test_client())
    browser.login("moa")
    answer = give_code(browser, code_at(secret, clock(), steps))
    assert answer.status_code == (303 if accepted else 401)
    if not accepted:
        assert "Koden är fel eller redan använd" in answer.get_data(as_text=True)


def test_a_code_is_taken_once_even_from_another_browser(app, moa_with_totp, clock):
    _client, secret, _codes = moa_with_totp
    code = code_at(secret, clock())
    first = ModeratorClient(app.test_client())
    first.login("moa")
    assert give_code(first, code).status_code == 303
    replay = ModeratorClient(app.test_client())
    replay.login("moa")
    assert give_code(replay, code).status_code == 401
    assert give_code(replay, code_at(secret, clock(), -1)).status_code == 401  # an older one
    clock.move(30)
    assert give_code(replay, code_at(secret, clock())).status_code == 303  # the next step's


def test_a_recovery_code_logs_in_once(app, moa_with_totp, clock):
    _client, _secret, codes = moa_with_totp
    browser = ModeratorClient(app.test_client())
    browser.login("moa")
    answer = give_code(browser, codes[3].upper().replace("-", " "))  # as someone may type it
    assert answer.status_code == 303
    assert records(app, "login")[-1][2]["proof"] == "recovery"
    page = browser.get("/moderation/me/second-factor").get_data(as_text=True)
    assert "9 reservkoder finns kvar." in page
    again = ModeratorClient(app.test_client())
    again.login("moa")
    assert give_code(again, codes[3]).status_code == 401
    assert give_code(again, codes[4]).status_code == 303  # its neighbour still works


def test_wrong_codes_are_throttled_as_passwords_are(app, moa_with_totp, clock):
    _client, secret, _codes = moa_with_totp
    browser = ModeratorClient(app.test_client())
    browser.login("moa")
    right = code_at(secret, clock())
    wrong = f"{(int(right) + 500000) % 1000000:06d}"
    free = app.config["LOGIN_FREE_FAILURES"]
    assert [give_code(browser, wrong).status_code for _ in range(free)] == [401] * free
    waits = give_code(browser, right)
    assert waits.status_code == 429 and waits.headers["Retry-After"] == "1"
    assert "Vänta 1 sekund och försök igen" in waits.get_data(as_text=True)
    clock.move(1)
    assert give_code(browser, right).status_code == 303


def test_the_half_way_state_ends_with_a_security_change(app, moa_with_totp, admin, clock):
    _client, secret, _codes = moa_with_totp
    browser = ModeratorClient(app.test_client())
    browser.login("moa")
    admin.post(f"/moderation/moderators/{account(app).id}/disable")
    page = browser.get("/moderation/login/code")
    assert page.status_code == 303 and page.headers["Location"].endswith("/moderation/login")
    answer = browser.client.post(
        "/moderation/login/code",
        data={"code": code_at(secret, clock()), "csrf_token": browser.token()},
    )
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/moderation/login")
    assert browser.get("/moderation/").status_code == 302


@pytest.mark.parametrize("config_overrides", [{"REQUIRE_TOTP": True}])
def test_when_required_a_moderator_without_one_sets_it_up_before_the_desk(
    app, make_moderator, clock, config_overrides
):
    make_moderator("moa")
    browser = ModeratorClient(app.test_client())
    assert browser.login("moa").status_code == 303
    sent = browser.get("/moderation/")
    assert sent.status_code == 303
    assert sent.headers["Location"].endswith("/moderation/me/second-factor")
    assert browser.get("/moderation/reports").status_code in (302, 303)
    page = browser.get("/moderation/me/second-factor").get_data(as_text=True)
    assert "Den här installationen kräver en andra faktor" in page
    secret, codes = turn_on(browser, clock)
    assert browser.get("/moderation/").status_code == 200
    refused = browser.post(
        "/moderation/me/second-factor/disable", {"code": codes[0]}, follow_redirects=True
    )
    assert "Här krävs en andra faktor" in refused.get_data(as_text=True)
    assert account(app).totp_secret == secret


def test_a_moderator_turns_it_off_with_a_code_and_logs_in_with_the_password_alone(
    app, moa_with_totp, clock
):
    client, secret, _codes = moa_with_totp
    elsewhere = ModeratorClient(app.test_client())  # moa's other browser, logged in with a code
    elsewhere.login("moa")
    assert give_code(elsewhere, code_at(secret, clock(), -1)).status_code == 303
    wrong = client.post("/moderation/me/second-factor/disable", {"code": "000000"})
    assert wrong.status_code == 303
    assert account(app).totp_secret == secret
    done = client.post(
        "/moderation/me/second-factor/disable",
        {"code": code_at(secret, clock())},
        follow_redirects=True,
    )
    assert "Din andra faktor är avstängd" in done.get_data(as_text=True)
    stored = account(app)
    assert stored.totp_secret is None and stored.recovery_codes == []
    assert records(app, "totp-disabled") == [("totp-disabled", "moa", {"account": stored.id})]
    assert client.get("/moderation/").status_code == 200  # this browser goes on
    assert elsewhere.get("/moderation/").status_code == 302  # the other session has ended
    again = ModeratorClient(app.test_client())
    answer = again.login("moa")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/moderation/")


def test_an_admin_resets_anothers_second_factor_and_a_moderator_cannot(
    app, moa_with_totp, admin, make_moderator, clock
):
    client, _secret, _codes = moa_with_totp
    moa = account(app)
    make_moderator("mona")
    mona = ModeratorClient(app.test_client())
    mona.login("mona")
    assert mona.post(f"/moderation/moderators/{moa.id}/reset-second-factor").status_code == 403
    assert account(app).totp_secret is not None

    page = admin.get("/moderation/moderators").get_data(as_text=True)
    assert "Återställ den andra faktorn för moa" in page
    assert "Återställ den andra faktorn för mona" not in page  # she has none
    answer = admin.post(f"/moderation/moderators/{moa.id}/reset-second-factor")
    assert answer.status_code == 303
    assert account(app).totp_secret is None
    assert client.get("/moderation/").status_code == 302  # moa's sessions have ended
    assert records(app, "totp-disabled") == [
        ("totp-disabled", "ada", {"account": moa.id, "reset": True})
    ]
    log = admin.get("/moderation/log?kind=accounts").get_data(as_text=True)
    assert "moa, återställd av en administratör" in log
    again = admin.post(
        f"/moderation/moderators/{moa.id}/reset-second-factor", follow_redirects=True
    )
    assert "moa har ingen andra faktor." in again.get_data(as_text=True)


def test_the_command_line_resets_a_second_factor(app, moa_with_totp, runner):
    result = runner.invoke(args=["reset-second-factor", "moa"])
    assert result.exit_code == 0, result.output
    assert account(app).totp_secret is None
    assert records(app, "totp-disabled")[-1][1] == "cli"
    again = runner.invoke(args=["reset-second-factor", "moa"])
    assert again.exit_code != 0 and "moa har ingen andra faktor." in again.output
    assert len(records(app, "totp-disabled")) == 1


def test_the_audit_log_holds_logins_and_logouts_without_address_or_secrets(
    app, moa_with_totp, clock
):
    client, secret, codes = moa_with_totp
    client.post("/moderation/logout")
    browser = ModeratorClient(app.test_client())
    browser.login("moa")
    give_code(browser, code_at(secret, clock()))
    kept = records(app, "login", "logout", "totp-enabled")
    assert [(action, actor) for action, actor, _ in kept] == [
        ("login", "moa"),
        ("totp-enabled", "moa"),
        ("logout", "moa"),
        ("login", "moa"),
    ]
    everything = str(kept)
    for secret_thing in (secret, PASSWORD, "127.0.0", *codes):
        assert secret_thing not in everything


def test_the_half_way_state_lasts_five_minutes(app, moa_with_totp, clock, monkeypatch):
    import time as real_time

    from commentsvc.views.moderation import signin

    _client, secret, _codes = moa_with_totp
    browser = ModeratorClient(app.test_client())
    browser.login("moa")
    later = real_time.time() + 301

    class FiveMinutesLater:
        @staticmethod
        def time() -> float:
            return later

    monkeypatch.setattr(signin, "time", FiveMinutesLater)
    page = browser.get("/moderation/login/code")
    assert page.status_code == 303 and page.headers["Location"].endswith("/moderation/login")
    later -= 2  # just inside the five minutes: the near miss
    assert browser.get("/moderation/login/code").status_code == 200
    assert give_code(browser, code_at(secret, clock())).status_code == 303
