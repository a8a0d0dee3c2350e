"""Export and import-json: the whole database out and back in, exactly; SQLite to PostgreSQL."""

from __future__ import annotations

import json
import os
from datetime import timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import Column, Integer, MetaData, String, Table, delete, select, text

from commentsvc import create_app
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.threads import Comment, CommentStatus
from commentsvc.moving import backup
from commentsvc.notify import notifications

from .conftest import base_config
from .test_import_wordpress import THEME, comment, item, wxr


def snapshot(app) -> dict[str, list[tuple]]:
    """Every row of every table, as Python values, in id order."""
    with app.app_context():
        return {
            t.name: [
                tuple(row) for row in db.session.execute(select(t).order_by(*t.primary_key.columns))
            ]
            for t in backup.exported_tables()
        }


def wipe(app) -> None:
    """Empty every table, restarting PostgreSQL's id sequences (a fresh database)."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(t.name for t in backup.exported_tables())
            db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(backup.exported_tables()):
                db.session.execute(delete(table))
        db.session.commit()


@pytest.fixture
def filled(app, runner, article, add_comment, tmp_path):
    """A database with every kind of row: threads, replies, all statuses, edits, mappings,
    a moderator, a setting, a mail in the outbox, decisions and a privacy request audited."""
    from commentsvc import settings
    from commentsvc.moderation import accounts

    with app.app_context():
        editor = accounts.create_moderator(
            "redaktor", "ett långt lösenord", role="admin", email="red@example.se", notify=True
        )
        # A second factor: its secret and its recovery codes' hashes are credentials.
        editor.totp_secret = TOTP_SECRET
        editor.recovery_codes = [RECOVERY_HASH]
        settings.save_settings({"MAX_LINKS": 5}, by="redaktor", now=utcnow())
        db.session.commit()
    first = add_comment(article, "Första", when=utcnow() - timedelta(days=2))
    reply = add_comment(article, "Svar", parent=first, author="Bo", email="bo@example.se")
    add_comment(article, "Svar på svar", parent=reply)
    add_comment(article, "Väntar", approve=False, author="Ny", email="ny@example.se")
    with app.app_context():
        edited = db.session.get(Comment, reply)
        edited.edited_at = utcnow()
        db.session.commit()
    source = tmp_path / "wp.xml"
    source.write_text(
        wxr(item(9, comment(1) + comment(2, approved="spam") + comment(3, 1, approved="trash"))),
        encoding="utf-8",
    )
    assert runner.invoke(args=["import-wordpress", str(source)]).exit_code == 0
    if THEME.exists():
        runner.invoke(args=["import-wordpress", "--keep-pings", str(THEME)])
    assert runner.invoke(args=["privacy-export", "ny@example.se"]).exit_code == 0
    _subscribe_and_notify(app, article, first)
    return article


def _subscribe_and_notify(app, key: str, parent: int) -> None:
    """A reader who asked for replies and confirmed, and a notification mail written: the
    confirmation's token and the mail's one-click unsubscribe address are in the database."""
    from commentsvc import moderation, threads
    from commentsvc.models.mail import Subscriber

    with app.app_context():
        article = threads.find_article(key)
        draft = threads.Draft(
            comment="Hör av er", author="Sara", email="sara@example.se", subscribe="replies"
        )
        asked = threads.post_comment(article, draft, ip="", now=utcnow())
        moderation.approve(asked.id, by="test", now=utcnow())
        db.session.execute(db.update(Subscriber).values(confirmed_at=utcnow()))
        answer = threads.Draft(
            comment="Svar till Sara", author="Bo", email="bo@example.se", parent_id=asked.id
        )
        answered = threads.post_comment(article, answer, ip="", now=utcnow())
        moderation.approve(answered.id, by="test", now=utcnow())
        db.session.commit()
        assert notifications.queue_due_notifications(now=utcnow() + timedelta(hours=1)) == 1
        db.session.commit()


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
RECOVERY_HASH = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"
# Columns an export leaves out unless --with-secrets: an import sets them to "" (or to NULL
# where the column may be empty: a link token without its digest matches nothing).
SECRETS = {
    "moderator": ("password_hash", "totp_secret", "recovery_codes"),
    "link_token": ("token_digest",),
    "outbox_mail": ("list_unsubscribe",),
}


def without_secrets(tables: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    blanked = dict(tables)
    for table in backup.exported_tables():
        secret = {
            i: None if c.nullable else ""
            for i, c in enumerate(table.columns)
            if c.name in SECRETS.get(table.name, ())
        }
        blanked[table.name] = [
            tuple(secret.get(i, v) for i, v in enumerate(row)) for row in tables[table.name]
        ]
    return blanked


@pytest.mark.parametrize("secrets", [False, True], ids=["plain", "with-secrets"])
@pytest.mark.parametrize("form", ["json", "jsonl"])
def test_export_then_import_json_reproduces_the_database_exactly(
    app, runner, filled, tmp_path, form, secrets, reader
):
    before = snapshot(app)
    statuses = {row[5] for row in before["comment"]}
    assert statuses == set(CommentStatus) and before["import_mapping"]
    for table in ("moderator", "site", "outbox_mail", "moderation_event", "notification"):
        assert before[table], f"nothing in {table}"
    assert None in {row[1] for row in before["moderation_event"]}  # the privacy request
    out = tmp_path / f"export.{form}"
    args = ["export", "--format", form, "--output", str(out)]
    result = runner.invoke(args=args + (["--with-secrets"] if secrets else []))
    assert result.exit_code == 0, result.output
    exported = out.read_text(encoding="utf-8")
    assert ("scrypt:" in exported) == secrets
    digests = {row[1] for row in before["link_token"]}  # a confirmation and an unsubscribe
    assert len(digests) == 2 and all(digests)
    assert all((digest in exported) == secrets for digest in digests)
    assert ('"list_unsubscribe"' in exported) == secrets
    assert (TOTP_SECRET in exported) == secrets and (RECOVERY_HASH in exported) == secrets
    wipe(app)
    assert snapshot(app)["comment"] == []
    result = runner.invoke(args=["import-json", str(out)])
    assert result.exit_code == 0, result.output
    assert ("nya lösenord" in result.output) != secrets
    assert snapshot(app) == (before if secrets else without_secrets(before))
    # New comments get new ids (on PostgreSQL: the sequences were moved past the old ones).
    highest = max(row[0] for row in before["comment"])
    posted = reader.post(filled, comment="Efter flytten")
    assert posted.status_code == 303
    assert int(posted.headers["Location"].rsplit("-", 1)[1]) == highest + 1


def test_import_json_refuses_a_database_that_is_not_empty(app, runner, filled, tmp_path):
    out = tmp_path / "export.json"
    runner.invoke(args=["export", "-o", str(out)])
    before = snapshot(app)
    result = runner.invoke(args=["import-json", str(out)])
    assert result.exit_code == 1
    assert "inte tom" in result.output
    assert snapshot(app) == before


def test_export_of_an_empty_database_is_a_valid_document_that_restores(app, runner, tmp_path):
    result = runner.invoke(args=["export"])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["format"] == "commentsvc-export" and document["schema"]
    assert document["tables"]["comment"] == [] and document["tables"]["article"] == []
    (tmp_path / "empty.json").write_text(result.stdout, encoding="utf-8")
    assert runner.invoke(args=["import-json", str(tmp_path / "empty.json")]).exit_code == 0


def test_the_export_carries_every_status_and_the_private_fields(app, runner, filled):
    document = json.loads(runner.invoke(args=["export"]).stdout)
    threads = document["tables"]["comment"]
    assert {c["status"] for c in threads} == {"approved", "pending", "spam", "trash"}
    assert "bo@example.se" in {c["email"] for c in threads}
    assert all(c["created_at"].endswith("+00:00") for c in threads)


@pytest.mark.parametrize(
    "content",
    ["inte json", '{"format": "något annat", "version": 1}', '{"tables": []}', "\xff\xfe"],
    ids=["not-json", "other-format", "no-header", "binary"],
)
def test_a_file_that_is_not_an_export_is_refused(app, runner, tmp_path, content):
    path = tmp_path / "x.json"
    path.write_bytes(content.encode("latin-1"))
    result = runner.invoke(args=["import-json", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Ingenting återställdes" in result.output


def test_an_export_from_another_schema_version_is_refused(app, runner, tmp_path):
    document = json.loads(runner.invoke(args=["export"]).stdout)
    document["schema"] = "0099_future"
    path = tmp_path / "future.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = runner.invoke(args=["import-json", str(path)])
    assert result.exit_code == 1 and "0099_future" in result.output


@pytest.fixture
def moderators(app, monkeypatch):
    """A table with a password hash, as the moderators' table has."""
    metadata = MetaData()
    table = Table(
        "test_moderator",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("login", String(50), nullable=False),
        Column("password_hash", String(200), nullable=False),
    )
    with app.app_context():
        metadata.create_all(db.engine)
        db.session.execute(table.insert(), [{"login": "redaktor", "password_hash": "scrypt:xyz"}])
        db.session.commit()
    original = backup.exported_tables
    monkeypatch.setattr(backup, "exported_tables", lambda: [*original(), table])
    yield table
    with app.app_context():
        metadata.drop_all(db.engine)


def test_password_hashes_stay_out_of_an_export_unless_asked_for(app, runner, moderators, tmp_path):
    plain = runner.invoke(args=["export"]).stdout
    assert "redaktor" in plain and "scrypt:xyz" not in plain and "password_hash" not in plain
    secret = runner.invoke(args=["export", "--with-secrets"]).stdout
    assert "scrypt:xyz" in secret
    (tmp_path / "plain.json").write_text(plain, encoding="utf-8")
    wipe(app)
    with app.app_context():
        db.session.execute(delete(moderators))
        db.session.commit()
    result = runner.invoke(args=["import-json", str(tmp_path / "plain.json")])
    assert result.exit_code == 0, result.output
    assert "nya lösenord" in result.output
    with app.app_context():
        assert db.session.execute(select(moderators.c.password_hash)).scalar_one() == ""


@pytest.mark.skipif(
    os.environ.get("COMMENTSVC_TEST_ENGINE") != "postgresql",
    reason="moves a SQLite database into PostgreSQL: runs in the PostgreSQL suite",
)
def test_moving_from_sqlite_to_postgresql(app, runner, tmp_path):
    """docs/operating.md's move: export from SQLite, import-json into an empty PostgreSQL."""
    source_dir = tmp_path / "old-sqlite"
    source_dir.mkdir()
    source = create_app(base_config(f"sqlite:///{source_dir / 'commentsvc.db'}", source_dir))
    with source.app_context():
        upgrade()
    old = source.test_cli_runner()
    wp = tmp_path / "wp.xml"
    wp.write_text(
        wxr(item(9, comment(1) + comment(2, approved="spam") + comment(3, 1, approved="0"))),
        encoding="utf-8",
    )
    assert old.invoke(args=["import-wordpress", str(wp)]).exit_code == 0
    if THEME.exists():
        assert old.invoke(args=["import-wordpress", "--keep-pings", str(THEME)]).exit_code == 0
    out = tmp_path / "move.jsonl"
    assert old.invoke(args=["export", "--format", "jsonl", "-o", str(out)]).exit_code == 0
    try:
        before = snapshot(source)
    finally:
        with source.app_context():
            db.session.remove()
            db.engine.dispose()
    with app.app_context():
        assert db.engine.dialect.name == "postgresql"
    result = runner.invoke(args=["import-json", str(out)])
    assert result.exit_code == 0, result.output
    assert snapshot(app) == before


@pytest.fixture
def several_sites(app, runner, tmp_path):
    """Sites a and b beside the default one: their origins and own settings, people with a
    role on one site each, and each with its own thread "nyhet-1" (the same key)."""
    from commentsvc import moderation, sites, threads
    from commentsvc.models.moderation import ModeratorRole
    from commentsvc.models.sites import SiteRole
    from commentsvc.moderation import accounts

    with app.app_context():
        sites.add_site(
            "a",
            name="Avisan",
            origins=["https://a.example.se", "https://www.avisan.se"],
            settings={"MAX_LINKS": 7, "LANGUAGE": "en"},
            by="test",
            now=utcnow(),
        )
        sites.add_site(
            "b", name="Bladet", origins=["https://b.example.se"], by="test", now=utcnow()
        )
        sites.update_site("b", settings={"MODERATION": "all"}, by="test", now=utcnow())
        for login, site, role in (("anna", "a", "admin"), ("bo", "b", "moderator")):
            account = accounts.create_moderator(
                login, "ett långt lösenord", role="moderator", by="test", now=utcnow()
            )
            # The people helper's service is not on this branch yet: the role as it stores it.
            db.session.add(
                SiteRole(moderator_id=account.id, site_id=site, role=ModeratorRole(role))
            )
        for site in ("default", "a", "b"):
            article = threads.create_article("nyhet-1", title=f"Nyhet på {site}", site=site)
            draft = threads.Draft(comment=f"Skrivet på {site}", author="Vera", email="v@example.se")
            posted = threads.post_comment(article, draft, ip="192.0.2.0", now=utcnow())
            moderation.approve(posted.id, by="test", now=utcnow())
        db.session.commit()
    source = tmp_path / "wp.xml"
    source.write_text(wxr(item(9, comment(1) + comment(2, 1))), encoding="utf-8")
    assert runner.invoke(args=["import-wordpress", "--site", "b", str(source)]).exit_code == 0


def fresh(app) -> None:
    """A database as init-db leaves it: empty, but for the default site the migrations made."""
    from commentsvc.models.sites import Site

    wipe(app)
    with app.app_context():
        db.session.add(Site(id="default", name="", settings={}, created_at=utcnow()))
        db.session.commit()


@pytest.mark.parametrize("form", ["json", "jsonl"])
def test_an_export_of_several_sites_restores_them_their_people_and_threads_exactly(
    app, runner, several_sites, tmp_path, form
):
    before = snapshot(app)
    assert [row[0] for row in before["site"]] == ["a", "b", "default"]
    assert len(before["site_origin"]) == 3 and len(before["site_role"]) == 2
    with app.app_context():
        from commentsvc.sites.registry import thread_counts

        assert thread_counts() == {"default": 1, "a": 1, "b": 2}  # and the import's nyhet-9
    out = tmp_path / f"export.{form}"
    result = runner.invoke(args=["export", "--format", form, "--with-secrets", "-o", str(out)])
    assert result.exit_code == 0, result.output
    fresh(app)
    result = runner.invoke(args=["import-json", str(out)])
    assert result.exit_code == 0, result.output
    assert snapshot(app) == before
    # And they work as sites: each origin reads its own site's thread of the same key.
    client = app.test_client()
    for origin, site in (("https://www.avisan.se", "a"), ("https://b.example.se", "b")):
        thread = client.get(
            "/api/v1/comments", query_string={"article": "nyhet-1"}, headers={"Origin": origin}
        )
        assert thread.status_code == 200
        shown = " ".join(c["html"] for c in thread.get_json()["comments"])
        assert f"Skrivet på {site}" in shown
        assert {
            f"Skrivet på {other}" for other in ("default", "a", "b") if other != site
        }.isdisjoint(
            {
                c["html"].removeprefix("<p>").removesuffix("</p>")
                for c in thread.get_json()["comments"]
            }
        )
    from commentsvc import sites

    with app.app_context():
        assert sites.config_for("a")["MAX_LINKS"] == 7
        assert sites.config_for("b")["MODERATION"] == "all"
        assert sites.config_for("default")["MAX_LINKS"] == app.config["MAX_LINKS"]


def test_a_database_with_a_second_site_is_not_empty_for_a_restore(
    app, runner, several_sites, tmp_path
):
    out = tmp_path / "export.json"
    assert runner.invoke(args=["export", "-o", str(out)]).exit_code == 0
    wipe(app)
    from commentsvc import sites

    with app.app_context():
        fresh(app)
        sites.add_site("c", name="Cirkeln", origins=[], by="test", now=utcnow())
        db.session.commit()
    before = snapshot(app)
    result = runner.invoke(args=["import-json", str(out)])
    assert result.exit_code == 1 and "inte tom" in result.output
    assert snapshot(app) == before
