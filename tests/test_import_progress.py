"""What every import command does besides importing: ``--dry-run`` writes nothing and reports
what a real run would do, and a progress bar is drawn on a terminal and nowhere else."""

from __future__ import annotations

import os
import pty
import select as select_fd
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from commentsvc.extensions import db
from commentsvc.models.threads import Article, Comment, ImportMapping

from .conftest import TESTDATA

DATA = Path(__file__).resolve().parent / "data"
THEME = TESTDATA / "themeunittestdata.wordpress.xml"

WXR = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Kommunen</title><link>https://kommun.example.se</link>
<wp:base_site_url>https://kommun.example.se</wp:base_site_url>
<item><title>Nyhet 1</title><link>https://kommun.example.se/nyheter/nyhet-1/</link>
<wp:post_id>1</wp:post_id><wp:post_name>nyhet-1</wp:post_name><wp:status>publish</wp:status>
<wp:comment><wp:comment_id>10</wp:comment_id><wp:comment_author>Anna</wp:comment_author>
<wp:comment_date_gmt>2024-03-01 09:00:00</wp:comment_date_gmt>
<wp:comment_content>Första</wp:comment_content><wp:comment_approved>1</wp:comment_approved>
<wp:comment_parent>0</wp:comment_parent></wp:comment>
<wp:comment><wp:comment_id>11</wp:comment_id><wp:comment_author>Bo</wp:comment_author>
<wp:comment_date_gmt>2024-03-01 10:00:00</wp:comment_date_gmt>
<wp:comment_content>Svar</wp:comment_content><wp:comment_approved>0</wp:comment_approved>
<wp:comment_parent>10</wp:comment_parent></wp:comment>
</item></channel></rss>"""


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(
            db.session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Article, Comment, ImportMapping)
        )


@pytest.fixture
def wxr_file(tmp_path) -> str:
    path = tmp_path / "export.xml"
    path.write_text(WXR, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("command", ["import-wordpress", "import-disqus"])
def test_a_dry_run_writes_nothing_and_reports_what_a_real_run_does(app, runner, wxr_file, command):
    path = wxr_file if command == "import-wordpress" else str(DATA / "disqus-replies.xml")
    dry = runner.invoke(args=[command, "--dry-run", path])
    assert dry.exit_code == 0, dry.output
    assert counts(app) == (0, 0, 0)
    real = runner.invoke(args=[command, path])
    assert real.exit_code == 0, real.output
    _articles, comments, _mappings = counts(app)
    assert comments > 0
    # The dry run's summary is the real one, with one line before it saying nothing was written.
    assert dry.stdout.splitlines()[0].startswith("Torrkörning")
    assert "Torrkörning" not in real.output
    assert dry.stdout.splitlines()[1:] == real.stdout.splitlines()


def test_a_dry_run_after_an_import_says_everything_is_already_there(app, runner, wxr_file):
    runner.invoke(args=["import-wordpress", wxr_file])
    before = counts(app)
    dry = runner.invoke(args=["import-wordpress", "--dry-run", wxr_file])
    assert counts(app) == before
    assert "Importerade redan tidigare: 2." in dry.output
    assert "Importerade kommentarer: 0" in dry.output


def _run_on(tmp_path, database_url, args, *, terminal: bool) -> str:
    """The console script run for real, its standard output a terminal (a pty) or a pipe."""
    env = {
        **os.environ,
        "COMMENTSVC_SECRET_KEY": "s",
        "COMMENTSVC_INSTANCE_PATH": str(tmp_path),
        "COMMENTSVC_DATABASE_URL": database_url,
        "COMMENTSVC_PUBLIC_URL": "https://k.example.se",
        "COMMENTSVC_MAIL_FROM": "k@example.se",
        "COMMENTSVC_DSA_CONTACT": "k@example.se",
        "COLUMNS": "100",
    }
    script = [str(Path(sys.executable).parent / "commentsvc"), *args]
    if not terminal:
        done = subprocess.run(script, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout
    main, side = pty.openpty()
    process = subprocess.Popen(script, env=env, stdout=side, stderr=side)
    os.close(side)
    output = b""
    while True:
        ready, _, _ = select_fd.select([main], [], [], 120)
        if not ready:
            break
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        output += chunk
    os.close(main)
    assert process.wait(timeout=120) == 0, output.decode("utf-8", "replace")
    return output.decode("utf-8", "replace")


def test_a_progress_bar_is_drawn_on_a_terminal_and_not_in_a_pipe(app, tmp_path, database_url):
    path = tmp_path / "export.xml"
    path.write_text(WXR, encoding="utf-8")
    shown = _run_on(tmp_path, database_url, ["import-wordpress", str(path)], terminal=True)
    assert "100%" in shown and "#" in shown
    assert "Importerade kommentarer: 2" in shown
    piped = _run_on(
        tmp_path, database_url, ["import-wordpress", "--dry-run", str(path)], terminal=False
    )
    assert "%" not in piped and "#" not in piped
    assert "Importerade redan tidigare: 2." in piped


def test_export_wordpress_draws_its_bar_on_a_terminal_and_never_into_the_export(
    app, tmp_path, database_url
):
    path = tmp_path / "export.xml"
    path.write_text(WXR, encoding="utf-8")
    _run_on(tmp_path, database_url, ["import-wordpress", str(path)], terminal=False)
    out = tmp_path / "out.xml"
    shown = _run_on(tmp_path, database_url, ["export-wordpress", "-o", str(out)], terminal=True)
    assert "100%" in shown and "#" in shown
    written = out.read_text(encoding="utf-8")
    assert "100%" not in written and written.rstrip().endswith("</rss>")
    piped = _run_on(tmp_path, database_url, ["export-wordpress"], terminal=False)
    assert piped.startswith("<?xml") and "100%" not in piped
