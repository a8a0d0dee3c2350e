"""The upgrade to sites (migration 0019) on a populated database: the installation becomes the
site "default" with its admins' settings, and nothing is lost, moved or opened up; the
downgrade gives the settings table back, and refuses while another site has threads.

How the populated database is made: the WordPress theme unit test export (../shared/testdata)
is read by the test's own parser and planted at revision 0018_pending_edits with plain SQL
(tests/old_rows.py), as the code of that revision stored an import of it: its articles, its
threaded comments (a reply chain ten deep among them) and the import's mappings. Moderators,
audit records of comment decisions, of settings and of accounts, the admins' settings and
mails waiting in the outbox are planted beside them. Importing with today's code would write
today's schema (a thread's site), which the 0018 tables do not have; planting keeps the
database exactly as an installation at 0018 has it. On SQLite the upgrade runs on a file copy
of the populated database, which stays as it was to compare with."""

from __future__ import annotations

import json
import os
import shutil
import xml.etree.ElementTree as ET  # the test's own reading of a trusted fixture
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from alembic import command as alembic_command
from flask_migrate import downgrade, upgrade

from commentsvc import create_app, sites, threads
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.threads import Comment
from commentsvc.moving import wordpress
from tests.conftest import ALLOWED_ORIGIN, Reader, base_config
from tests.old_rows import (
    plant_article,
    plant_comment,
    plant_event,
    plant_mail,
    plant_moderator,
    plant_setting,
)

from .test_import_wordpress import THEME, WP, needs_theme, source_comments

BEFORE = "0018_pending_edits"
# The admins' settings: a page of the moderation desk stored them as JSON. The installation's
# configuration says MODERATION "all" and MAX_LINKS 2: the stored values must win.
SETTINGS = {"MODERATION": "none", "MAX_LINKS": 5, "MODERATION_KEYS": ["kasino"]}
IMPORT_MAPPING = sa.table(
    "import_mapping",
    sa.column("source", sa.String),
    sa.column("kind", sa.String),
    sa.column("source_id", sa.String),
    sa.column("target_id", sa.Integer),
    sa.column("imported_at", sa.DateTime(timezone=True)),
)

pytestmark = needs_theme


def theme_posts() -> tuple[str, dict[str, dict]]:
    """The export's site address (as the importer names the source) and its posts: post id →
    slug, title, link."""
    root = ET.parse(THEME).getroot()
    base = wordpress.check(str(THEME))[0]
    posts = {}
    for item in root.iter("item"):
        posts[item.findtext(f"{WP}post_id")] = {
            "slug": item.findtext(f"{WP}post_name"),
            "title": item.findtext("title"),
            "link": item.findtext("link"),
        }
    return base, posts


def plant_installation(conn) -> dict[str, int]:
    """An installation at 0018 that imported the theme export and has been run a while."""
    base, posts = theme_posts()
    comments = {
        cid: c
        for cid, c in source_comments().items()
        if c["comment_type"] in ("", "comment")  # pings are not imported by default
    }
    source = f"wordpress {base}"
    now = utcnow()
    articles: dict[str, int] = {}
    stored: dict[str, int] = {}
    waiting = sorted(comments, key=int)
    while waiting:  # parents first
        later = []
        for cid in waiting:
            c = comments[cid]
            parent = c["comment_parent"]
            if parent not in ("", "0") and parent not in stored:
                later.append(cid)
                continue
            post = c["post_id"]
            if post not in articles:
                articles[post] = plant_article(
                    conn, posts[post]["slug"], title=posts[post]["title"], url=posts[post]["link"]
                )
                conn.execute(
                    sa.insert(IMPORT_MAPPING).values(
                        source=source,
                        kind="article",
                        source_id=post,
                        target_id=articles[post],
                        imported_at=now,
                    )
                )
            stored[cid] = plant_comment(
                conn,
                articles[post],
                c["comment_content"],
                author=c["comment_author"],
                email=c["comment_author_email"],
                parent=stored.get(parent),
                status="approved" if c["comment_approved"] == "1" else "pending",
            )
            conn.execute(
                sa.insert(IMPORT_MAPPING).values(
                    source=source,
                    kind="comment",
                    source_id=cid,
                    target_id=stored[cid],
                    imported_at=now,
                )
            )
        waiting = later
    plant_moderator(conn, "ada", role="admin", display_name="Ada på webben")
    plant_moderator(conn, "moa", email="moa@kommun.example.se")
    first, second = sorted(stored.values())[:2]
    plant_event(conn, "approve", actor="ada", comment_id=first, before="pending", after="approved")
    plant_event(
        conn,
        "trash",
        {"reason": "spam"},
        actor="moa",
        comment_id=second,
        before="approved",
        after="trash",
    )
    plant_event(conn, "setting", {"key": "MAX_LINKS", "old": 2, "new": 5}, actor="ada")
    plant_event(conn, "account-created", {"account": 2, "role": "moderator"}, actor="cli")
    plant_event(conn, "purge", {"ips": 3, "comments": 1}, actor="purge")
    for key, value in SETTINGS.items():
        plant_setting(conn, key, value, by="ada")
    plant_mail(conn, "moa@kommun.example.se", "En kommentar väntar", comment_id=first)
    plant_mail(conn, "vera@example.se", "Svar på din kommentar")
    return {"articles": len(articles), "comments": len(stored)}


def counts(conn) -> dict[str, int]:
    return {
        table: conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
        for table in (
            "article",
            "comment",
            "moderator",
            "moderation_event",
            "outbox_mail",
            "import_mapping",
        )
    }


def article_keys(conn) -> list[tuple[int, str]]:
    return conn.execute(sa.text("SELECT id, key FROM article ORDER BY id")).all()


def old_settings(conn) -> dict[str, str]:
    return dict(conn.execute(sa.text("SELECT key, value FROM setting")).all())


@pytest.fixture
def populated(migrated_database, tmp_path) -> Callable[..., tuple]:
    """An installation at 0018 with its data (planted once); ``populated(**config)`` gives
    the app on the database to upgrade (on SQLite a copy of the file) and the counts and
    settings as they were at 0018."""
    os.environ["COMMENTSVC_INSTANCE_PATH"] = str(tmp_path)
    postgres = migrated_database.startswith("postgres")
    original = migrated_database if postgres else f"sqlite:///{tmp_path / 'at-0018.db'}"
    apps = []

    def app_for(url: str, **config):
        app = create_app({**base_config(url, tmp_path), "MODERATION": "all", **config})
        apps.append(app)
        return app

    maker = app_for(original)
    with maker.app_context():
        if postgres:
            db.session.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            planted = plant_installation(conn)
        with db.engine.connect() as conn:
            before = counts(conn), article_keys(conn), old_settings(conn)
        db.session.remove()
        db.engine.dispose()
    url = original
    if not postgres:
        copy = tmp_path / "upgraded.db"
        shutil.copyfile(tmp_path / "at-0018.db", copy)
        url = f"sqlite:///{copy}"

    def made(**config):
        return app_for(url, **config), planted, before

    yield made
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    if postgres:  # the other tests expect the schema at the head
        with apps[0].app_context():
            upgrade()
            db.engine.dispose()
    else:  # the copy was upgraded; the original is as it was
        with maker.app_context(), db.engine.connect() as conn:
            assert (
                conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == BEFORE
            )
            assert counts(conn) == before[0]
            db.engine.dispose()


def test_the_upgrade_makes_the_installation_the_default_site_and_loses_nothing(
    populated, runner_for
):
    app, planted, (counted, keys, _stored) = populated()
    assert counted["comment"] == planted["comments"] == 29
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            assert counts(conn) == counted
            assert article_keys(conn) == keys
            assert conn.execute(sa.text("SELECT id, name FROM site")).all() == [("default", "")]
            sites_of_threads = conn.execute(sa.text("SELECT DISTINCT site_id FROM article")).all()
            events = conn.execute(
                sa.text("SELECT action, site_id FROM moderation_event ORDER BY id")
            ).all()
            mails = conn.execute(sa.text("SELECT DISTINCT site_id FROM outbox_mail")).all()
            setting_table = sa.inspect(conn).has_table("setting")
        assert sites_of_threads == [("default",)]
        assert events == [
            ("approve", "default"),
            ("trash", "default"),
            ("setting", "default"),
            ("account-created", None),  # accounts and purges are the installation's
            ("purge", None),
        ]
        assert mails == [("default",)]
        assert not setting_table
        assert dict(sites.find_site("default").settings) == SETTINGS
        assert {k: sites.config_for("default")[k] for k in SETTINGS} == SETTINGS
        for _id, key in keys:
            assert threads.find_article(key, site="default").key == key
        db.session.remove()

    # The threads open from the installation's origin, as before, with their comments.
    client = app.test_client()
    slug = keys[0][1]
    answer = client.get(
        "/api/v1/comments", query_string={"article": slug}, headers={"Origin": ALLOWED_ORIGIN}
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN

    # The stored settings still rule (the configuration says "all" and 2 links): 3 links
    # are published, 6 are held, and so is a word of MODERATION_KEYS.
    links = " ".join(f"https://exempel{n}.se" for n in range(6))
    cases = {
        "Tre länkar: " + links[:62]: "approved",
        "Sex länkar: " + links: "pending",
        "Vinn på kasino": "pending",
        "Helt vanlig": "approved",
    }
    reader = Reader(client)
    for text in cases:
        assert reader.post(slug, comment=text).status_code in (200, 303)
    with app.app_context():
        got = dict(
            db.session.execute(
                sa.select(Comment.text, Comment.status).where(Comment.text.in_(cases))
            ).all()
        )
    assert got == cases
    assert cases and links[:62].count("https://") == 3

    # Importing the same export again adds nothing: the default site's mappings are those
    # the installation made before it had sites.
    again = runner_for(app).invoke(args=["import-wordpress", str(THEME)])
    assert again.exit_code == 0, again.output
    with app.app_context(), db.engine.connect() as conn:
        after = counts(conn)
    assert after["article"] == counted["article"]
    assert after["comment"] == counted["comment"] + len(cases)
    assert after["import_mapping"] == counted["import_mapping"]


def test_the_downgrade_gives_the_settings_table_back_and_keeps_the_data(populated):
    app, _planted, (counted, keys, stored) = populated()
    with app.app_context():
        upgrade()
        db.session.remove()
        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            back = {k: v for k, v in old_settings(conn).items()}
            assert counts(conn) == counted
            assert article_keys(conn) == keys
            columns = {c["name"] for c in sa.inspect(conn).get_columns("article")}
        db.session.remove()
        upgrade()  # and up again: the same site, the same settings
        assert dict(sites.find_site("default").settings) == SETTINGS
        db.session.remove()
    assert {k: json.loads(v) for k, v in back.items()} == {
        k: json.loads(v) for k, v in stored.items()
    }
    assert "site_id" not in columns


def test_the_downgrade_refuses_while_another_site_has_threads(populated):
    app, _planted, (counted, keys, _stored) = populated()
    with app.app_context():
        upgrade()
        sites.add_site(
            "b", name="Bladet", origins=["https://b.example.se"], by="test", now=utcnow()
        )
        threads.create_article(keys[0][1], title="Samma nyckel på b", site="b")
        db.session.commit()
        db.session.remove()
        # Alembic's own command: flask_migrate's logs the error and exits.
        config = app.extensions["migrate"].migrate.get_config()
        with pytest.raises(RuntimeError, match="Cannot go back to one site: sites b have threads"):
            alembic_command.downgrade(config, BEFORE)
        db.session.remove()
        with db.engine.connect() as conn:
            version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
            assert counts(conn)["comment"] == counted["comment"]
            assert conn.execute(sa.text("SELECT count(*) FROM article")).scalar() == len(keys) + 1
            engine = conn.dialect.name
    # PostgreSQL runs the whole downgrade in one transaction: refused, nothing of it happened.
    # SQLite cannot roll back its schema changes: the migrations after 0019 were undone, and
    # the one that would lose the sites refused before changing anything.
    assert version == ("0021_people" if engine == "postgresql" else "0019_sites")


@pytest.fixture
def runner_for():
    return lambda app: app.test_cli_runner()
