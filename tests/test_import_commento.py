"""Commento and Comentario import: both export shapes become threads in their shape; the
commenters' addresses are kept (never shown) and nobody is subscribed or mailed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.models.mail import OutboxMail, Subscriber, Subscription
from commentsvc.models.threads import Article, CommentStatus, ImportMapping

from .test_import_wordpress import count, stored_by_source

DATA = Path(__file__).parent / "data" / "commento"
COMMENTO = DATA / "commento-export.json"
COMENTARIO = DATA / "comentario-v3-export.json"
TOP = "e7069a7dfcfaed43caf62300a9b0edb1c124ad79d0f5887c93649c15d7f69945"
TWO = "7d77e39fcd813241d6281478cc8f21ab5f807d043c750bc1a936bc23b34fb854"
THREE = "ea5f7bcd6ac9bb7b657f7d0569831104e1bcf9c253d03c1e16bf9654c49a5ce9"


def hexid(n: int) -> str:
    return format(n, "064x")


def uuid(n: int) -> str:
    return f"c0ffee00-0000-4000-8000-{n:012d}"


def articles(app) -> dict[str, Article]:
    with app.app_context():
        found = {a.key: a for a in db.session.execute(select(Article)).scalars()}
        for a in found.values():
            db.session.expunge(a)
        return found


@pytest.mark.parametrize("path", [COMMENTO, COMMENTO.with_suffix(".json.gz")], ids=["json", "gz"])
def test_a_commento_export_keeps_threads_states_and_addresses(app, runner, path):
    result = runner.invoke(args=["import-commento", str(path)])
    assert result.exit_code == 0, result.output
    c = stored_by_source(app)
    assert set(c) == {TOP, TWO, THREE, hexid(4), hexid(5), hexid(7), hexid(8), hexid(9)}
    assert c[THREE].parent_id == c[TWO].id and c[THREE].depth == 2
    assert c[TOP].author == "Anonym" and c[TOP].email == ""
    anna = c[TWO]
    assert (anna.author, anna.email, anna.website) == (
        "Anna Berg",
        "anna.berg@example.se",
        "https://anna.example.se/",
    )
    assert anna.created_at == datetime(2021, 3, 17, 12, 9, 47, 722181, tzinfo=UTC)
    assert c[THREE].website == ""  # Bengt's "javascript:" link is dropped, and reported
    assert (c[hexid(7)].status, c[hexid(8)].status) == (CommentStatus.PENDING, CommentStatus.SPAM)
    assert "script" not in c[hexid(9)].html and "Hej" in c[hexid(9)].html
    found = articles(app)
    assert set(found) == {"/nyheter/badet/", "/nyheter/val/"}
    assert found["/nyheter/badet/"].url == "https://www.example.se/nyheter/badet/"
    assert "webbplatsen 'javascript:alert(1)' togs bort" in result.output


def test_commento_deleted_comments_keep_an_answered_place(app, runner):
    result = runner.invoke(args=["import-commento", str(COMMENTO)])
    assert result.exit_code == 0, result.output
    c = stored_by_source(app)
    placeholder = c[hexid(4)]
    assert (placeholder.text, placeholder.author, placeholder.status) == (
        "",
        "Anonym",
        CommentStatus.APPROVED,
    )
    assert c[hexid(5)].parent_id == placeholder.id
    assert hexid(6) not in c
    assert f"kommentar {hexid(6)}: raderad i Commento, och ingen hade svarat" in result.output


def test_commento_pages_on_other_hosts_are_skipped_with_the_reason(app, runner):
    result = runner.invoke(args=["import-commento", str(COMMENTO)])
    assert result.exit_code == 0, result.output
    # The comment on example.se (a near miss of www.example.se) is named with the reason.
    assert hexid(10) not in stored_by_source(app)
    assert "example.se, som inte är en av tjänstens webbplatser" in result.output
    again = runner.invoke(args=["import-commento", str(COMMENTO), "--host", "example.se"])
    assert again.exit_code == 0, again.output
    assert hexid(10) in stored_by_source(app)


def test_commenters_are_neither_subscribed_nor_mailed_and_addresses_stay_out_of_the_output(
    app, runner, client
):
    result = runner.invoke(args=["import-commento", str(COMMENTO)])
    assert result.exit_code == 0, result.output
    assert "example.se/" not in result.output.replace("https://example.se/", "")
    assert "anna.berg@" not in result.output and "bengt@" not in result.output
    assert count(app, OutboxMail) == 0 and count(app, Subscription) == 0
    assert count(app, Subscriber) == 0
    page = client.get("/thread", query_string={"article": "/nyheter/badet/"})
    html = page.get_data(as_text=True)
    assert "Anna Berg" in html and "anna.berg@example.se" not in html


def test_a_comentario_v3_export_keeps_pages_states_and_addresses(app, runner):
    result = runner.invoke(args=["import-commento", str(COMENTARIO.with_suffix(".json.gz"))])
    assert result.exit_code == 0, result.output
    c = stored_by_source(app)
    assert set(c) == {uuid(1), uuid(2), uuid(3), uuid(4), uuid(5), uuid(6)}
    assert c[uuid(1)].html == "<p>Äntligen <strong>sommar</strong>!</p>"
    assert (c[uuid(1)].author, c[uuid(1)].email) == ("Anna Berg", "anna.berg@example.se")
    assert c[uuid(2)].parent_id == c[uuid(1)].id
    assert (c[uuid(2)].author, c[uuid(2)].email) == ("Gäst Gunnar", "")  # anonymous, named
    assert c[uuid(3)].text == "" and c[uuid(4)].parent_id == c[uuid(3)].id
    assert c[uuid(5)].status == CommentStatus.PENDING
    assert c[uuid(6)].status == CommentStatus.TRASH  # rejected in Comentario
    found = articles(app)
    assert set(found) == {"/nyheter/badet/", "/nyheter/val/"}
    assert found["/nyheter/badet/"].title == "Badet öppnar" and found["/nyheter/badet/"].closed
    assert not found["/nyheter/val/"].closed
    assert f"kommentar {uuid(7)}: raderad i Comentario" in result.output
    assert "1 kommentar importerades inte: dess sida finns inte i filen" in result.output
    assert "fäst överst i Comentario" in result.output


@pytest.mark.parametrize("path", [COMMENTO, COMENTARIO])
def test_a_second_run_adds_nothing_and_a_dry_run_writes_nothing(app, runner, path):
    dry = runner.invoke(args=["import-commento", "--dry-run", str(path)])
    assert dry.exit_code == 0, dry.output
    assert "Torrkörning: ingenting skrevs." in dry.output
    assert count(app) == 0 and count(app, Article) == 0 and count(app, ImportMapping) == 0
    first = runner.invoke(args=["import-commento", str(path)])
    assert first.exit_code == 0, first.output
    stored = count(app)

    # The dry run said what the real run did.
    def articles(output: str) -> list[str]:
        return [line for line in output.splitlines() if line.startswith("Artiklar:")]

    assert articles(dry.output) == articles(first.output) == ["Artiklar: 2 nya, 0 fanns redan."]
    again = runner.invoke(args=["import-commento", str(path)])
    assert again.exit_code == 0, again.output
    assert count(app) == stored and f"Importerade redan tidigare: {stored}." in again.output


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        json.dumps({"version": 2, "comments": []}),
        json.dumps({"version": 1, "comments": {}}),
        json.dumps([1, 2]),
        "[" * 100_000,
    ],
)
def test_a_file_that_is_not_such_an_export_is_refused(app, runner, tmp_path, content):
    path = tmp_path / "x.json"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(args=["import-commento", str(path)])
    assert result.exit_code != 0 and "Commento" in result.output
    assert count(app) == 0


def test_odd_records_are_reported_and_the_rest_imported(app, runner, tmp_path):
    good = {
        "commentHex": "1",
        "domain": "www.example.se",
        "url": "/a/",
        "commenterHex": "anonymous",
        "markdown": "Hej",
        "parentHex": "root",
        "state": "approved",
        "creationDate": "2021-01-01T00:00:00Z",
    }
    comments = [
        good,
        "a string",
        {**good, "commentHex": ""},
        {**good, "commentHex": "2", "state": "odd", "commenterHex": "ghost"},
        {**good, "commentHex": "3", "markdown": "å" * 6000, "creationDate": "igår"},
    ]
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"version": 1, "comments": comments, "commenters": []}))
    result = runner.invoke(args=["import-commento", str(path)])
    assert result.exit_code == 0, result.output
    c = stored_by_source(app)
    assert set(c) == {"1", "2", "3"}
    assert c["2"].status == CommentStatus.PENDING and "'odd'" in result.output
    assert "kommentaren den svarar på" not in result.output
    assert len(c["3"].text) == 5000 and "de första 5000 behölls" in result.output
    assert "Hoppade över: 2." in result.output


def big_export(path: Path, pages: int, per_page: int, text: str) -> None:
    """A Commento export of ``pages`` pages of ``per_page`` comments each, every 50th page on
    the allowed host and the rest on another (read, put aside, skipped); commenters last."""
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"version":1,"comments":[')
        for p in range(pages):
            host = "www.example.se" if p % 50 == 0 else "annan.example"
            for n in range(per_page):
                record = {
                    "commentHex": f"p{p}c{n}",
                    "domain": host,
                    "url": f"/sida/{p}/",
                    "commenterHex": "c1",
                    "markdown": text,
                    "html": "",
                    "parentHex": f"p{p}c{n - 1}" if n else "root",
                    "score": 0,
                    "state": "approved",
                    "creationDate": "2021-03-12T11:21:56Z",
                }
                out.write(("," if p or n else "") + json.dumps(record, ensure_ascii=False))
        out.write('],"commenters":[{"commenterHex":"c1","email":"a@example.se","name":"A"}]}')


@pytest.mark.slow
def test_a_large_export_is_streamed_with_flat_memory(app, tmp_path, database_url):
    """Before, the whole document was parsed at once: memory grew with the file."""
    from .test_import_limits import peak_import_rss_kib

    small, large = tmp_path / "small.json", tmp_path / "large.json"
    text = "Lång text om badet, åäö. " * 160  # about 4,000 characters
    big_export(small, pages=50, per_page=5, text=text)
    big_export(large, pages=2000, per_page=5, text=text)
    assert large.stat().st_size > 40 * 1024 * 1024
    origins = {"COMMENTSVC_ALLOWED_ORIGINS": '["https://www.example.se"]'}
    command = "import-commento"
    baseline = peak_import_rss_kib(str(small), tmp_path, database_url, command, origins)
    peak = peak_import_rss_kib(str(large), tmp_path, database_url, command, origins)
    print(f"peak RSS: {baseline} KiB for a small export, {peak} KiB for 40 MB")
    assert peak - baseline < 12 * 1024, (baseline, peak)
    stored = stored_by_source(app)
    assert len(stored) == 40 * 5 and stored["p50c4"].author == "A"


def test_member_order_split_numbers_and_empty_arrays_are_read(app, runner, tmp_path):
    """The reader takes members in any order (commenters first, version last), a value split
    across blocks, and empty arrays."""
    comment = {
        "commentHex": "1",
        "domain": "www.example.se",
        "url": "/a/",
        "commenterHex": "c1",
        "markdown": "Hej " * 20_000,  # longer than one 64 KiB block
        "parentHex": "root",
        "state": "approved",
        "creationDate": "2021-01-01T00:00:00Z",
        "score": 12345678901234567890,
    }
    document = (
        '{"pages":[],"commenters":[{"commenterHex":"c1","name":"Först","email":"f@example.se"}],'
        f'"comments":[{json.dumps(comment)}],"extra":{{"a":[1,2]}},"version":1}}'
    )
    path = tmp_path / "x.json"
    path.write_text(" " * 65530 + document)
    result = runner.invoke(args=["import-commento", str(path)])
    assert result.exit_code == 0, result.output
    assert stored_by_source(app)["1"].author == "Först"


@pytest.mark.parametrize(
    "content",
    [
        '{"version":1,"comments":[{"commentHex":"1"} {"commentHex":"2"}]}',
        '{"version":1,"comments":[]} trailing',
        '{"version":1,"comments":[{"commentHex":"1","markdown":"' + "x" * 1_100_000 + '"}]}',
        '{"version":1,"comments":[{"commentHex":"1"}',
    ],
    ids=["no comma", "text after", "huge item", "truncated"],
)
def test_a_broken_document_is_refused_and_nothing_imported(app, runner, tmp_path, content):
    path = tmp_path / "x.json"
    path.write_text(content)
    result = runner.invoke(args=["import-commento", str(path)])
    assert result.exit_code != 0 and "inte JSON" in result.output
    assert count(app) == 0


def test_an_imported_commenter_is_found_by_a_personal_data_request(app, runner):
    result = runner.invoke(args=["import-commento", str(COMMENTO)])
    assert result.exit_code == 0, result.output
    export = runner.invoke(args=["privacy-export", "Anna.Berg@example.se"])
    assert export.exit_code == 0, export.output
    assert "Håller med, se https://www.example.se/bad" in export.output
    assert "Väntar på granskning" in export.output  # her pending one too
    assert "Bra svar!" not in export.output  # Bengt's
    erase = runner.invoke(args=["privacy-erase", "anna.berg@example.se"])
    assert erase.exit_code == 0, erase.output
    assert {c.email for c in stored_by_source(app).values()} == {"", "bengt@example.se"}


def test_an_export_without_comments_imports_nothing_and_says_so(app, runner, tmp_path):
    path = tmp_path / "empty.json"
    path.write_text('{"version":1,"comments":[],"commenters":[]}')
    result = runner.invoke(args=["import-commento", str(path)])
    assert result.exit_code == 0, result.output
    assert "Importerade kommentarer: 0" in result.output and count(app) == 0


def test_comentarios_first_export_shape_is_read_too(app, runner, tmp_path):
    """Comentario before v3 wrote version 1 with ``host``, ``path`` and a full ``url``, and
    commenters with ``websiteUrl`` (CommentV1/CommenterV1 in its impex_comentario.go)."""
    user = "ab" * 32
    comment = {
        "commentHex": "cd" * 32,
        "commenterHex": user,
        "creationDate": "2023-05-01T10:00:00Z",
        "deleted": False,
        "direction": 0,
        "host": "www.example.se",
        "html": "<p>Hej från Comentario</p>",
        "markdown": "Hej från Comentario",
        "parentHex": "root",
        "path": "/nyheter/badet/",
        "url": "https://www.example.se/nyheter/badet/",
        "score": 0,
        "state": "approved",
    }
    commenter = {
        "avatarUrl": "",
        "commenterHex": user,
        "email": "cia@example.se",
        "isModerator": False,
        "joinDate": "2023-01-01T00:00:00Z",
        "name": "Cia",
        "provider": "",
        "websiteUrl": "https://cia.example.se/",
    }
    path = tmp_path / "comentario-v1.json"
    path.write_text(json.dumps({"version": 1, "comments": [comment], "commenters": [commenter]}))
    result = runner.invoke(args=["import-commento", str(path)])
    assert result.exit_code == 0, result.output
    stored = stored_by_source(app)["cd" * 32]
    assert (stored.author, stored.email, stored.website) == (
        "Cia",
        "cia@example.se",
        "https://cia.example.se/",
    )
    assert stored.html == "<p>Hej från Comentario</p>"
    assert articles(app)["/nyheter/badet/"].url == "https://www.example.se/nyheter/badet/"
