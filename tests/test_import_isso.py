"""Isso import: a database Isso wrote itself, every comment in its place, nothing of Isso's
changed, and whatever has no place here (likes, reply subscriptions) said, never dropped."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from commentsvc.extensions import db
from commentsvc.models.mail import Subscription
from commentsvc.models.threads import Article, Comment, ImportMapping
from commentsvc.moving import store

from .test_import_limits import PROJECT
from .test_import_wordpress import count, stored_by_source

ISSO_DB = Path(__file__).parent / "data" / "isso" / "isso.db"


def isso_database(path: Path, threads: dict[int, str], comments: Iterable[dict]) -> str:
    """An Isso-shaped database: the schema Isso 0.14.0 wrote into the fixture, our rows."""
    with sqlite3.connect(ISSO_DB) as real:
        schema = [
            sql
            for (sql,) in real.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL"
            )
        ]
    with sqlite3.connect(path) as made:
        for sql in schema:
            made.execute(sql)
        made.executemany(
            "INSERT INTO threads (id, uri, title) VALUES (?, ?, ?)",
            [(tid, uri, None) for tid, uri in threads.items()],
        )
        made.executemany(
            "INSERT INTO comments (tid, id, parent, created, mode, remote_addr, text, author, "
            "email, website, voters, likes, notification) VALUES (:tid, :id, :parent, :created, "
            ":mode, '192.0.2.0', :text, :author, :email, :website, x'00', 0, 0)",
            (
                {
                    "parent": None,
                    "created": 1709280000.5,
                    "mode": 1,
                    "text": f"Kommentar {c['id']}",
                    "author": f"Läsare {c['id']}",
                    "email": None,
                    "website": None,
                    **c,
                }
                for c in comments
            ),
        )
    return str(path)


def statuses(app) -> dict[str, str]:
    return {k: c.status.value for k, c in stored_by_source(app).items()}


def article_of(app, source_id: str) -> Article:
    with app.app_context():
        article = db.session.get(Article, stored_by_source(app)[source_id].article_id)
        db.session.expunge(article)
        return article


def test_isso_s_own_database_imports_every_comment_in_its_place(app, runner, client):
    result = runner.invoke(args=["import-isso", str(ISSO_DB)])
    assert result.exit_code == 0, result.output
    # Published, pending, and Olle's deleted-but-answered comment as a placeholder; Sven's
    # deleted comment without replies is not in Isso's file at all.
    assert statuses(app) == {
        "1": "approved",
        "2": "approved",
        "3": "approved",
        "4": "approved",
        "5": "approved",
        "6": "approved",
        "7": "approved",
        "10": "approved",
        "11": "pending",
        "12": "pending",
    }
    stored = stored_by_source(app)
    by_id = {c.id: source for source, c in stored.items()}
    parents = {s: by_id.get(c.parent_id) for s, c in stored.items()}
    assert parents == {
        "1": None,
        "2": "1",
        "3": "1",  # Greta answered Erik; Isso hung her reply under Anna, and so it stays
        "4": None,
        "5": "4",
        "6": None,
        "7": None,
        "10": None,
        "11": None,
        "12": "1",
    }
    anna = stored["1"]
    assert anna.author == "Anna & Co"  # Isso stored "Anna &amp; Co"
    assert anna.website == "http://anna.example.se" and anna.ip == "192.0.2.0"
    assert stored["6"].author == "Anonym" and stored["6"].ip == "2001:db8:1234::"
    olle = stored["4"]
    assert (olle.text, olle.author, olle.email, olle.ip) == ("", "Anonym", "", "")
    assert stored["7"].edited_at is not None and anna.edited_at is None
    soi = article_of(app, "1")
    assert (soi.key, soi.title) == ("/nyheter/soi-mitt/", "SOI Mitt startar i Svealand")
    assert soi.url == "https://www.example.se/nyheter/soi-mitt/"
    fotboll = article_of(app, "7")
    assert (fotboll.key, fotboll.url) == (
        "/sport/fotboll/",
        "https://www.example.se/sport/fotboll/",
    )
    kultur = article_of(app, "10")
    assert (kultur.key, kultur.url, kultur.title) == ("kultur-42", "", "Konsert i parken")

    page = client.get("/thread", query_string={"article": "/nyheter/soi-mitt/"})
    html = page.get_data(as_text=True)
    assert "<strong>programmet</strong>" in html and "**" not in html  # Isso's Markdown
    assert '<a href="https://www.example.se/program"' in html
    assert "Kommentaren har tagits bort" in html and "Svar till Olle." in html
    assert "Detta tar jag tillbaka" not in html and "olle@example.se" not in html
    assert "Väntar på granskning." not in html and "anna@example.se" not in html

    # Threads off the allowed host are skipped, the near miss too, each with its reason.
    assert "www.example.se.evil.example, som inte är en av tjänstens webbplatser" in result.output
    assert "annan.example.com, som inte är en av tjänstens webbplatser" in result.output
    assert "kultur-42" in result.output
    # Likes and the notification request are reported, and nobody is subscribed.
    assert "ogillanden på 2 kommentarer (gillanden: 2, ogillanden: 1)" in result.output
    assert "svarsavisering" in result.output and "(2)" in result.output
    assert "erik@example.se" not in result.output
    assert count(app, Subscription) == 0

    again = runner.invoke(args=["import-isso", str(ISSO_DB)])
    assert again.exit_code == 0, again.output
    assert count(app) == 10 and count(app, Article) == 3
    assert "Importerade redan tidigare: 10." in again.output


def test_the_isso_database_is_read_only_and_left_unchanged(app, runner, tmp_path):
    (tmp_path / "isso").mkdir()
    copy = tmp_path / "isso" / "isso.db"
    copy.write_bytes(ISSO_DB.read_bytes())
    before = hashlib.sha256(copy.read_bytes()).hexdigest()
    copy.chmod(0o444)  # as an operator may hand over a copy
    result = runner.invoke(args=["import-isso", str(copy)])
    assert result.exit_code == 0, result.output
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == before
    assert [p.name for p in copy.parent.iterdir()] == ["isso.db"]  # no journal left behind


def test_a_dry_run_of_an_isso_import_writes_nothing_and_reports_the_same(app, runner):
    dry = runner.invoke(args=["import-isso", "--dry-run", str(ISSO_DB)])
    assert dry.exit_code == 0, dry.output
    assert count(app) == 0 and count(app, Article) == 0 and count(app, ImportMapping) == 0
    real = runner.invoke(args=["import-isso", str(ISSO_DB)])
    assert "Importerade kommentarer: 10 (godkända 8, väntande 2" in dry.output
    assert dry.stdout.splitlines()[1:] == real.stdout.splitlines()


@pytest.mark.parametrize(
    "config_overrides", [{"ALLOWED_ORIGINS": ["https://www.example.se", "https://b.example.se"]}]
)
def test_threads_known_by_path_need_the_site_when_several_are_allowed(app, runner, tmp_path):
    path = isso_database(
        tmp_path / "i.db",
        {1: "/a/", 2: "https://b.example.se/b/", 3: "https://b.example.se:8443/c/"},
        [{"tid": 1, "id": 1}, {"tid": 2, "id": 2}, {"tid": 3, "id": 3}],
    )
    unsure = runner.invoke(args=["import-isso", path])
    assert unsure.exit_code == 0, unsure.output
    assert set(stored_by_source(app)) == {"2"}  # a whole address names its own site
    assert "--base-url" in unsure.output and "'/a/'" in unsure.output
    assert "på b.example.se:8443, som inte" in unsure.output  # another port: another origin

    refused = runner.invoke(args=["import-isso", "--base-url", "https://c.example.se", path])
    assert refused.exit_code == 1 and "ALLOWED_ORIGINS" in refused.output
    assert set(stored_by_source(app)) == {"2"}

    told = runner.invoke(args=["import-isso", "--base-url", "https://www.example.se/", path])
    assert told.exit_code == 0, told.output
    assert set(stored_by_source(app)) == {"1", "2"}
    assert article_of(app, "1").url == "https://www.example.se/a/"


def test_fields_are_capped_as_the_form_caps_them_and_odd_rows_are_reported(app, runner, tmp_path):
    long_text = "Lång text. " * 600  # 6,600 characters
    path = isso_database(
        tmp_path / "i.db",
        {1: "/a/", 2: "/b/"},
        [
            {"tid": 1, "id": 1, "text": long_text, "author": "Namn" * 80},
            {"tid": 1, "id": 2, "email": "a" * 120 + "@example.se", "website": "javascript:x"},
            {"tid": 1, "id": 3, "mode": 8},
            {"tid": 1, "id": 4, "created": "igår"},
            {"tid": 1, "id": 5, "mode": 4, "text": ""},  # deleted, no replies
            {"tid": 1, "id": 6, "parent": 99},  # answers a comment that is gone
            {"tid": 7, "id": 7},  # its thread is gone
            {"tid": 2, "id": 8, "text": "Bra <script>alert(1)</script><b>fet</b>"},
        ],
    )
    result = runner.invoke(args=["import-isso", path])
    assert result.exit_code == 0, result.output
    stored = stored_by_source(app)
    assert set(stored) == {"1", "2", "3", "4", "6", "8"}
    assert stored["1"].text == long_text[:5000] and len(stored["1"].author) == 245
    assert "texten hade 6600 tecken; de första 5000 behölls" in result.output
    assert "namnet hade 320 tecken; de första 245 behölls" in result.output
    assert stored["2"].email == "" and stored["2"].website == ""
    assert "e-postadressen var längre än formuläret tillåter" in result.output
    assert stored["3"].status.value == "pending" and "8" in result.output
    assert stored["4"].created_at == stored["1"].created_at  # the article's date
    assert stored["6"].parent_id is None
    assert "<script>" not in stored["8"].html and "<b>fet</b>" in stored["8"].html
    assert "kommentar 5:" in result.output and "tråd 7:" in result.output


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"nej, inte en databas" * 100, "inte en SQLite-databas"), (None, "inte Issos")],
)
def test_a_file_that_is_not_an_isso_database_is_refused(app, runner, tmp_path, content, expected):
    path = tmp_path / "other.db"
    if content is None:
        with sqlite3.connect(path) as other:
            other.execute("CREATE TABLE comments (id INTEGER PRIMARY KEY, body TEXT)")
    else:
        path.write_bytes(content)
    result = runner.invoke(args=["import-isso", str(path)])
    assert result.exit_code == 1 and expected in result.output, result.output
    assert "Traceback" not in result.output and count(app) == 0


def test_a_database_isso_holds_locked_is_refused_with_what_to_do(app, runner, tmp_path):
    path = tmp_path / "isso.db"
    shutil.copy(ISSO_DB, path)
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN EXCLUSIVE")  # as Isso in the middle of a write
    try:
        result = runner.invoke(args=["import-isso", str(path)])
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert result.exit_code == 1, result.output
    assert "låst" in result.output and "inte en SQLite-databas" not in result.output
    assert count(app) == 0
    # The near miss: once the writer is done, the same file imports.
    assert runner.invoke(args=["import-isso", str(path)]).exit_code == 0
    assert count(app) > 0


def test_an_interrupted_isso_import_keeps_whole_articles_and_a_rerun_completes_it(
    app, runner, tmp_path, monkeypatch
):
    path = isso_database(
        tmp_path / "i.db",
        {1: "/a/", 2: "/b/"},
        [
            {"tid": 1, "id": 1},
            {"tid": 1, "id": 2, "parent": 1},
            {"tid": 2, "id": 3},
            {"tid": 2, "id": 4, "parent": 3},
        ],
    )
    original = store.ArticleStore._comment

    def locked(self, article, source, parent):
        if source.source_id == "4":
            raise KeyboardInterrupt  # the operator pressed Ctrl-C half way through /b/
        return original(self, article, source, parent)

    monkeypatch.setattr(store.ArticleStore, "_comment", locked)
    runner.invoke(args=["import-isso", path])
    assert set(stored_by_source(app)) == {"1", "2"} and count(app, Article) == 1
    monkeypatch.setattr(store.ArticleStore, "_comment", original)
    assert runner.invoke(args=["import-isso", path]).exit_code == 0
    assert set(stored_by_source(app)) == {"1", "2", "3", "4"} and count(app, Article) == 2


@pytest.mark.parametrize("config_overrides", [{"LANGUAGE": "en"}])
def test_the_isso_summary_is_in_english_when_configured(app, runner):
    result = runner.invoke(args=["import-isso", str(ISSO_DB)])
    assert "which is not one of this service's sites" in result.output
    assert "dislikes on 2 comments (likes: 2, dislikes: 1)" in result.output


def comments_per_article(app) -> list[int]:
    with app.app_context():
        return list(
            db.session.execute(
                select(func.count()).select_from(Comment).group_by(Comment.article_id)
            ).scalars()
        )


def large_isso_database(path: Path, *, threads: int, per_thread: int, huge: int) -> str:
    """An Isso-shaped database of ``threads * per_thread`` comments, half of them replies;
    the first comment of the first ``huge`` threads holds a text of a million characters.
    Written from a generator, so that the test's own memory stays small too."""
    big = "Lång text åäö. " * 66_667

    def comments() -> Iterator[dict]:
        for tid in range(1, threads + 1):
            first = (tid - 1) * per_thread + 1
            for n in range(per_thread):
                cid = first + n
                text = big if n == 0 and tid <= huge else f"{cid} Kort."
                parent = first + n - 1 if n % 2 else None
                yield {"tid": tid, "id": cid, "parent": parent, "text": text}

    return isso_database(path, {t: f"/stor/{t}/" for t in range(1, threads + 1)}, comments())


MEASURED = """
import sys
from sqlalchemy import event
from sqlalchemy.orm import Session
from commentsvc.__main__ import main
commits = []
event.listen(Session, "after_commit", lambda session: commits.append(1))
sys.argv = ["commentsvc", "import-isso", sys.argv[1]]
try:
    main()
except SystemExit as end:
    assert not end.code, end.code
# VmHWM is this program's own peak; ru_maxrss would start from the test's (kept over exec).
with open("/proc/self/status") as status:
    peak = next(line.split()[1] for line in status if line.startswith("VmHWM"))
print(peak, len(commits))
"""


def measured_import(path: str, tmp_path: Path, database_url: str) -> tuple[int, int, str]:
    """The import command run as its own process: its peak memory (KiB), its commits, output."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("COMMENTSVC_")},
        "COMMENTSVC_SECRET_KEY": "s",
        "COMMENTSVC_TESTING": "true",
        "COMMENTSVC_DATABASE_URL": database_url,
        "COMMENTSVC_INSTANCE_PATH": str(tmp_path),
        "COMMENTSVC_ALLOWED_ORIGINS": '["https://www.example.se"]',
    }
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, path],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    peak, commits = done.stdout.split()[-2:]
    return int(peak), int(commits), done.stdout


@pytest.mark.slow
def test_a_50000_comment_isso_database_imports_in_flat_memory_one_commit_per_article(
    app, tmp_path, database_url
):
    """Read whole, the hundred big texts alone would take 100 MB (200 MB as Python strings);
    read thread by thread and cut in SQLite, a thread's worth of the first 5,000 characters."""
    small = large_isso_database(tmp_path / "liten.db", threads=1, per_thread=2, huge=0)
    large = large_isso_database(tmp_path / "stor.db", threads=2_500, per_thread=20, huge=100)
    peak, commits, output = measured_import(large, tmp_path, database_url)
    baseline, _commits, _output = measured_import(small, tmp_path, database_url)
    assert "Importerade kommentarer: 50000 (godkända 50000" in output
    assert commits == 2_500  # one transaction per article, and no other
    assert peak - baseline < 30 * 1024, (baseline, peak)  # KiB
    assert output.count("texten hade 1000005 tecken; de första 5000 behölls") == 100
    assert sorted(set(comments_per_article(app))) == [20]


def test_an_isso_import_draws_its_progress_bar_on_a_terminal_only(app, tmp_path, database_url):
    from .test_import_progress import _run_on

    shown = _run_on(tmp_path, database_url, ["import-isso", str(ISSO_DB)], terminal=True)
    assert "100%" in shown and "#" in shown
    piped = _run_on(tmp_path, database_url, ["import-isso", str(ISSO_DB)], terminal=False)
    assert "%" not in piped and "#" not in piped


@pytest.mark.parametrize(
    ("typed", "shown", "not_shown"),
    [
        ("Se **programmet**!", "Se <strong>programmet</strong>!", "**"),
        ("Det var *riktigt* bra", "Det var <em>riktigt</em> bra", "*riktigt*"),
        (
            "Läs [sidan](https://www.example.se/a_b_c) nu",
            'href="https://www.example.se/a_b_c"',
            "](",
        ),
        (
            "Skriv `<script>x</script>` så",
            "<code>&lt;script&gt;x&lt;/script&gt;</code>",
            "<script>",
        ),
        ("~~fel~~ rätt", "<del>fel</del> rätt", "~~"),
        ("> citat\nsvar", "<blockquote>", "&gt; citat"),
        # Near misses stay as typed: inside a word, a lone star, a link that is not the web.
        ("snake_case_namn och 2 * 3 * 4", "snake_case_namn och 2 * 3 * 4", "<em>"),
        ("[klicka](javascript:alert(1))", "[klicka](javascript:alert(1))", "<a"),
    ],
)
def test_isso_markdown_is_shown_as_isso_showed_it(
    app, runner, client, tmp_path, typed, shown, not_shown
):
    path = isso_database(tmp_path / "i.db", {1: "/md/"}, [{"tid": 1, "id": 1, "text": typed}])
    result = runner.invoke(args=["import-isso", path])
    assert result.exit_code == 0, result.output
    html = stored_by_source(app)["1"].html
    assert shown in html and not_shown not in html, html


def test_an_older_isso_database_without_the_later_columns_imports(app, runner, tmp_path):
    """Isso added ``notification`` (and later ``website`` checks) over the years; a database
    from before has no such column and still imports, each missing field at its default."""
    path = tmp_path / "gammal.db"
    with sqlite3.connect(path) as old:
        old.execute("CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR(256), title)")
        old.execute(
            "CREATE TABLE comments (tid, id INTEGER PRIMARY KEY, parent INTEGER, created FLOAT, "
            "mode INTEGER, text VARCHAR, author VARCHAR, email VARCHAR)"
        )
        old.execute("INSERT INTO threads VALUES (1, '/gammal/', 'Gammal')")
        old.execute("INSERT INTO comments VALUES (1, 1, NULL, 1300000000.0, 1, 'Hej', 'Bo', '')")
    result = runner.invoke(args=["import-isso", str(path)])
    assert result.exit_code == 0, result.output
    bo = stored_by_source(app)["1"]
    assert (bo.author, bo.website, bo.ip, bo.created_at.year) == ("Bo", "", "", 2011)
