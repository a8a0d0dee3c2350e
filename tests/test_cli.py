"""The site owner's commands and the demo that `make run` serves."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from commentsvc.extensions import db

ROOT = Path(__file__).resolve().parents[1]


def test_init_db_builds_the_schema_through_the_migrations(tmp_path):
    """On an empty SQLite file, as `make run` does on a fresh machine; running it twice is safe."""
    env = {
        **os.environ,
        "COMMENTSVC_SECRET_KEY": "s",
        "COMMENTSVC_INSTANCE_PATH": str(tmp_path),
        "COMMENTSVC_PUBLIC_URL": "https://k.example.se",
        "COMMENTSVC_MAIL_FROM": "k@example.se",
        "COMMENTSVC_DSA_CONTACT": "k@example.se",
    }
    env.pop("COMMENTSVC_DATABASE_URL", None)
    for _ in range(2):
        result = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "commentsvc", "init-db"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert "up to date" in result.stdout
    engine = create_engine(f"sqlite:///{tmp_path / 'commentsvc.db'}")
    tables = set(inspect(engine).get_table_names())
    assert {"article", "comment", "alembic_version"} <= tables
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


def test_the_console_script_runs_the_same_commands(tmp_path):
    script = Path(sys.executable).parent / "commentsvc"
    env = {
        **os.environ,
        "COMMENTSVC_SECRET_KEY": "s",
        "COMMENTSVC_INSTANCE_PATH": str(tmp_path),
        "COMMENTSVC_PUBLIC_URL": "https://k.example.se",
        "COMMENTSVC_MAIL_FROM": "k@example.se",
        "COMMENTSVC_DSA_CONTACT": "k@example.se",
    }
    result = subprocess.run(
        [str(script), "--help"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    for command in ("init-db", "create-article", "approve", "seed-demo"):
        assert command in result.stdout


def test_the_demo_article_with_its_thread_is_served_at_the_root(runner, client, app):
    app.config["DEMO"] = True
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert "already there" in runner.invoke(args=["seed-demo"]).output
    page = client.get("/").get_data(as_text=True)
    assert "<h1>SOI Mitt startar i Svealand</h1>" in page
    assert "4 kommentarer till ”SOI Mitt startar i Svealand”" in page
    assert 'class="children"' in page  # the demo thread has replies
    assert "Lämna ett svar" in page
    assert "@example.se" not in page


def test_a_demo_seed_that_fails_midway_leaves_nothing_and_the_next_run_completes_it(
    runner, client, app
):
    """One command, one transaction: a write that fails at the third comment (a real SQLite
    trigger standing in for a full disk) must not leave a half demo that the next run would
    take for done ("already there")."""
    app.config["DEMO"] = True
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the failing write is a SQLite trigger; the commit path is the same")
        db.session.execute(
            text(
                "CREATE TRIGGER full_disk BEFORE INSERT ON comment "
                "WHEN (SELECT count(*) FROM comment) >= 2 "
                "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
            )
        )
        db.session.commit()
    assert runner.invoke(args=["seed-demo"]).exit_code != 0
    with app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM article")).scalar_one() == 0
        assert db.session.execute(text("SELECT count(*) FROM comment")).scalar_one() == 0
        db.session.execute(text("DROP TRIGGER full_disk"))
        db.session.commit()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0 and "has 4 comments" in result.output, result.output
    assert "4 kommentarer till ”SOI Mitt startar i Svealand”" in client.get("/").text


def test_without_the_demo_the_root_says_what_the_service_is(client):
    page = client.get("/").get_data(as_text=True)
    assert "visar kommentarerna" in page


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_says_when_the_database_is_unreachable(app, tmp_path):
    from commentsvc import create_app

    broken = create_app(
        {"SECRET_KEY": "s", "TESTING": True, "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    )
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_the_console_script_prints_the_installed_version_without_a_configuration(tmp_path):
    from importlib.metadata import version

    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMENTSVC_")}
    result = subprocess.run(
        [str(Path(sys.executable).with_name("commentsvc")), "--version"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"commentsvc {version('commentsvc')}"


def test_create_article_registers_the_key_on_the_site_named_and_only_there(app, runner):
    from commentsvc import sites, threads
    from commentsvc.errors import ArticleNotFound
    from commentsvc.models.base import utcnow

    with app.app_context():
        sites.add_site("kultur", name="Kultur i Norr", origins=[], by="test", now=utcnow())
        db.session.commit()
    made = runner.invoke(
        args=["create-article", "nyhet-1", "--title", "Konsert i parken", "--site", "kultur"]
    )
    assert made.exit_code == 0, made.output
    assert "kultur" in made.output
    default = runner.invoke(args=["create-article", "nyhet-1", "--title", "Nytt avtal"])
    assert default.exit_code == 0, default.output
    with app.app_context():
        assert threads.find_article("nyhet-1", site="kultur").title == "Konsert i parken"
        assert threads.find_article("nyhet-1", site="default").title == "Nytt avtal"
    unknown = runner.invoke(args=["create-article", "nyhet-2", "--title", "X", "--site", "kulturr"])
    assert unknown.exit_code == 2
    assert "kulturr" in unknown.output
    with app.app_context(), pytest.raises(ArticleNotFound):
        threads.find_article("nyhet-2", site="default")
