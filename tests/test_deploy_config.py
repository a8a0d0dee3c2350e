"""A deployment as docs/operating.md describes it: the env file it shows starts the service, and
a service outside development refuses to start without what its mails and readers' reports
need, saying so in one line on stderr (no traceback), from ``flask``, the ``commentsvc``
script and gunicorn alike."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from commentsvc import create_app
from commentsvc.config import ConfigError
from tests.servers import free_port

PROJECT = Path(__file__).resolve().parents[1]
DOCS = PROJECT / "docs" / "operating.md"
BIN = Path(sys.executable).parent


def documented_env_file() -> dict[str, str]:
    """The keys and values of the env file shown under Deploy → Configure."""
    page = DOCS.read_text(encoding="utf-8")
    found = re.search(
        r"<!-- env-file: begin -->\s*```sh\n(.*?)```\s*<!-- env-file: end -->", page, re.DOTALL
    )
    assert found, f"{DOCS} has no env file between the env-file markers"
    pairs = [
        line.split("=", 1)
        for line in found.group(1).splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    return {key.strip(): value.strip() for key, value in pairs}


@pytest.mark.parametrize(
    "key",
    [
        "COMMENTSVC_SECRET_KEY",
        "COMMENTSVC_PUBLIC_URL",
        "COMMENTSVC_SMTP_HOST",
        "COMMENTSVC_SMTP_PORT",
        "COMMENTSVC_MAIL_FROM",
        "COMMENTSVC_DSA_CONTACT",
        "COMMENTSVC_PRIVACY_URL",
    ],
)
def test_the_documented_env_file_names_the_service_and_mail_settings(key):
    assert documented_env_file().get(key), f"{key} is missing from the env file of the docs"


def production_env(tmp_path: Path, **changes: str | None) -> dict[str, str]:
    """The documented env file for this machine: its own database and folders, limits in
    memory (no Redis needed to start); ``None`` leaves a key out."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMMENTSVC_", "GUNICORN"))}
    env.update(documented_env_file())
    env.update(
        COMMENTSVC_SECRET_KEY="a-secret-only-this-site-knows",
        COMMENTSVC_DATABASE_URL=f"sqlite:///{tmp_path / 'commentsvc.db'}",
        COMMENTSVC_INSTANCE_PATH=str(tmp_path),
        COMMENTSVC_RATELIMIT_STORAGE_URI="memory://",
    )
    for key, value in changes.items():
        if value is None:
            env.pop(f"COMMENTSVC_{key}", None)
        else:
            env[f"COMMENTSVC_{key}"] = value
    return env


def run(command: list[str], env: dict, tmp_path: Path, timeout=60) -> subprocess.CompletedProcess:
    """The command's outcome; one that is still running after ``timeout`` seconds started,
    and fails the test with TimeoutExpired."""
    return subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def test_the_documented_env_file_starts_the_service(tmp_path):
    result = run(
        [str(BIN / "flask"), "--app", "commentsvc", "init-db"], production_env(tmp_path), tmp_path
    )
    assert result.returncode == 0, result.stderr


COMMANDS = {
    "flask": [str(BIN / "flask"), "--app", "commentsvc", "init-db"],
    "commentsvc": [str(BIN / "commentsvc"), "init-db"],
}


@pytest.mark.parametrize(
    ("program", "changes", "key"),
    [
        ("flask", {"MAIL_FROM": None}, "MAIL_FROM"),
        ("flask", {"SECRET_KEY": None}, "SECRET_KEY"),
        ("flask", {"MAX_DEPTH": "0"}, "MAX_DEPTH"),
        ("commentsvc", {"DSA_CONTACT": ""}, "DSA_CONTACT"),
        ("commentsvc", {"PUBLIC_URL": None}, "PUBLIC_URL"),
    ],
)
def test_a_command_outside_development_refuses_to_start_in_one_line(
    tmp_path, program, changes, key
):
    result = run(COMMANDS[program], production_env(tmp_path, **changes), tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert key in lines[0]


def test_gunicorn_outside_development_refuses_to_start_without_a_traceback(tmp_path):
    """One line, before gunicorn listens: no worker started again and again, and no traceback
    from a master stopping several failed workers at once."""
    env = production_env(tmp_path, MAIL_FROM=None)
    env.update(GUNICORN_BIND=f"127.0.0.1:{free_port()}", GUNICORN_WORKERS="2")
    result = run([str(BIN / "gunicorn"), "-c", "python:commentsvc.gunicorn_conf"], env, tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    ours = [line for line in result.stderr.splitlines() if line.startswith("commentsvc: ")]
    assert len(ours) == 1 and "MAIL_FROM" in ours[0], result.stderr
    assert "Listening at" not in result.stderr


@pytest.mark.parametrize(
    ("config", "refused"),
    [
        ({"PUBLIC_URL": "https://kommentarer.example.se"}, True),
        ({"PUBLIC_URL": "https://127.0.0.1.example.se"}, True),  # a name, not this machine
        ({"PUBLIC_URL": "https://kommentarer.example.se", "TESTING": True}, False),
        ({"PUBLIC_URL": "https://kommentarer.example.se", "DEBUG": True}, False),
        # make run and local tries: nobody else can reach it, report, or be written to
        ({"PUBLIC_URL": "http://127.0.0.1:5000"}, False),
        ({"PUBLIC_URL": "http://localhost:8080"}, False),
        ({"PUBLIC_URL": "http://[::1]:5000"}, False),
        ({"PUBLIC_URL": "https://kommentarer.example.se", "MAIL_FROM": ""}, True),
        (
            {
                "PUBLIC_URL": "https://kommentarer.example.se",
                "MAIL_FROM": "commentsvc@localhost",  # the development default
                "DSA_CONTACT": "dsa@example.se",
            },
            True,
        ),
        ({"PUBLIC_URL": "https://kommentarer.example.se", "MAIL_FROM": "k@example.se"}, True),
        (
            {
                "PUBLIC_URL": "https://kommentarer.example.se",
                "MAIL_FROM": "k@example.se",
                "DSA_CONTACT": "dsa@example.se",
            },
            False,
        ),
    ],
)
def test_the_sender_and_the_dsa_contact_are_required_outside_development(
    tmp_path, monkeypatch, config, refused
):
    monkeypatch.setenv("COMMENTSVC_INSTANCE_PATH", str(tmp_path))
    for key in ("MAIL_FROM", "DSA_CONTACT", "PUBLIC_URL"):
        monkeypatch.delenv(f"COMMENTSVC_{key}", raising=False)
    settings = {"SECRET_KEY": "s", "DATABASE_URL": f"sqlite:///{tmp_path}/c.db", **config}
    if refused:
        with pytest.raises(ConfigError, match=r"DSA_CONTACT|MAIL_FROM"):
            create_app(settings)
    else:
        create_app(settings)


def test_the_refusal_says_what_to_set(tmp_path):
    result = run(
        COMMANDS["flask"], production_env(tmp_path, MAIL_FROM=None, DSA_CONTACT=None), tmp_path
    )
    line = result.stderr.strip()
    assert "COMMENTSVC_MAIL_FROM" in line and "COMMENTSVC_DSA_CONTACT" in line, line


def gunicorn_bind(tmp_path: Path, **env: str) -> str:
    """The address gunicorn would listen on with the packaged settings (``--print-config``)."""
    environment = {
        k: v for k, v in production_env(tmp_path).items() if not k.startswith("GUNICORN")
    }
    environment.update(env)
    printed = run(
        [str(BIN / "gunicorn"), "--print-config", "-c", "python:commentsvc.gunicorn_conf"],
        environment,
        tmp_path,
    )
    assert printed.returncode == 0, printed.stderr
    (line,) = [line for line in printed.stdout.splitlines() if line.startswith("bind ")]
    return line.split("=", 1)[1].strip()


@pytest.mark.parametrize(
    ("env", "bind"),
    [
        ({}, "['127.0.0.1:8000']"),
        # gunicorn's own default with PORT set is 0.0.0.0:PORT: every interface
        ({"PORT": "8123"}, "['127.0.0.1:8123']"),
        (
            {"PORT": "8123", "GUNICORN_BIND": "unix:/run/commentsvc.sock"},
            "['unix:/run/commentsvc.sock']",
        ),
    ],
)
def test_gunicorn_listens_on_loopback_unless_told_otherwise(tmp_path, env, bind):
    """A gunicorn facing the network directly stalls under a few slow-header connections; the
    documented nginx buffers them. So only an explicit GUNICORN_BIND leaves loopback."""
    assert gunicorn_bind(tmp_path, **env) == bind


def test_the_deploy_docs_bind_gunicorn_to_loopback_and_say_why():
    page = DOCS.read_text(encoding="utf-8")
    assert "0.0.0.0" not in page
    assert "slow" in page and "binds to loopback by default" in page
