"""The audit log keeps what happened as data (fields, JSON) and says it in the reader's
language only when shown; records written as English sentences before are turned into
those fields once, by the migration, and read the same afterwards."""

from __future__ import annotations

import html
import os
import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from flask_migrate import downgrade, upgrade

from commentsvc import audit, create_app, moderation
from commentsvc.extensions import db
from commentsvc.models.base import UTCDateTime, utcnow
from commentsvc.models.moderation import AuditAction, ModerationEvent
from commentsvc.models.threads import Comment
from commentsvc.moderation import accounts
from tests.conftest import base_config
from tests.moderation.conftest import PASSWORD, ModeratorClient
from tests.old_rows import plant_article, plant_comment

BEFORE = "0012_thread_notify"

# The old table as the code up to 0012 wrote it: the detail a sentence.
OLD_EVENTS = sa.table(
    "moderation_event",
    sa.column("comment_id", sa.Integer),
    sa.column("actor", sa.String),
    sa.column("action", sa.String),
    sa.column("before", sa.String),
    sa.column("after", sa.String),
    sa.column("detail", sa.Text),
    sa.column("undone", sa.Boolean),
    sa.column("created_at", UTCDateTime),
)


def old_rows(first: int, second: int) -> list[dict]:
    """One record of every kind, each detail as the earlier writers put it (moa is account 2)."""
    rows = [
        (first, "ada", "approve", "pending", "approved", ""),
        (first, "ada", "edit", "approved", "approved", "Ring mig på 070-1234567"),
        (
            second,
            "reports",
            "report-hold",
            "approved",
            "pending",
            "3 readers reported it (REPORTS_TO_HOLD = 3)",
        ),
        (second, "ada", "reports-kept", "pending", "pending", "1 reports dismissed"),
        (second, "ada", "trash", "pending", "trash", "removed after 3 reports: spam"),
        (second, "ada", "undo", "trash", "pending", "5"),
        (second, "moa", "unsubscribe", "pending", "pending", "replies"),
        (99, "ada", "delete", "trash", None, "nyhet-gammal"),
        (None, "ada", "setting", None, None, 'MODERATION: "all" → "first-time"'),
        (None, "ada", "setting", None, None, 'MODERATION_KEYS: ["a → b"] → []'),
        (None, "cli", "account-created", None, None, "moderator:2 role=moderator"),
        (None, "ada", "role-changed", None, None, "moderator:2 role=moderator → admin"),
        (None, "ada", "account-disabled", None, None, "moderator:2"),
        (None, "ada", "account-enabled", None, None, "moderator:2"),
        (None, "moa", "password-set", None, None, "moderator:2"),
        (None, "ada", "password-reset", None, None, "moderator:2"),
        (None, "cli", "privacy-export", None, None, "4 rows"),
        (
            None,
            "ada",
            "privacy-erase",
            None,
            None,
            "2 comments anonymized, 0 deleted, 1 other rows, texts removed",
        ),
        (None, "purge", "purge", None, None, "3 IPs cleared, 1 comments deleted"),
        (
            None,
            "purge",
            "purge",
            None,
            None,
            "0 IPs cleared, 0 comments deleted, 1 sent mails deleted, 2 reports cleared",
        ),
        (None, "ada", "privacy-erase", None, None, "written by hand"),
    ]
    names = ("comment_id", "actor", "action", "before", "after", "detail")
    return [
        {**dict(zip(names, row, strict=True)), "undone": False, "created_at": utcnow()}
        for row in rows
    ]


# What the log page shows for each, by action label: (Swedish, English).
SHOWN = [
    ("approve", "", ""),
    ("edit", "", ""),  # the earlier text is the reader's: never on the log page
    (
        "report-hold",
        "3 läsare anmälde den (REPORTS_TO_HOLD = 3)",
        "3 readers reported it (REPORTS_TO_HOLD = 3)",
    ),
    ("reports-kept", "1 anmälan avfärdad", "1 report dismissed"),
    ("trash", "borttagen efter 3 anmälningar: spam", "removed after 3 reports: spam"),
    ("undo", "", ""),
    ("unsubscribe", "svar på den här kommentaren", "replies to this comment"),
    ("delete", "Artikel: nyhet-gammal", "Article: nyhet-gammal"),
    ("setting", 'MODERATION: "all" → "first-time"', 'MODERATION: "all" → "first-time"'),
    ("setting", 'MODERATION_KEYS: ["a → b"] → []', 'MODERATION_KEYS: ["a → b"] → []'),
    ("account-created", "moa, roll moderator", "moa, role moderator"),
    ("role-changed", "moa, roll moderator → admin", "moa, role moderator → admin"),
    ("account-disabled", "moa", "moa"),
    ("account-enabled", "moa", "moa"),
    ("password-set", "moa", "moa"),
    ("password-reset", "moa", "moa"),
    ("privacy-export", "4 poster", "4 records"),
    (
        "privacy-erase",
        "2 kommentarer anonymiserade, 0 borttagna, 1 annan post, texterna borttagna",
        "2 comments anonymized, 0 deleted, 1 other record, texts removed",
    ),
    (
        "purge",
        "3 IP-adresser tömda, 1 kommentar borttagen",
        "3 IP addresses cleared, 1 comment deleted",
    ),
    (
        "purge",
        "0 IP-adresser tömda, 0 kommentarer borttagna, 1 skickat mejl raderat, "
        "personuppgifterna i 2 avgjorda anmälningar borttagna",
        "0 IP addresses cleared, 0 comments deleted, 1 sent mail deleted, "
        "the personal data of 2 decided reports cleared",
    ),
    ("privacy-erase", "written by hand", "written by hand"),  # unread: kept and shown as it was
]


@pytest.fixture
def database(migrated_database, tmp_path):
    """An empty database of its own (PostgreSQL when the suite runs there), at no revision."""
    os.environ["COMMENTSVC_INSTANCE_PATH"] = str(tmp_path)
    if migrated_database.startswith("postgres"):
        url = migrated_database
        made = create_app(base_config(url, tmp_path))
        with made.app_context():
            db.session.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
            db.engine.dispose()
    else:
        url = f"sqlite:///{tmp_path / 'before.db'}"
    apps = []

    def app_for(**config):
        app = create_app({**base_config(url, tmp_path), **config})
        apps.append(app)
        return app

    yield app_for
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    if url.startswith("postgres"):  # the other tests expect the schema at the head
        with apps[0].app_context():
            upgrade()
            db.engine.dispose()


def build_old_log(app) -> tuple[int, int]:
    """A database at 0012 with the log as the earlier code wrote it; the comments' ids."""
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            article = plant_article(conn, "nyhet-1", title="Nyhet", url="https://www.example.se/1")
            ids = [
                plant_comment(conn, article, text, author="Vera", email="vera@example.se")
                for text in ("Hör av dig.", "Anmäld kommentar")
            ]
            conn.execute(sa.insert(OLD_EVENTS), old_rows(*ids))
    return ids[0], ids[1]


def shown_details(page: str) -> list[tuple[str, str]]:
    """The log's rows as (event, details) text, oldest first."""
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)[1:]:
        cells = [
            html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell))).strip()
            for cell in re.findall(r"<td>(.*?)</td>", row, re.S)
        ]
        rows.append((cells[2], cells[4]))
    return rows[::-1]


def test_the_upgrade_turns_every_old_sentence_into_fields_shown_as_before_in_both_languages(
    database,
):
    swedish, english = database(), database(LANGUAGE="en")
    first, _second = build_old_log(swedish)
    with swedish.app_context():
        upgrade()
        accounts.create_moderator("ada", PASSWORD, role="admin", by="test", now=utcnow())
        accounts.create_moderator("moa", PASSWORD, role="moderator", by="test", now=utcnow())
        db.session.commit()
    for app, column in ((swedish, 1), (english, 2)):
        admin = ModeratorClient(app.test_client())
        assert admin.login("ada").status_code == 303
        page = admin.get("/moderation/log").get_data(as_text=True)
        shown = shown_details(page)[: len(SHOWN)]
        with app.test_request_context():
            labels = [audit.label(action) for action, *_ in SHOWN]
        expected = [
            (label, said[column - 1]) for label, (_, *said) in zip(labels, SHOWN, strict=True)
        ]
        got = [(event.split(" (")[0].split(" · ")[0], details) for event, details in shown]
        assert got == expected
        assert "070-1234567" not in page
    # The edit kept its earlier text as data: undo puts it back.
    admin = ModeratorClient(swedish.test_client())
    admin.login("ada")
    assert admin.act(first, "undo").status_code == 303
    with swedish.app_context():
        assert db.session.get(Comment, first).text == "Ring mig på 070-1234567"
        undo = db.session.execute(
            sa.select(ModerationEvent).order_by(ModerationEvent.id.desc()).limit(1)
        ).scalar_one()
        edit = db.session.execute(
            sa.select(ModerationEvent).where(ModerationEvent.action == AuditAction.EDIT)
        ).scalar_one()
        assert (undo.action, undo.details, edit.undone) == ("undo", {"event": edit.id}, True)


def test_the_downgrade_writes_the_same_sentences_back(database):
    app = database()
    build_old_log(app)
    with app.app_context():
        written = sa.select(OLD_EVENTS.c.action, OLD_EVENTS.c.detail).order_by(sa.text("id"))
        before = db.session.execute(written).all()
        db.session.commit()  # a migration alters the table: no reader may hold it
        upgrade()
        details = dict(
            db.session.execute(
                sa.select(ModerationEvent.action, ModerationEvent.details).where(
                    ModerationEvent.action.in_(("setting", "edit", "purge"))
                )
            ).all()
        )
        db.session.commit()
        downgrade(revision=BEFORE)
        after = db.session.execute(written).all()
        db.session.commit()
        upgrade()
    assert after == before
    assert details["edit"] == {"text": "Ring mig på 070-1234567"}
    assert details["setting"] == {"key": "MODERATION_KEYS", "old": ["a → b"], "new": []}


def test_every_action_has_a_translated_label_and_a_sentence(app):
    assert set(audit.LABELS) == set(audit.SENTENCES) == set(AuditAction)
    labels = {}
    for language in ("sv", "en"):
        with app.test_request_context(), force_locale(language):
            labels[language] = {action: audit.label(action) for action in AuditAction}
    untranslated = [a for a in AuditAction if labels["sv"][a] == labels["en"][a]]
    assert untranslated == []
    assert labels["sv"]["report-hold"] == "dold efter läsares anmälningar"


def test_an_edit_keeps_the_earlier_text_as_a_field_and_its_undo_names_the_record(
    app, article, add_comment
):
    comment = add_comment(article, "Ring mig på 070-1234567", approve=False)
    with app.app_context():
        moderation.edit(comment, "Hör av dig.", by="ada", now=utcnow())
        moderation.undo_last(comment, by="ada", now=utcnow())
        db.session.commit()
        events = db.session.execute(
            sa.select(ModerationEvent.id, ModerationEvent.action, ModerationEvent.details).order_by(
                ModerationEvent.id
            )
        ).all()
        assert db.session.get(Comment, comment).text == "Ring mig på 070-1234567"
    (edit_id, *edit), undo = events
    assert edit == ["edit", {"text": "Ring mig på 070-1234567"}]
    assert (undo.action, undo.details) == ("undo", {"event": edit_id})


def test_the_log_pages_by_fifty_newest_first_and_a_page_past_the_end_is_the_last(app):
    with app.app_context():
        accounts.create_moderator("ada", PASSWORD, role="admin", by="test", now=utcnow())
        for n in range(50):  # 52 records with the account's own and its login below
            details = {"key": "MAX_LINKS", "old": n, "new": n + 1}
            audit.record_event(AuditAction.SETTING, details, by="ada", now=utcnow())
        db.session.commit()
    admin = ModeratorClient(app.test_client())
    assert admin.login("ada").status_code == 303
    first = admin.get("/moderation/log").get_data(as_text=True)
    assert "Sida 1 av 2" in first and "Äldre" in first and "Nyare" not in first
    assert "MAX_LINKS: 49 → 50" in first and "MAX_LINKS: 1 → 2" in first
    assert "MAX_LINKS: 0 → 1" not in first  # the 51st newest: on the next page
    for page in ("2", "99"):
        last = admin.get(f"/moderation/log?page={page}").get_data(as_text=True)
        assert "Sida 2 av 2" in last and "Nyare" in last and "Äldre" not in last
        assert "MAX_LINKS: 0 → 1" in last and "ada, roll admin" in last
        assert "MAX_LINKS: 1 → 2" not in last
