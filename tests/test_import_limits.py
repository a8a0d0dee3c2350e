"""Imports take no more than the form does: web addresses by the same rule, each field within
the form's limit (what was cut or dropped is in the summary), no DTD, and flat memory on a
comment of any size."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.models.threads import Article

from .test_import_wordpress import comment, item, stored_by_source, wxr

PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture
def write(tmp_path):
    def write(text: str, name: str = "export.xml"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


def article_urls(app) -> dict[str, str]:
    with app.app_context():
        return dict(db.session.execute(select(Article.key, Article.url)).all())


@pytest.mark.parametrize(
    "website",
    ["http://[broken", "x]", "javascript:alert(1)", "data:text/html,x", "https://a.se/\x7fx"],
)
def test_a_bad_website_is_dropped_with_a_line_in_the_summary(app, runner, write, website):
    good = comment(2, url="https://lasare.example/")
    path = write(wxr(item(1, comment(1, url=website) + good)))
    result = runner.invoke(args=["import-wordpress", path])
    assert result.exit_code == 0, result.output
    stored = stored_by_source(app)
    assert stored["1"].website == ""
    assert stored["2"].website == "https://lasare.example/"
    assert "kommentar 1: webbplatsen" in result.output and "togs bort" in result.output


def test_a_bad_article_address_is_dropped_and_the_key_by_path_is_refused(app, runner, write):
    export = wxr(item(1, comment(1)) + item(2, comment(2)))
    export = export.replace(
        "https://kommun.example.se/nyheter/1/", "javascript:alert(document.cookie)"
    ).replace("https://kommun.example.se/nyheter/2/", "http://[broken")
    result = runner.invoke(args=["import-wordpress", write(export)])
    assert result.exit_code == 0, result.output
    assert article_urls(app) == {"nyhet-1": "", "nyhet-2": ""}
    assert result.output.count("adressen") == 2
    by_path = runner.invoke(args=["import-wordpress", "--key", "path", write(export, "2.xml")])
    assert by_path.exit_code == 0, by_path.output  # reported, never a crash


def test_each_field_is_capped_as_the_form_caps_it_and_the_summary_says_so(app, runner, write):
    long_text = "Lång text. " * 600  # 6,600 characters
    export = wxr(item(1, comment(1, text=long_text, email="a" * 120 + "@example.se")))
    export = export.replace("Läsare 1", "Namn" * 80).replace("Nyhet 1", "Rubrik " * 60)
    result = runner.invoke(args=["import-wordpress", write(export)])
    assert result.exit_code == 0, result.output
    c = stored_by_source(app)["1"]
    assert c.text == long_text[:5000]
    assert len(c.author) == 245 and c.email == ""
    assert "texten hade 6600 tecken; de första 5000 behölls" in result.output
    assert "namnet hade 320 tecken; de första 245 behölls" in result.output
    assert "e-postadressen var längre än formuläret tillåter" in result.output
    assert "titeln hade" in result.output


def peak_import_rss_kib(
    path: str,
    tmp_path: Path,
    database_url: str,
    command: str = "import-wordpress",
    extra_env: dict[str, str] | None = None,
) -> int:
    """The import command's peak resident memory, run as its own process."""
    # VmHWM is this program's own peak; ru_maxrss would start from pytest's, which Linux keeps
    # over the fork and exec, so an import smaller than the test process could not fail.
    script = (
        "import sys\n"
        "from commentsvc.__main__ import main\n"
        "sys.argv = ['commentsvc', sys.argv[2], sys.argv[1]]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as end:\n"
        "    assert not end.code, end.code\n"
        "with open('/proc/self/status') as status:\n"
        "    print(next(line.split()[1] for line in status if line.startswith('VmHWM')))\n"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("COMMENTSVC_")},
        "COMMENTSVC_SECRET_KEY": "s",
        "COMMENTSVC_TESTING": "true",
        "COMMENTSVC_DATABASE_URL": database_url,
        "COMMENTSVC_INSTANCE_PATH": str(tmp_path),
        **(extra_env or {}),
    }
    done = subprocess.run(
        [sys.executable, "-c", script, path, command],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return int(done.stdout.split()[-1])


@pytest.mark.slow
def test_a_50_mb_comment_is_imported_cut_with_flat_memory(app, write, tmp_path, database_url):
    """Before, a 50 MB comment was read, sanitized and stored whole (1.9 GB at the peak)."""
    big = tmp_path / "big.xml"
    head, tail = wxr(item(1, comment(1, text="@@TEXT@@"))).split("@@TEXT@@")
    with open(big, "w", encoding="utf-8") as out:
        out.write(head)
        block = "Lång text <b>åäö</b> " * 2500
        for _ in range(50 * 1024 * 1024 // len(block.encode())):
            out.write(block)
        out.write(tail)
    small = write(wxr(item(2, comment(2, text="Kort."))), "small.xml")
    baseline = peak_import_rss_kib(small, tmp_path, database_url)
    peak = peak_import_rss_kib(str(big), tmp_path, database_url)
    assert peak - baseline < 40 * 1024, (baseline, peak)  # KiB: the file is 50 MiB
    assert len(stored_by_source(app)["1"].text) == 5000


def disqus(*posts: str, link: str = "https://www.example.se/a/1") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n'
        f'<thread dsq:id="1"><id>t1</id><link>{link}</link><title>Tråd</title>'
        "<createdAt>2011-03-07T20:46:25Z</createdAt><isClosed>false</isClosed>"
        "<isDeleted>false</isDeleted></thread>\n" + "\n".join(posts) + "\n</disqus>"
    )


def disqus_post(pid: int, text: str) -> str:
    return (
        f'<post dsq:id="{pid}"><id/><message><![CDATA[{text}]]></message>'
        "<createdAt>2011-03-07T21:00:00Z</createdAt><isDeleted>false</isDeleted>"
        "<isSpam>false</isSpam><author><email>a@example.se</email><name>A</name>"
        '<isAnonymous>false</isAnonymous></author><thread dsq:id="1"/></post>'
    )


def test_disqus_posts_are_capped_and_a_huge_one_is_skipped_unread(app, runner, write):
    export = disqus(
        disqus_post(1, "Lagom."),
        disqus_post(2, "Lång." * 1200),
        disqus_post(3, "x" * 2_000_000),
        disqus_post(4, "Efter den stora."),
    )
    result = runner.invoke(args=["import-disqus", write(export)])
    assert result.exit_code == 0, result.output
    stored = stored_by_source(app)
    assert set(stored) == {"1", "2", "4"}
    assert len(stored["2"].text) == 5000
    assert "texten hade 6000 tecken; de första 5000 behölls" in result.output
    assert "post på rad 6: större än 1000000 tecken" in result.output


@pytest.mark.parametrize("link", ["javascript:alert(1)", "http://[broken"])
def test_disqus_bad_thread_links_are_dropped_never_a_crash(app, runner, write, link):
    export = disqus(disqus_post(1, "Hej."), link=link)
    by_link = runner.invoke(args=["import-disqus", "--key", "identifier", write(export)])
    assert by_link.exit_code == 0, by_link.output
    assert article_urls(app) == {"t1": ""}
    assert "adressen" in by_link.output
    by_path = runner.invoke(args=["import-disqus", write(export, "2.xml")])
    assert by_path.exit_code == 0, by_path.output


@pytest.mark.slow
def test_a_50_mb_disqus_post_is_skipped_with_flat_memory(app, write, tmp_path, database_url):
    big = tmp_path / "big-disqus.xml"
    head, tail = disqus(disqus_post(1, "@@TEXT@@"), disqus_post(2, "Efter.")).split("@@TEXT@@")
    with open(big, "w", encoding="utf-8") as out:
        out.write(head)
        block = "Lång text <b>åäö</b> " * 2500
        for _ in range(50 * 1024 * 1024 // len(block.encode())):
            out.write(block)
        out.write(tail)
    small = write(disqus(disqus_post(3, "Kort.")), "small-disqus.xml")
    baseline = peak_import_rss_kib(small, tmp_path, database_url, "import-disqus")
    peak = peak_import_rss_kib(str(big), tmp_path, database_url, "import-disqus")
    assert peak - baseline < 40 * 1024, (baseline, peak)
    assert set(stored_by_source(app)) == {"2", "3"}
