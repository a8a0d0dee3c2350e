"""Several instances: two gunicorn servers (separate processes on loopback ports) on one
PostgreSQL database, as behind a load balancer. Any instance can serve any request.

Moderators log in on one instance and stay logged in on the other (the session is a signed
cookie); settings an admin saves through the settings form are stored in the database and apply
on the other instance at once; the flood limit on posting lives in Redis
(``RATELIMIT_STORAGE_URI``, TEST_REDIS_URL with a fresh key prefix per run) and is shared; with
Redis unreachable the instances keep taking comments with per-instance limits (logged) and go
back to Redis when it answers again.
"""

from __future__ import annotations

import os
import time
import uuid
from urllib.parse import urlencode

import pytest

from tests.servers import Answer, Browser, Forms, comment_id_from, gunicorn
from tests.tcpproxy import TcpProxy

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("COMMENTSVC_TEST_ENGINE") != "postgresql",
        reason="several instances share PostgreSQL: run with COMMENTSVC_TEST_ENGINE=postgresql "
        "and TEST_DATABASE_URL (make test-postgres)",
    ),
]
MODERATOR = ("moderator@example.se", "Ett långt lösenord för test 123")


def thread_path(key: str) -> str:
    return "/thread?" + urlencode({"article": key})


@pytest.fixture
def two_instances(database_url, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with (
        gunicorn(database_url, tmp_path / "a", MODERATION="none") as a,
        gunicorn(database_url, tmp_path / "b", MODERATION="none") as b,
    ):
        yield a, b


def test_a_comment_written_through_one_instance_is_read_through_the_other(article, two_instances):
    a, b = two_instances
    assert "Skriven via instans A" not in Browser(b).get(thread_path(article)).text  # B keeps it
    writer = Browser(a)
    token = writer.open_thread(article)
    answer = writer.post_comment(article, token, "Skriven via instans A")
    assert answer.status == 303
    comment_id = comment_id_from(answer)

    page = Browser(b).get(thread_path(article))
    assert page.status == 200
    assert f'id="comment-{comment_id}"' in page.text
    assert "Skriven via instans A" in page.text


def test_a_reader_may_switch_instances_between_reading_and_sending(article, two_instances):
    a, b = two_instances
    reader = Browser(a)
    token = reader.open_thread(article)  # the session and its form token come from A...
    reader.host, reader.port = "127.0.0.1", int(b.rsplit(":", 1)[1])
    answer = reader.post_comment(article, token, "Skickad via instans B")  # ...sent to B
    assert answer.status == 303
    # Both instances give the same reader the same version of the page: a 304 from either.
    etag = reader.get(thread_path(article)).headers["ETag"]
    reader.host, reader.port = "127.0.0.1", int(a.rsplit(":", 1)[1])
    assert (
        reader.request("GET", thread_path(article), headers={"If-None-Match": etag}).status == 304
    )


# --- moderators ---------------------------------------------------------------------------


def create_admin(app) -> None:
    """An admin account through the real command: ``create-moderator NAME --admin
    --password-stdin`` (an admin, because only admins may change the settings)."""
    username, password = MODERATOR
    result = app.test_cli_runner().invoke(
        args=["create-moderator", username, "--admin", "--password-stdin"],
        input=f"{password}\n",
    )
    assert result.exit_code == 0, result.output


def log_in(browser: Browser) -> None:
    """Fill the login form at /moderation/login as a browser does (CSRF token included)."""
    page = browser.get("/moderation/login")
    form = next(f for f in Forms(page.text).forms if "password" in f["fields"])
    fields = {k: v["value"] or "" for k, v in form["fields"].items()}
    fields["username"], fields["password"] = MODERATOR
    answer = browser.request(
        "POST",
        form["action"] or "/moderation/login",
        urlencode(fields),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status == 303, f"login refused ({answer.status}): {answer.text[:300]}"


def use(browser: Browser, base: str) -> Browser:
    """The same browser (same cookies) now talking to another instance."""
    browser.host, browser.port = "127.0.0.1", int(base.rsplit(":", 1)[1])
    return browser


def test_a_moderator_logged_in_on_one_instance_is_logged_in_on_the_other(app, two_instances):
    create_admin(app)
    a, b = two_instances
    moderator = Browser(a)
    assert moderator.get("/moderation/").status in (302, 303)  # not logged in yet: to the login
    log_in(moderator)
    for base in (a, b):
        queue = use(moderator, base).get("/moderation/")
        assert queue.status == 200, f"{base}: the moderator's session is not valid ({queue.status})"
        assert 'type="password"' not in queue.text
    # Logged out through B, the session is gone on A too (the cookie is what both read).
    page = moderator.get("/moderation/")
    logout = next(f for f in Forms(page.text).forms if f["action"].endswith("/logout"))
    fields = {k: v["value"] or "" for k, v in logout["fields"].items()}
    answer = moderator.request(
        "POST",
        logout["action"],
        urlencode(fields),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status == 303
    assert use(moderator, a).get("/moderation/").status in (302, 303)


def post_form_on_page(browser: Browser, path: str, action_suffix: str, extra=None) -> Answer:
    """Send the form of this page whose action ends with ``action_suffix``."""
    page = browser.get(path)
    form = next(f for f in Forms(page.text).forms if f["action"].endswith(action_suffix))
    fields = {k: v["value"] or "" for k, v in form["fields"].items()}
    fields.update(extra or {})
    return browser.request(
        "POST",
        form["action"],
        urlencode(fields),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )


def test_a_copied_cookie_dies_on_every_instance_at_logout_and_at_an_account_change(
    app, two_instances
):
    create_admin(app)
    with app.app_context():
        from commentsvc.extensions import db
        from commentsvc.moderation import accounts

        accounts.create_moderator("moa", "ett långt lösenord för moa", role="moderator")
        db.session.commit()
        moa_id = accounts.find_by_name("moa").id
    a, b = two_instances
    moderator = Browser(a)
    log_in(moderator)
    thief = use(Browser(a), b)
    thief.cookies = dict(moderator.cookies)  # the cookie, copied before the logout
    assert thief.get("/moderation/").status == 200
    # Logged out through A: the copy no longer opens the queue on B (nor on A).
    assert post_form_on_page(moderator, "/moderation/", "/logout").status == 303
    assert thief.get("/moderation/").status in (302, 303)
    assert use(thief, a).get("/moderation/").status in (302, 303)

    # Moa's session on B ends when an admin on A disables her; re-enabled, she logs in anew.
    moa = Browser(b)
    page = moa.get("/moderation/login")
    form = next(f for f in Forms(page.text).forms if "password" in f["fields"])
    fields = {k: v["value"] or "" for k, v in form["fields"].items()}
    fields.update(username="moa", password="ett långt lösenord för moa")
    answer = moa.request(
        "POST",
        "/moderation/login",
        urlencode(fields),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status == 303 and moa.get("/moderation/").status == 200
    kept = dict(moa.cookies)
    log_in(moderator)
    path = "/moderation/moderators"
    assert post_form_on_page(moderator, path, f"/moderators/{moa_id}/disable").status == 303
    assert post_form_on_page(moderator, path, f"/moderators/{moa_id}/enable").status == 303
    moa.cookies = kept
    assert moa.get("/moderation/").status in (302, 303)


def test_settings_changed_on_one_instance_apply_on_the_other(app, article, two_instances):
    create_admin(app)
    a, b = two_instances
    # Before: MODERATION is "none" on both, a comment through B is published at once.
    reader = Browser(b)
    answer = reader.post_comment(article, reader.open_thread(article), "Före ändringen")
    assert answer.status == 303
    assert "Före ändringen" in Browser(b).get(thread_path(article)).text

    moderator = Browser(a)
    log_in(moderator)
    page = moderator.get("/moderation/settings")
    assert page.status == 200, page.status
    form = next(f for f in Forms(page.text).forms if "MODERATION" in f["fields"])
    fields = {k: v["value"] for k, v in form["fields"].items() if v["value"] is not None}
    assert fields["MODERATION"] == "none"  # the form shows what applies now
    fields["MODERATION"] = "all"  # every comment waits for a moderator
    answer = moderator.request(
        "POST",
        form["action"] or "/moderation/settings",
        urlencode(fields),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status == 303, (answer.status, answer.text[:500])
    # The settings page on B shows the new value...
    page = use(moderator, b).get("/moderation/settings")
    form = next(f for f in Forms(page.text).forms if "MODERATION" in f["fields"])
    assert form["fields"]["MODERATION"]["value"] == "all"
    # ...and on B a new comment now waits for review: not published for other readers.
    reader = Browser(b)
    answer = reader.post_comment(article, reader.open_thread(article), "Efter ändringen")
    assert answer.status == 303
    for base in (a, b):
        page = Browser(base).get(thread_path(article))
        assert "Före ändringen" in page.text
        assert "Efter ändringen" not in page.text
    # It is in the moderators' queue, seen from either instance.
    assert "Efter ändringen" in use(moderator, a).get("/moderation/").text


# --- the flood limit in Redis ----------------------------------------------------------------


def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15) to test the shared limit")
    return url


def redis_keys(url: str, prefix: str) -> list[bytes]:
    import redis

    client = redis.Redis.from_url(url)
    try:
        return list(client.scan_iter(match=f"*{prefix}*"))
    finally:
        client.close()


def flood(bases: list[str], key: str, tries: int = 40) -> int | None:
    """Comments sent in turn to the instances until one answers 429; how many got through."""
    browsers = [Browser(base) for base in bases]
    tokens = [browser.open_thread(key) for browser in browsers]
    for n in range(tries):
        i = n % len(bases)
        answer = browsers[i].post_comment(key, tokens[i], f"Flod {uuid.uuid4()} nr {n}")
        if answer.status == 429:
            return n
        assert answer.status == 303, answer.status
    return None


def test_the_flood_limit_is_shared_by_the_instances_through_redis(article, database_url, tmp_path):
    url = redis_url()
    prefix = f"test-{uuid.uuid4().hex}"
    config = {
        "RATELIMIT_ENABLED": "true",
        "RATELIMIT_COMMENTS": "6 per hour",
        "RATELIMIT_STORAGE_URI": url,
        "RATELIMIT_KEY_PREFIX": prefix,
    }
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with (
        gunicorn(database_url, tmp_path / "a", MODERATION="none", **config) as a,
        gunicorn(database_url, tmp_path / "b", MODERATION="none", **config) as b,
    ):
        # With per-instance memory (2 instances x 2 workers) about four times as many would pass.
        assert flood([a, b], article) == 6
        assert redis_keys(url, prefix), "the limit's counter is not in Redis"


def test_with_redis_down_the_instances_keep_taking_comments_and_recover(
    article, database_url, tmp_path
):
    url = redis_url()
    from urllib.parse import urlsplit

    target = urlsplit(url)
    proxy = TcpProxy((target.hostname or "127.0.0.1", target.port or 6379))
    prefix = f"test-{uuid.uuid4().hex}"
    config = {
        "RATELIMIT_ENABLED": "true",
        "RATELIMIT_COMMENTS": "1000 per hour",
        "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{proxy.port}{target.path or '/0'}",
        "RATELIMIT_KEY_PREFIX": prefix,
    }
    try:
        # One worker, so the log below is the one worker's that saw Redis go away.
        with gunicorn(database_url, tmp_path, workers=1, MODERATION="none", **config) as a:
            reader = Browser(a)
            token = reader.open_thread(article)
            assert reader.post_comment(article, token, "Redis svarar").status == 303
            assert redis_keys(url, prefix)

            proxy.cut()  # Redis unreachable
            answer = reader.post_comment(
                article, token, "Redis är nere men kommentaren kommer fram"
            )
            assert answer.status == 303
            assert "Redis är nere" in Browser(a).get(thread_path(article)).text
            log = next(tmp_path.glob("gunicorn-*.log"))
            assert "falling back to in-memory" in log.read_text()

            proxy.restore()  # Redis back: the worker checks it again after a short back-off
            before = {k: _count(url, k) for k in redis_keys(url, prefix)}
            deadline = time.monotonic() + 30
            while True:
                assert reader.post_comment(article, token, f"Igen {uuid.uuid4()}").status == 303
                after = {k: _count(url, k) for k in redis_keys(url, prefix)}
                if after != before:
                    break
                assert time.monotonic() < deadline, "the limit never went back to Redis"
                time.sleep(1)
            assert "Rate limit storage recovered" in log.read_text()
    finally:
        proxy.cut()


def _count(url: str, key: bytes) -> bytes | None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        kind = client.type(key)
        if kind == b"string":
            return client.get(key)
        if kind == b"zset":
            return str(client.zcard(key)).encode()
        if kind == b"list":
            return str(client.llen(key)).encode()
        return kind
    finally:
        client.close()
