"""No email address, token or full IP address in any log line the service writes.

A reader behind a proxy (``X-Forwarded-For: 192.0.2.10``, ``TRUSTED_PROXIES = 1``) goes through
real gunicorn with the project's gunicorn.conf.py: subscribe, confirm, unsubscribe, report,
the iframe's own address, and a moderator's privacy export; ``send-mail`` fails against an SMTP
server that is down. Then the access log, gunicorn's error log and the command's output are
searched for every address, every token of every link and the full client IP, while the lines
themselves are there (the network ``192.0.2.0``, the paths).
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from commentsvc.logs import redact
from tests.servers import PROJECT, Browser, Forms, comment_id_from, free_port, gunicorn_process

EVA, GRETA, BERTIL, ADA = (
    "eva@example.se",
    "greta.eva@example.se",
    "bertil@example.se",
    "ada@example.se",
)
CLIENT = "192.0.2.10"
PASSWORD = "rätt häst batteri häftklammer"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class ProxiedBrowser(Browser):
    """A reader's browser whose requests reach the service through a proxy that says who they
    are (as nginx does with X-Forwarded-For)."""

    def request(self, method, path, body=None, headers=None):
        return super().request(method, path, body, {"X-Forwarded-For": CLIENT, **(headers or {})})

    def form(self, path: str, index: int = -1, *, action: str = "") -> tuple[str, dict]:
        """A form of the page: the one posting to ``action``, else the ``index``-th."""
        page = self.get(path)
        assert page.status == 200, (path, page.status, page.text[:300])
        forms = Forms(page.text).forms
        found = next(f for f in forms if f["action"] == action) if action else forms[index]
        fields = {k: v["value"] for k, v in found["fields"].items() if v["value"] is not None}
        return found["action"] or path, fields

    def send(self, path: str, fields: dict, headers=None):
        return self.request("POST", path, urlencode(fields), {**FORM, **(headers or {})})


def outbox_links(app) -> list[str]:
    from commentsvc.extensions import db
    from commentsvc.models.mail import OutboxMail

    with app.app_context():
        mails = db.session.execute(db.select(OutboxMail).order_by(OutboxMail.id)).scalars()
        return [
            html.unescape(link)
            for m in mails
            for link in re.findall(r"https?://[^\s\"'<>]+", m.body + m.html + m.list_unsubscribe)
        ]


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def tokens_in(url: str) -> list[str]:
    return [v for k, v in parse_qsl(urlsplit(url).query) if k in ("token", "own")]


@pytest.fixture
def moderator(app):
    from commentsvc.extensions import db
    from commentsvc.moderation import accounts

    with app.app_context():
        accounts.create_moderator("ada", PASSWORD, role="admin", email=ADA)
        db.session.commit()
        db.engine.dispose()


def journey(app, base: str, key: str) -> list[str]:
    """Subscribe, confirm, unsubscribe, report, the iframe, a privacy export, each from behind
    the proxy; returns every link the service handed out (mails, the iframe's address)."""
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow
    from commentsvc.notify import notifications

    app.config["PUBLIC_URL"] = base  # the notification batch is written here, in the test
    eva, greta, bertil, ada = (ProxiedBrowser(base) for _ in range(4))
    # Eva asks for replies, confirms from her mail.
    _, fields = eva.form("/thread?" + urlencode({"article": key}))
    fields.update(comment="Evas fråga", author="Eva Ek", email=EVA, subscribe="replies")
    evas = comment_id_from(eva.send("/comments", fields))
    (confirm,) = {u for u in outbox_links(app) if "/subscriptions/confirm" in u}
    _, fields = eva.form(path_of(confirm))
    assert eva.send(path_of(confirm), fields).status == 200
    # Greta answers; Eva's notification carries an unsubscribe link, which she uses.
    _, fields = greta.form("/thread?" + urlencode({"article": key}))
    fields.update(comment="Gretas svar", author="Greta", email=GRETA, parent=str(evas))
    gretas = comment_id_from(greta.send("/comments", fields))
    with app.app_context():
        assert notifications.queue_due_notifications(now=utcnow() + timedelta(minutes=1)) == 1
        db.session.commit()
        db.engine.dispose()
    (stop,) = {u for u in outbox_links(app) if "/subscriptions/unsubscribe" in u}
    assert eva.get(path_of(stop)).status == 200
    assert eva.send(path_of(stop), {"List-Unsubscribe": "One-Click"}).status == 200
    # Bertil reports Greta's answer and gives his address.
    _, fields = bertil.form(f"/comments/{gretas}/report")
    fields.update(reason="illegal", email=BERTIL, name="Bertil", good_faith="y")
    fields["explanation"] = "Olaga hot mot en namngiven person."
    assert bertil.send(f"/comments/{gretas}/report", fields).status in (200, 303)
    # The iframe: the author's token rides in the page's address.
    framed = greta.send(
        "/embed/comments",
        {"article": key, "comment": "Från iframen", "author": "Greta", "email": GRETA},
        {"Origin": base},
    )
    assert framed.status == 303, framed.text[:300]
    own = urlsplit(framed.headers["Location"])
    assert greta.get(f"{own.path}?{own.query}").status == 200
    # A moderator looks Eva up on the privacy page and exports her data.
    _, fields = ada.form("/moderation/login")
    fields.update(username="ada", password=PASSWORD)
    login = ada.send("/moderation/login", fields, {"Referer": base + "/moderation/login"})
    assert login.status == 303, login.text[:300]
    _, fields = ada.form("/moderation/privacy", action="/moderation/privacy/lookup")
    fields["email"] = EVA
    assert ada.send("/moderation/privacy/lookup", fields).status == 200
    exported = ada.send("/moderation/privacy/export", fields)
    assert exported.status == 200 and EVA in exported.text
    return [*outbox_links(app), confirm, stop, framed.headers["Location"]]


def send_mail_to_a_server_that_is_down(tmp_path: Path, database_url: str, base: str) -> str:
    """``send-mail`` as cron runs it; what it wrote (its warnings go to standard error)."""
    sending = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "commentsvc", "send-mail"],
        cwd=PROJECT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("COMMENTSVC_")},
            "COMMENTSVC_INSTANCE_PATH": str(tmp_path),
            "COMMENTSVC_SECRET_KEY": "test-secret",
            "COMMENTSVC_DATABASE_URL": database_url,
            "COMMENTSVC_PUBLIC_URL": base,
            "COMMENTSVC_SMTP_HOST": "127.0.0.1",
            "COMMENTSVC_SMTP_PORT": str(free_port()),
            "COMMENTSVC_MAIL_FROM": "kommentarer@example.se",
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    return sending.stdout + sending.stderr


def test_the_logs_name_no_address_token_or_full_ip(app, database_url, tmp_path, article, moderator):
    access = tmp_path / "access.log"
    config = {"TRUSTED_PROXIES": 1, "MODERATION": "none", "NOTIFY_BATCH_MINUTES": 0}
    with gunicorn_process(
        database_url, tmp_path, workers=1, threads=2, access_log=access, **config
    ) as (base, _process):
        links = journey(app, base, article)
    command = send_mail_to_a_server_that_is_down(tmp_path, database_url, base)
    errors = (tmp_path / f"gunicorn-{urlsplit(base).port}.log").read_text()
    logs = access.read_text() + errors + command

    secrets = {t for link in links for t in tokens_in(link)}
    assert len(secrets) >= 3, links  # a confirmation, an unsubscribe link, the iframe's edit token
    # The lines are there: the client's network, each path, the failed mail.
    assert "192.0.2.0" in logs
    for path in ("/subscriptions/confirm", "/subscriptions/unsubscribe", "/report", "/embed"):
        assert path in logs, path
    assert "not sent" in command
    # Nothing in them names a person or opens their links.
    for address in (EVA, GRETA, BERTIL, ADA):
        for written in (address, address.replace("@", "%40")):
            assert written not in logs.lower(), written
    assert CLIENT not in logs
    assert not [t for t in secrets if t in logs]


@pytest.mark.parametrize(
    ("line", "kept", "gone"),
    [
        (
            "GET /subscriptions/confirm?lang=sv&token=X4JnF2OLKT9y-BSOnzqUwY7ViDh HTTP/1.1",
            "lang=sv&token=[token]",
            "X4JnF2OLKT9y",
        ),
        (
            "GET /embed?article=soi-mitt-startar-i-svealand-2026&own=Ab3dEf6hIj9kLm2nOp5qRs8t",
            "article=soi-mitt-startar-i-svealand-2026",
            "Ab3dEf6h",
        ),
        ("mail 3 to eva@example.se not sent", "mail 3 to [address] not sent", "eva@"),
        ("GET /privacy?q=greta.eva%40example.se", "[address]", "greta"),
        (
            "192.0.2.10 - - [07/Dec/2026:12:35:11 +0000]",
            "192.0.2.0 - - [07/Dec/2026:12:35:11",
            "192.0.2.10",
        ),
        ("from 2001:db8:1:2::7 via ::1", "2001:db8:1:: via ::1", "2::7"),
        ("Listening at: http://127.0.0.1:8000 (12)", "http://127.0.0.1:8000", "[token]"),
        ("/static/commentsvc.848030d326db.css", "commentsvc.848030d326db.css", "[token]"),
    ],
)
def test_redact_takes_out_what_names_a_person_and_keeps_the_rest(line, kept, gone):
    redacted = redact(line)
    assert kept in redacted
    assert gone not in redacted


@pytest.mark.parametrize("name", ["commentsvc", "commentsvc.database", "flask-limiter"])
def test_the_apps_own_messages_are_redacted_whichever_handler_writes_them(app, name):
    import logging

    written = []

    class Collect(logging.Handler):
        def emit(self, record):
            written.append(self.format(record))

    collect = Collect()
    logging.getLogger().addHandler(collect)  # as where the host configured the root logger
    try:
        with app.app_context():
            logging.getLogger(name).warning("mail to %s from %s failed", EVA, CLIENT)
    finally:
        logging.getLogger().removeHandler(collect)
    assert written == ["mail to [address] from 192.0.2.0 failed"]


def test_the_gunicorn_configuration_uses_the_redacting_logger():
    from commentsvc import gunicorn_conf

    assert gunicorn_conf.logger_class.__name__ == "PrivateLogger"
    assert "PrivateLogger" not in Path(PROJECT / "gunicorn.conf.py").read_text()  # one place
