"""Remark42 import: a backup (JSON lines, gzipped or not) becomes threads on the site's own
pages; deleted comments keep answered places; nobody gets an address or a mail."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.models.mail import OutboxMail, Subscription
from commentsvc.models.threads import Article, CommentStatus, ImportMapping

from .test_import_limits import peak_import_rss_kib
from .test_import_wordpress import count, stored_by_source

DATA = Path(__file__).parent / "data" / "remark42"
PLAIN = DATA / "backup-kommun-20260601.jsonl"
ZIPPED = DATA / "backup-kommun-20260601.gz"
BADET, VALET = "/nyheter/badet/", "/nyheter/val/?utskrift=1"
IMPORTED = {
    "efbc17f177ee1a1c0ee6e1e025749966ec071adc",
    "f863bd79-fec6-4a75-b308-61fe5dd02aa1",
    "0a1",
    "0a2",
    "0a4",
    "v1",
}


def articles(app) -> dict[str, Article]:
    with app.app_context():
        found = {a.key: a for a in db.session.execute(select(Article)).scalars()}
        for a in found.values():
            db.session.expunge(a)
        return found


def meta(**extra) -> str:
    return json.dumps({"version": 1, "users": [], "posts": [], **extra}) + "\n"


def line(cid: str, url: str, *, pid: str = "", text: str = "<p>Hej</p>", **extra) -> str:
    record = {
        "id": cid,
        "pid": pid,
        "text": text,
        "user": {"name": f"Läsare {cid}", "id": f"u{cid}", "picture": "", "admin": False},
        "locator": {"site": "kommun", "url": url},
        "score": 0,
        "time": "2026-06-01T08:00:00Z",
        **extra,
    }
    return json.dumps(record, ensure_ascii=False) + "\n"


@pytest.fixture
def write(tmp_path):
    def write(text: str, name: str = "backup.jsonl") -> str:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


@pytest.mark.parametrize("path", [PLAIN, ZIPPED], ids=["plain", "gzipped"])
def test_a_backup_becomes_threads_on_the_sites_own_pages(app, runner, path):
    result = runner.invoke(args=["import-remark42", str(path)])
    assert result.exit_code == 0, result.output
    c = stored_by_source(app)
    assert set(c) == IMPORTED
    anna, bengt = (
        c["efbc17f177ee1a1c0ee6e1e025749966ec071adc"],
        c["f863bd79-fec6-4a75-b308-61fe5dd02aa1"],
    )
    assert bengt.parent_id == anna.id and c["0a4"].parent_id == bengt.id
    assert [anna.depth, bengt.depth, c["0a4"].depth] == [1, 2, 3]
    assert anna.author == "Anna" and anna.status == CommentStatus.APPROVED
    assert anna.created_at == datetime(2026, 6, 1, 6, tzinfo=UTC)  # +02:00 read as such
    assert bengt.created_at == datetime(2026, 6, 1, 9, 30, 0, 123456, tzinfo=UTC)  # nanoseconds
    assert 'href="https://www.example.se/bad"' in anna.html
    assert "script" not in bengt.html and "alert" not in bengt.html.replace("alert(1)", "")
    # No addresses in Remark42: none stored, and its "ip" (a keyed hash) is not an address.
    assert {x.email for x in c.values()} == {""} and {x.ip for x in c.values()} == {""}
    found = articles(app)
    assert set(found) == {BADET, VALET}
    assert found[BADET].url == "https://www.example.se/nyheter/badet/"
    assert found[BADET].title == "Badet öppnar" and found[BADET].closed  # read_only in meta
    assert found[VALET].title == "Valet 2026" and not found[VALET].closed


def test_deleted_comments_keep_an_answered_place_and_the_rest_is_reported(app, runner):
    result = runner.invoke(args=["import-remark42", str(PLAIN)])
    assert result.exit_code == 0, result.output
    c = stored_by_source(app)
    placeholder = c["0a1"]
    assert (placeholder.text, placeholder.author, placeholder.email, placeholder.avatar) == (
        "",
        "Anonym",
        "",
        "",
    )
    assert c["0a2"].parent_id == placeholder.id and c["0a2"].html == "<p>Svar till en borttagen</p>"
    assert "0a3" not in c  # deleted, never answered
    assert "kommentar 0a3: raderad i Remark42" in result.output
    assert "kommentar 0a1: raderad i Remark42 men besvarad" in result.output
    assert "fäst" in result.output  # the pin is named, not silently dropped


def test_pages_on_other_hosts_are_skipped_with_the_reason(app, runner):
    result = runner.invoke(args=["import-remark42", str(PLAIN)])
    assert result.exit_code == 0, result.output
    assert "x1" not in stored_by_source(app) and "x2" not in stored_by_source(app)
    assert "www.example.se.evil.example" in result.output and "--host" in result.output
    assert "sida https://example.se/nyheter/badet/" in result.output
    # Named as an old address of the site, its pages are taken.
    again = runner.invoke(args=["import-remark42", str(PLAIN), "--host", "example.se"])
    assert again.exit_code == 0, again.output
    assert "x2" in stored_by_source(app) and "x1" not in stored_by_source(app)
    assert articles(app)[BADET].url == "https://www.example.se/nyheter/badet/"


def test_a_second_run_adds_nothing(app, runner):
    first = runner.invoke(args=["import-remark42", str(ZIPPED)])
    assert first.exit_code == 0, first.output
    again = runner.invoke(args=["import-remark42", str(PLAIN)])
    assert again.exit_code == 0, again.output
    assert count(app) == len(IMPORTED)
    assert "Importerade redan tidigare: 6." in again.output


def test_a_dry_run_reports_what_would_be_imported_and_writes_nothing(app, runner):
    result = runner.invoke(args=["import-remark42", "--dry-run", str(PLAIN)])
    assert result.exit_code == 0, result.output
    assert "Importerade kommentarer: 6" in result.output
    assert "0a3" in result.output and "Torrkörning: ingenting skrevs." in result.output
    assert count(app) == 0 and count(app, Article) == 0 and count(app, ImportMapping) == 0
    real = runner.invoke(args=["import-remark42", str(PLAIN)])
    assert real.exit_code == 0 and count(app) == len(IMPORTED)


def test_nobody_is_subscribed_or_mailed(app, runner):
    result = runner.invoke(args=["import-remark42", str(PLAIN)])
    assert result.exit_code == 0, result.output
    assert count(app, OutboxMail) == 0 and count(app, Subscription) == 0


def test_broken_lines_are_reported_and_the_rest_imported(app, runner, write):
    url = "https://www.example.se/a/"
    text = (
        meta()
        + line("1", url)
        + '{"id": "2", "pid": "1", "text": \n'
        + "[1, 2]\n"
        + "[" * 100_000
        + "\n"
        + line("3", url, pid="1")
        + json.dumps({"pid": "1", "locator": {"url": url}})
        + "\n"
    )
    result = runner.invoke(args=["import-remark42", write(text)])
    assert result.exit_code == 0, result.output
    assert set(stored_by_source(app)) == {"1", "3"}
    for number in (3, 4, 5, 7):
        assert f"rad {number}:" in result.output, number


def test_an_overlong_line_is_skipped_unread(app, runner, write):
    url = "https://www.example.se/a/"
    huge = line("2", url, text="x" * 1_200_000)
    result = runner.invoke(args=["import-remark42", write(meta() + line("1", url) + huge)])
    assert result.exit_code == 0, result.output
    assert set(stored_by_source(app)) == {"1"} and "rad 3:" in result.output


def test_long_fields_are_cut_to_the_forms_limits_and_reported(app, runner, write):
    url = "https://www.example.se/a/"
    result = runner.invoke(
        args=["import-remark42", write(meta() + line("1", url, text="å" * 6000))]
    )
    assert result.exit_code == 0, result.output
    assert len(stored_by_source(app)["1"].text) == 5000
    assert "texten hade 6000 tecken; de första 5000 behölls" in result.output


@pytest.mark.parametrize(
    "first",
    [
        "not json\n",
        '{"version": 2, "users": [], "posts": []}\n',
        line("1", "https://www.example.se/a/"),  # no meta record: not a backup
    ],
)
def test_a_file_that_is_not_a_remark42_backup_is_refused(app, runner, write, first):
    result = runner.invoke(args=["import-remark42", write(first + line("2", "https://x/"))])
    assert result.exit_code != 0
    assert "Remark42" in result.output and count(app) == 0


def test_a_truncated_gzip_is_refused_after_the_articles_before_it(app, runner, tmp_path):
    data = gzip.compress(PLAIN.read_bytes())
    path = tmp_path / "cut.gz"
    path.write_bytes(data[: len(data) // 2])
    result = runner.invoke(args=["import-remark42", str(path)])
    assert result.exit_code != 0 and "komplett" in result.output


COMMAND = "import-remark42"


def big_backup(path: Path, posts: int, per_post: int, text: str) -> None:
    """A backup of ``posts`` pages of ``per_post`` comments each, all on the allowed host but
    the first page's comments on another host (read, grouped, skipped)."""
    with open(path, "w", encoding="utf-8") as out:
        out.write(meta())
        for p in range(posts):
            host = "www.example.se" if p % 50 == 0 else "annan.example"
            for n in range(per_post):
                pid = f"p{p}c{n - 1}" if n else ""
                out.write(line(f"p{p}c{n}", f"https://{host}/sida/{p}/", pid=pid, text=text))


@pytest.mark.slow
def test_a_large_backup_is_streamed_with_flat_memory(app, tmp_path, database_url):
    """Memory follows the largest post, not the file: 40 MB of backup cost no more than 1 MB."""
    small, large = tmp_path / "small.jsonl", tmp_path / "large.jsonl"
    text = "<p>" + "Lång text om badet, åäö. " * 150 + "</p>"  # about 4,000 characters
    big_backup(small, posts=50, per_post=5, text=text)
    big_backup(large, posts=2000, per_post=5, text=text)
    assert large.stat().st_size > 40 * 1024 * 1024
    origins = {"COMMENTSVC_ALLOWED_ORIGINS": '["https://www.example.se"]'}
    baseline = peak_import_rss_kib(str(small), tmp_path, database_url, COMMAND, origins)
    peak = peak_import_rss_kib(str(large), tmp_path, database_url, COMMAND, origins)
    print(f"peak RSS: {baseline} KiB for a small backup, {peak} KiB for 40 MB")
    assert peak - baseline < 12 * 1024, (baseline, peak)
    # Pages 0, 50, 100, …: 40 pages of 5 (the small file's one page is the large file's first).
    assert len(stored_by_source(app)) == 40 * 5


def test_a_terminal_gets_a_progress_bar_and_a_pipe_does_not(app, runner, tmp_path, database_url):
    import os
    import pty
    import subprocess
    import sys

    piped = runner.invoke(args=["import-remark42", str(PLAIN)])
    assert piped.exit_code == 0 and "%" not in piped.output
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("COMMENTSVC_")},
        "COMMENTSVC_SECRET_KEY": "s",
        "COMMENTSVC_TESTING": "true",
        "COMMENTSVC_DATABASE_URL": database_url,
        "COMMENTSVC_INSTANCE_PATH": str(tmp_path),
        "COMMENTSVC_ALLOWED_ORIGINS": '["https://www.example.se"]',
        "COMMENTSVC_LANGUAGE": "en",
    }
    leader, follower = pty.openpty()
    done = subprocess.run(
        [sys.executable, "-m", "commentsvc", "import-remark42", "--dry-run", str(PLAIN)],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        timeout=120,
        check=False,
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    text = seen.decode()
    assert done.returncode == 0, text
    assert "Importing" in text and "100%" in text and "Dry run: nothing was written." in text


def test_a_title_is_one_plain_line_as_the_forms_make_it(app, runner, write):
    url = "https://www.example.se/a/"
    text = meta() + line("1", url, title="Badet\nöppnar\x07 &amp; stänger")
    result = runner.invoke(args=["import-remark42", write(text)])
    assert result.exit_code == 0, result.output
    assert articles(app)["/a/"].title == "Badet öppnar & stänger"
