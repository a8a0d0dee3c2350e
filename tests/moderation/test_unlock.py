"""An admin clears the failed logins of a locked-out account (and of the addresses it came
from), on the moderators page or at the shell; the log says so; nobody else's lock goes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.moderation.conftest import PASSWORD, ModeratorClient

HERE = "127.0.0.0"  # the test client's address, as stored (anonymized)
ELSEWHERE = "198.51.100.0"


def lock_out(app, username: str, address: str = HERE) -> None:
    """Fail logins until the account is locked from ``address`` (spaced past every delay)."""
    from commentsvc.models.base import utcnow
    from commentsvc.moderation import logins

    start = utcnow()
    with app.app_context():
        for i in range(app.config["LOGIN_LOCK_FAILURES"]):
            with pytest.raises(logins.LoginFailed):
                logins.authenticate(
                    username, f"fel {i}", address=address, now=start + timedelta(minutes=2 * i)
                )


def id_of(app, username: str) -> int:
    from commentsvc.extensions import db
    from commentsvc.models.moderation import Moderator

    with app.app_context():
        return db.session.execute(
            select(Moderator.id).where(Moderator.username == username)
        ).scalar_one()


def unlock_records(app) -> list[dict]:
    from commentsvc.extensions import db
    from commentsvc.models.moderation import ModerationEvent

    with app.app_context():
        return [
            {"actor": e.actor, **e.details}
            for e in db.session.execute(
                select(ModerationEvent).where(ModerationEvent.action == "login-unlocked")
            ).scalars()
        ]


def test_an_admin_unlocks_a_locked_account_and_its_owner_logs_in_at_once(
    app, admin, make_moderator
):
    make_moderator("moa")
    make_moderator("moa2")  # a neighbour name, locked from another address: stays locked
    lock_out(app, "moa")
    lock_out(app, "moa2", ELSEWHERE)
    owner = ModeratorClient(app.test_client())
    locked = owner.login("moa")
    assert locked.status_code == 429 and "Retry-After" in locked.headers

    page = admin.get("/moderation/moderators").get_data(as_text=True)
    assert "Nollställ misslyckade inloggningar för moa" in page
    answer = admin.post(f"/moderation/moderators/{id_of(app, 'moa')}/unlock")
    assert answer.status_code == 303
    flashed = admin.get("/moderation/moderators").get_data(as_text=True)
    assert "De misslyckade inloggningarna för moa är nollställda." in flashed

    assert owner.login("moa").status_code == 303
    neighbour = ModeratorClient(app.test_client())
    assert neighbour.login("moa2", environ_base={"REMOTE_ADDR": "198.51.100.9"}).status_code == 429
    assert unlock_records(app) == [
        {"actor": "ada", "account": id_of(app, "moa"), "cleared": 2}  # the pair and the address
    ]
    log = admin.get("/moderation/log?kind=accounts").get_data(as_text=True)
    assert "nollställde misslyckade inloggningar" in log


def test_the_unlock_clears_the_address_the_failures_came_from_but_no_other(app, admin):
    """Guesses at unknown names from one address slow it for everyone there; clearing an
    account's failures clears that address's count too, not another address's."""
    from commentsvc.extensions import db
    from commentsvc.models.moderation import LoginThrottle

    lock_out(app, "ada")
    lock_out(app, "okand", ELSEWHERE)
    admin.post(f"/moderation/moderators/{id_of(app, 'ada')}/unlock")
    with app.app_context():
        keys = set(db.session.execute(select(LoginThrottle.key)).scalars())
    assert not any(key.endswith(f"|{HERE}") or key == f"addr:{HERE}" for key in keys)
    assert {f"pair:okand|{ELSEWHERE}", f"addr:{ELSEWHERE}"} <= keys


def test_a_moderator_cannot_unlock_and_nothing_changes(app, mod, make_moderator):
    make_moderator("ida", role="admin")
    lock_out(app, "ida")
    answer = mod.post(f"/moderation/moderators/{id_of(app, 'ida')}/unlock")
    assert answer.status_code == 403
    assert unlock_records(app) == []
    assert ModeratorClient(app.test_client()).login("ida").status_code == 429


def test_an_unknown_account_is_a_clear_message_not_a_500(app, admin):
    answer = admin.post("/moderation/moderators/9999/unlock", follow_redirects=True)
    assert answer.status_code == 200
    assert "Moderatorn finns inte." in answer.get_data(as_text=True)


def test_the_command_line_unlocks_by_name(app, runner, make_moderator):
    make_moderator("moa")
    lock_out(app, "moa")
    result = runner.invoke(args=["unlock-moderator", "MOA"])
    assert result.exit_code == 0, result.output
    assert "moa" in result.output
    assert ModeratorClient(app.test_client()).login("moa", PASSWORD).status_code == 303
    assert unlock_records(app)[0]["actor"] == "cli"


def test_the_command_line_names_a_missing_account(app, runner, make_moderator):
    make_moderator("moa")
    result = runner.invoke(args=["unlock-moderator", "moab"])
    assert result.exit_code != 0
    assert "Moderatorn finns inte." in result.output
    assert unlock_records(app) == []
