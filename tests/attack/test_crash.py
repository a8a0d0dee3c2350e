"""A SIGKILL to gunicorn (master and workers) in the middle of a burst of writes on SQLite:
every comment the service acknowledged is in the database afterwards, and the file is sound."""

from __future__ import annotations

import http.client
import json
import os
import signal
import sqlite3
import threading
import time

import pytest

from tests.conftest import ALLOWED_ORIGIN
from tests.servers import Browser, gunicorn_process

WRITERS = 8


@pytest.mark.attack
def test_every_acknowledged_comment_survives_a_sigkill_mid_burst(app, article, tmp_path):
    from commentsvc.extensions import db

    path = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    if not app.config["DATABASE_URL"].startswith("sqlite:///"):
        pytest.skip("the crash test is about the SQLite file")
    with app.app_context():
        db.engine.dispose()
    acknowledged: list[int] = []
    failed = []
    stop = threading.Event()

    def write(base: str, writer: int):
        browser, n = Browser(base), 0
        while not stop.is_set():
            n += 1
            body = {
                "article": article,
                "comment": f"Skribent {writer}, kommentar {n}",
                "author": f"Skribent {writer}",
                "email": f"skribent{writer}@example.se",
            }
            try:
                answer = browser.request(
                    "POST",
                    "/api/v1/comments",
                    json.dumps(body),
                    {"Content-Type": "application/json", "Origin": ALLOWED_ORIGIN},
                )
            except (OSError, http.client.HTTPException) as error:  # server gone: not acknowledged
                failed.append(repr(error))
                return
            if answer.status == 201:
                acknowledged.append(json.loads(answer.text)["comment"]["id"])

    with gunicorn_process(
        app.config["DATABASE_URL"],
        tmp_path,
        workers=2,
        threads=4,
        ALLOWED_ORIGINS=json.dumps([ALLOWED_ORIGIN]),
        MODERATION="none",
    ) as (base, process):
        writers = [threading.Thread(target=write, args=(base, w)) for w in range(WRITERS)]
        for thread in writers:
            thread.start()
        deadline = time.monotonic() + 30
        while len(acknowledged) < 150 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.killpg(process.pid, signal.SIGKILL)  # master and every worker, mid-write
        process.wait(10)
        stop.set()
        for thread in writers:
            thread.join(30)

    assert len(acknowledged) >= 150, "the burst did not get going"
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = {row[0] for row in connection.execute("SELECT id FROM comment")}
    missing = set(acknowledged) - stored
    assert not missing, f"{len(missing)} acknowledged comments are gone: {sorted(missing)[:20]}"
    print(f"{len(acknowledged)} acknowledged, {len(stored)} stored, {len(failed)} cut off")
