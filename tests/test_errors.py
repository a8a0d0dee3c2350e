"""Errors are pages in the reader's language, never a traceback; the database is left clean."""

import pytest
from sqlalchemy import text

from commentsvc.extensions import db


def test_an_unexpected_error_is_a_plain_500_page_and_the_session_is_rolled_back(app, article):
    @app.get("/boom")
    def boom():
        db.session.execute(text("UPDATE article SET title = 'halvskrivet'"))
        raise RuntimeError("secret internal detail")

    client = app.test_client()
    response = client.get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Något gick fel hos oss." in page
    assert "secret internal detail" not in page and "Traceback" not in page
    with app.app_context():
        title = db.session.execute(text("SELECT title FROM article")).scalar_one()
        assert title == "SOI Mitt startar i Svealand"


def test_a_get_to_the_form_target_is_405_with_allow(client):
    response = client.get("/comments")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"].split(", ")
    assert "Den här adressen tar inte emot den sortens förfrågan." in response.get_data(
        as_text=True
    )


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite pragmas; this run is on another engine")
    with app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_a_connection_lost_while_the_session_ends_costs_the_reader_nothing(
    app, client, article, monkeypatch
):
    """The database drops the connection just as the request's session ends (its ROLLBACK
    fails): the page was made and is answered; the next request gets a new connection."""
    with app.app_context():
        dialect = db.engine.dialect

    def dropped(connection):
        raise dialect.loaded_dbapi.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(dialect, "do_rollback", dropped)
    answer = client.get("/thread", query_string={"article": article})
    assert answer.status_code == 200
    monkeypatch.undo()
    assert client.get("/thread", query_string={"article": article}).status_code == 200
    if dialect.name == "postgresql":
        # Nothing of that request's transaction is left to hold locks: a change that takes
        # the whole table, as a migration or a restore does, goes through at once.
        with app.app_context(), db.engine.connect() as other:
            other.execute(text("SET lock_timeout = '2s'"))
            other.execute(text("LOCK TABLE comment IN ACCESS EXCLUSIVE MODE"))
            other.rollback()
