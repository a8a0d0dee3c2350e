"""``make run`` and the checkout around it: the instance config it writes holds the demo's
address, so that every ``flask --app commentsvc`` command beside the server works, and the
demo article lives at that address whatever ``PORT`` is. Fast: the Makefile's own pieces and
``make -n``, not a server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from commentsvc import create_app
from commentsvc.demo import DEMO_KEY
from commentsvc.extensions import db
from commentsvc.models.threads import Article

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def write_local_config(path: Path, public_url: str) -> None:
    """What ``make run`` runs first (its recipe names this module)."""
    from commentsvc.localconfig import write_local_config as write

    write(path, public_url)


def make_dry_run(*args: str) -> str:
    result = subprocess.run(
        ["make", "-n", "run", *args], cwd=PROJECT, capture_output=True, text=True, check=True
    )
    return result.stdout


def test_make_run_writes_the_demo_address_for_its_host_and_port():
    commands = make_dry_run("PORT=5099")
    assert "commentsvc.localconfig instance/config.py http://127.0.0.1:5099" in commands
    assert "http://127.0.0.1:5000" not in commands


def flask_command(instance: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """``flask --app commentsvc`` as a person types it beside ``make run``: no COMMENTSVC_*
    variables but the ones given."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("COMMENTSVC_", "FLASK_"))}
    clean.update(COMMENTSVC_INSTANCE_PATH=str(instance), **env)
    return subprocess.run(
        [str(BIN / "flask"), "--app", "commentsvc", *args],
        cwd=PROJECT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_flask_command_beside_make_run_finds_the_demo_address(tmp_path):
    write_local_config(tmp_path / "config.py", "http://127.0.0.1:5099")
    result = flask_command(tmp_path, "init-db")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def config_of(monkeypatch):
    """The configuration a command in the checkout starts with, beside this instance folder."""

    def config(instance: Path, public_url_from_environment: str | None = None) -> dict:
        monkeypatch.setenv("COMMENTSVC_INSTANCE_PATH", str(instance))
        monkeypatch.delenv("COMMENTSVC_PUBLIC_URL", raising=False)
        if public_url_from_environment:
            monkeypatch.setenv("COMMENTSVC_PUBLIC_URL", public_url_from_environment)
        return dict(create_app({"DATABASE_URL": f"sqlite:///{instance}/c.db"}).config)

    return config


def test_the_written_config_keeps_its_secret_follows_the_port_and_yields_to_the_environment(
    tmp_path, config_of
):
    path = tmp_path / "config.py"
    write_local_config(path, "http://127.0.0.1:5000")
    first = config_of(tmp_path)
    write_local_config(path, "http://127.0.0.1:5099")  # make run PORT=5099, later
    second = config_of(tmp_path)
    assert second["SECRET_KEY"] == first["SECRET_KEY"] and len(first["SECRET_KEY"]) == 64
    assert (first["PUBLIC_URL"], second["PUBLIC_URL"]) == (
        "http://127.0.0.1:5000",
        "http://127.0.0.1:5099",
    )
    assert path.read_text().count("PUBLIC_URL") == 1
    mine = config_of(tmp_path, "http://localhost:8080")
    assert mine["PUBLIC_URL"] == "http://localhost:8080"  # the person's own value wins


def test_a_public_url_the_person_wrote_into_the_file_is_left_alone(tmp_path):
    path = tmp_path / "config.py"
    path.write_text("SECRET_KEY = 'mine'\nPUBLIC_URL = 'http://10.0.0.5:5000'\nMAX_DEPTH = 3\n")
    write_local_config(path, "http://127.0.0.1:5099")
    assert path.read_text() == (
        "SECRET_KEY = 'mine'\nPUBLIC_URL = 'http://10.0.0.5:5000'\nMAX_DEPTH = 3\n"
    )


@pytest.mark.parametrize(
    ("config_overrides", "address"),
    [
        ({"PUBLIC_URL": "http://127.0.0.1:5099"}, "http://127.0.0.1:5099/"),
        (
            {"PUBLIC_URL": "https://kommentarer.example.se:8443"},
            "https://kommentarer.example.se:8443/",
        ),
        ({}, "http://127.0.0.1:5000/"),  # tests and development without PUBLIC_URL
    ],
)
def test_the_demo_article_lives_at_the_services_own_address(app, runner, address):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        article = db.session.execute(db.select(Article).filter_by(key=DEMO_KEY)).scalar_one()
        assert article.url == address
