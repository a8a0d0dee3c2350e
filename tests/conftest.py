"""Fixtures: a real database per test (a SQLite file, or PostgreSQL when asked), the app,
a browser-like client that fills the real form, and the CLI runner."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, event, text

from commentsvc import create_app
from commentsvc.config import with_driver
from commentsvc.extensions import db

TESTDATA = Path(__file__).resolve().parents[2] / "shared" / "testdata"
CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
ALLOWED_ORIGIN = "https://www.example.se"


def pytest_report_header(config):
    return f"database engine: {os.environ.get('COMMENTSVC_TEST_ENGINE', 'sqlite')}"


def _postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url:
        pytest.skip(
            "PostgreSQL run asked for (COMMENTSVC_TEST_ENGINE=postgresql) but TEST_DATABASE_URL "
            "is not set; point it at an empty database, e.g. "
            "postgresql://postgres@127.0.0.1:5432/commentsvc_test"
        )
    return url


def base_config(database_url: str, instance: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "MIN_SUBMIT_SECONDS": 0,
        "RATELIMIT_ENABLED": False,
        "ALLOWED_ORIGINS": [ALLOWED_ORIGIN],
    }


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> Iterator[str]:
    """One schema built through the real migrations; each test starts from a copy of it."""
    if os.environ.get("COMMENTSVC_TEST_ENGINE") == "postgresql":
        url = _postgres_url()
        _run_migrations(url, tmp_path_factory.mktemp("pg-instance"))
        yield url
        return
    path = tmp_path_factory.mktemp("template") / "template.db"
    _run_migrations(f"sqlite:///{path}", path.parent)
    yield str(path)


def _run_migrations(url: str, instance: Path) -> None:
    os.environ["COMMENTSVC_INSTANCE_PATH"] = str(instance)
    app = create_app(base_config(url, instance))
    with app.app_context():
        if url.startswith("postgres"):
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()


@pytest.fixture
def database_url(migrated_database, tmp_path) -> Iterator[str]:
    if migrated_database.startswith("postgres"):
        _empty_postgres(migrated_database)
        yield migrated_database
        left = _end_transactions_left_open(migrated_database)
        assert not left, f"the test left connections in an open transaction: {left}"
        return
    copy = tmp_path / "commentsvc.db"
    shutil.copyfile(migrated_database, copy)
    yield f"sqlite:///{copy}"


@contextmanager
def engine_for(url: str) -> Iterator[Engine]:
    """An engine of the test's own on the database at ``url`` (not the app's), disposed after."""
    engine = create_engine(with_driver(url))
    try:
        yield engine
    finally:
        engine.dispose()


def _end_transactions_left_open(url: str) -> list[str]:
    """Close the connections a test left in an open transaction, and say what they ran.

    Such a connection holds its locks: each later test's TRUNCATE would wait on it for ever.
    The test that left it fails here; the tests after it run as usual.
    """
    with engine_for(url) as engine, engine.begin() as conn:
        left = conn.execute(
            text(
                "SELECT query, pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND state LIKE 'idle in transaction%'"
            )
        ).all()
    return [row.query for row in left]


def _empty_postgres(url: str) -> None:
    with engine_for(url) as engine, engine.begin() as conn:
        tables = [
            row[0]
            for row in conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            )
        ]
        if tables:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            # As the migrations left it: the installation's one site (migration 0019).
            conn.execute(
                text(
                    "INSERT INTO site (id, name, settings, created_at) "
                    "VALUES ('default', '', '{}', now())"
                )
            )


@pytest.fixture
def config_overrides() -> dict:
    """Override in a test module (or parametrize) to change the app's configuration."""
    return {}


@pytest.fixture
def app(database_url, tmp_path, config_overrides):
    os.environ["COMMENTSVC_INSTANCE_PATH"] = str(tmp_path)
    app = create_app({**base_config(database_url, tmp_path), **config_overrides})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    # The rate limits' own pool (database://), else its connections wait for the collector.
    limiter = app.extensions["commentsvc-ratelimits"].limiter
    if limiter.enabled:
        getattr(limiter.storage, "dispose", lambda: None)()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def article(app):
    """An article registered ahead, as a site owner would with ``create-article``."""
    from commentsvc import threads

    with app.app_context():
        a = threads.create_article(
            "nyhet-1",
            title="SOI Mitt startar i Svealand",
            url="https://www.example.se/nyheter/soi-mitt",
        )
        db.session.commit()
        return a.key


class Reader:
    """A person with a browser: opens the thread, fills the form, sends it."""

    def __init__(self, client):
        self.client = client

    def open(self, key: str, **params):
        return self.client.get("/thread", query_string={"article": key, **params})

    def csrf_token(self, key: str) -> str:
        page = self.open(key).get_data(as_text=True)
        match = CSRF_INPUT.search(page)
        assert match, "the thread page has no CSRF token"
        return match.group(1)

    def post(self, key: str, *, follow: bool = False, **fields):
        """Send the form for ``key``; a field given as None is left out. Without a
        ``csrf_token`` the token is read from the thread page first, as a browser has it."""
        if "csrf_token" not in fields:
            fields["csrf_token"] = self.csrf_token(key)
        form = {
            "article": key,
            "comment": "Ett bra initiativ!",
            "author": "Anna Lindqvist",
            "email": "anna@example.se",
            **fields,
        }
        form = {k: v for k, v in form.items() if v is not None}
        return self.client.post("/comments", data=form, follow_redirects=follow)


@pytest.fixture
def reader(client) -> Reader:
    return Reader(client)


@pytest.fixture
def make_reader(app):
    """More readers, each with their own browser (cookies)."""
    return lambda: Reader(app.test_client())


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


def notifications_delivered() -> None:
    """On PostgreSQL, wait until the notifications of the writes so far have reached this
    process's listener (a few ms, asynchronously): the next read then asks for the version map
    once, and the reads after it can be counted (readcache.py). Nothing to wait for on SQLite."""
    if os.environ.get("COMMENTSVC_TEST_ENGINE") == "postgresql":
        import time

        time.sleep(0.2)


@pytest.fixture
def count_queries(app):
    """Counts the SQL statements run while a block runs: ``with count_queries() as q: ...``."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counter = QueryCounter()
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", counter)

    return counting


@pytest.fixture
def add_comment(app):
    """Store a comment through the service (approved unless told otherwise); returns its id."""
    from commentsvc import moderation, threads
    from commentsvc.models.base import utcnow
    from commentsvc.models.threads import CommentStatus

    def add(
        key: str,
        text: str = "Hej!",
        *,
        author: str = "Anna Lindqvist",
        email: str = "anna@example.se",
        parent: int | None = None,
        approve: bool = True,
        website: str = "",
        when=None,
    ) -> int:
        with app.app_context():
            article = threads.find_article(key)
            draft = threads.Draft(
                comment=text, author=author, email=email, website=website, parent_id=parent
            )
            comment = threads.post_comment(article, draft, ip="192.0.2.0", now=when or utcnow())
            if approve and comment.status != CommentStatus.APPROVED:
                moderation.approve(comment.id, by="test", now=utcnow())
            db.session.commit()  # one action, one commit, as the views do
            return comment.id

    return add


@pytest.fixture
def smtp_port() -> int:
    """A free loopback port: the app's SMTP_PORT (set it in the module's config_overrides)."""
    from tests.servers import free_port

    return free_port()


@pytest.fixture
def smtp_server(smtp_port):
    """A real SMTP server (aiosmtpd) listening on ``smtp_port``; ``.messages`` is what it got."""
    from tests.mailserver import LoopbackSMTP

    with LoopbackSMTP(smtp_port) as server:
        yield server
