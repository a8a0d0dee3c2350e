"""Running for real: the client's address behind proxies, required secrets, a writable database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from commentsvc import create_app
from commentsvc.config import ConfigError
from commentsvc.extensions import db
from commentsvc.models.threads import Comment

PROJECT = Path(__file__).resolve().parents[1]


def stored_ip(app) -> str:
    with app.app_context():
        return db.session.execute(select(Comment.ip)).scalar_one()


def post_from(reader, key: str, headers: dict, remote_addr: str):
    token = reader.csrf_token(key)
    return reader.client.post(
        "/comments",
        data={
            "article": key,
            "comment": "Hej",
            "author": "Anna",
            "email": "anna@example.se",
            "csrf_token": token,
        },
        headers=headers,
        environ_base={"REMOTE_ADDR": remote_addr},
    )


def test_without_trusted_proxies_a_readers_own_forwarded_for_is_ignored(app, reader, article):
    r = post_from(reader, article, {"X-Forwarded-For": "203.0.113.7"}, "198.51.100.20")
    assert r.status_code == 303
    assert stored_ip(app) == "198.51.100.0"


@pytest.mark.parametrize("config_overrides", [{"TRUSTED_PROXIES": 1}])
def test_behind_one_proxy_the_client_is_the_address_the_proxy_saw(app, reader, article):
    # The reader wrote "10.9.9.9" themselves; the proxy (10.0.0.2) appended what it saw.
    r = post_from(
        reader, article, {"X-Forwarded-For": "10.9.9.9, 203.0.113.7"}, remote_addr="10.0.0.2"
    )
    assert r.status_code == 303
    assert stored_ip(app) == "203.0.113.0"


PROXIED_HTTPS = {
    "X-Forwarded-For": "203.0.113.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "kommentarer.example.se",
}


@pytest.mark.parametrize(
    ("config_overrides", "https"), [({"TRUSTED_PROXIES": 1}, True), ({}, False)]
)
def test_the_service_knows_a_request_came_over_https_only_behind_a_trusted_proxy(
    client, article, https
):
    """Over https (as a trusted proxy says) every cookie is Secure; a reader's own
    X-Forwarded-Proto without a proxy changes nothing."""
    r = client.get("/thread", query_string={"article": article}, headers=PROXIED_HTTPS)
    assert r.status_code == 200
    cookies = r.headers.getlist("Set-Cookie")
    assert cookies
    assert all(("; Secure" in c) == https for c in cookies)


@pytest.mark.parametrize("bad", [-1, "two"])
def test_a_bad_trusted_proxies_value_stops_the_start(database_url, tmp_path, bad):
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        create_app(
            {
                "SECRET_KEY": "x",
                "PUBLIC_URL": "https://k.example.se",
                "MAIL_FROM": "k@example.se",
                "DSA_CONTACT": "k@example.se",
                "DATABASE_URL": database_url,
                "TRUSTED_PROXIES": bad,
            }
        )


def test_the_service_does_not_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMMENTSVC_", "GUNICORN_"))}
    env["COMMENTSVC_INSTANCE_PATH"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_a_sqlite_file_in_a_missing_folder_stops_the_start(tmp_path):
    with pytest.raises(ConfigError, match="folder does not exist"):
        create_app(
            {
                "SECRET_KEY": "x",
                "PUBLIC_URL": "https://k.example.se",
                "MAIL_FROM": "k@example.se",
                "DSA_CONTACT": "k@example.se",
                "DATABASE_URL": f"sqlite:///{tmp_path}/nope/c.db",
            }
        )


@pytest.fixture
def read_only_disk(tmp_path):
    """A small disk that holds a migrated database, then is mounted read-only (needs root)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(disk)]).returncode != 0:
        pytest.skip("mounting a disk needs root (CAP_SYS_ADMIN); not available here")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)])


def test_a_sqlite_file_on_a_read_only_disk_stops_the_start_with_a_clear_error(
    read_only_disk, migrated_database, tmp_path
):
    if migrated_database.startswith("postgres"):
        pytest.skip("a SQLite matter")
    path = read_only_disk / "commentsvc.db"
    path.write_bytes(Path(migrated_database).read_bytes())
    assert subprocess.run(["mount", "-o", "remount,ro", str(read_only_disk)]).returncode == 0
    with pytest.raises(ConfigError) as error:
        create_app(
            {
                "SECRET_KEY": "x",
                "PUBLIC_URL": "https://k.example.se",
                "MAIL_FROM": "k@example.se",
                "DSA_CONTACT": "k@example.se",
                "DATABASE_URL": f"sqlite:///{path}",
            }
        )
    message = str(error.value)
    assert str(path) in message
    assert "cannot be written" in message
    assert "read-only" in message
