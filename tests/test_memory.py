"""A worker imports what it needs to serve readers; the rest loads on first use.

No sizes are asserted here (they depend on the machine; bench/memory.py measures them): these
tests check the cause, which modules a fresh worker holds, so that a new top-level import of
an optional part shows up as a failure, and that what replaced the heavy parts answers alike.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from commentsvc import create_app, threads
from commentsvc.extensions import db
from commentsvc.models.base import utcnow

from .conftest import base_config

ROOT = Path(__file__).resolve().parents[1]

# Loaded on first use: the migrations (Flask-Migrate with Alembic, Mako, Pygments), the HTML
# sanitizer (bleach with html5lib, only when a comment is written), the importers, exports,
# privacy tools and the OpenAPI description.
LAZY = (
    "flask_migrate",
    "alembic",
    "mako",
    "pygments",
    "bleach",
    "html5lib",
    "commentsvc.moving.core",
    "commentsvc.moving.wordpress",
    "commentsvc.moving.disqus",
    "commentsvc.moving.remark42",
    "commentsvc.moving.commento",
    "commentsvc.moving.jsonfiles",
    "commentsvc.moving.isso",
    "commentsvc.moving.isso_file",
    "commentsvc.moving.markdown_text",
    "commentsvc.moving.backup",
    "commentsvc.gdpr.rights",
    "commentsvc.gdpr.retention",
    "commentsvc.openapi",
)

WORKER = """
import json, sys
from commentsvc import create_app
app = create_app()
at_start = sorted(sys.modules)
client = app.test_client()
for path in ("/api/v1/comments?article=minnet", "/embed?article=minnet",
             "/api/v1/comments?article=minnet&lang=en", "/embed?article=minnet&lang=en"):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert b"Lagom" in response.data, path
print(json.dumps({"start": at_start, "served": sorted(sys.modules)}))
"""


def test_a_worker_serving_reads_does_not_load_the_optional_parts(database_url, tmp_path):
    os.environ["COMMENTSVC_INSTANCE_PATH"] = str(tmp_path)
    app = create_app({**base_config(database_url, tmp_path), "MODERATION": "none"})
    with app.app_context():
        article = threads.create_article("minnet", title="Minnet")
        threads.post_comment(article, threads.Draft("Lagom", "Anna", ""), ip="", now=utcnow())
        db.session.commit()
        db.engine.dispose()
    env = {
        **os.environ,
        "COMMENTSVC_SECRET_KEY": "test-secret",
        "COMMENTSVC_DATABASE_URL": database_url,
        "COMMENTSVC_INSTANCE_PATH": str(tmp_path),
        "COMMENTSVC_PUBLIC_URL": "https://k.example.se",
        "COMMENTSVC_MAIL_FROM": "k@example.se",
        "COMMENTSVC_DSA_CONTACT": "k@example.se",
        "COMMENTSVC_RATELIMIT_ENABLED": "false",
        "COMMENTSVC_MODERATION": "none",
    }
    result = subprocess.run(
        [sys.executable, "-c", WORKER], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    modules = json.loads(result.stdout.splitlines()[-1])
    for moment in ("start", "served"):
        loaded = [m for m in modules[moment] if m.split(".")[0] in LAZY or m.startswith(LAZY)]
        assert loaded == [], f"{moment}: {loaded}"


def test_the_migration_commands_are_listed_and_found_on_first_use(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "--help"])
    assert result.exit_code == 0, result.output
    for command in ("upgrade", "downgrade", "current", "history"):
        assert command in result.output
    # The migrations' env.py runs against the app's database through the lazy entry.
    result = runner.invoke(args=["db", "current"])
    assert result.exit_code == 0, result.output
    assert "Context impl" in result.output
