"""Real servers for tests: gunicorn with the project's gunicorn.conf.py on a loopback port,
and a small HTTP client that reads and posts the form as a browser does."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

PROJECT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")
CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(
    database_url: str, instance: Path, *, workers: int = 2, threads: int = 2, **config
) -> Iterator[str]:
    """Serve the app with gunicorn on a free loopback port; yields its base URL."""
    with gunicorn_process(database_url, instance, workers=workers, threads=threads, **config) as (
        base,
        _process,
    ):
        yield base


@contextlib.contextmanager
def gunicorn_process(
    database_url: str,
    instance: Path,
    *,
    workers: int = 2,
    threads: int = 2,
    access_log: Path | None = None,
    **config,
) -> Iterator[tuple[str, subprocess.Popen]]:
    """As ``gunicorn``, and the master process too, leading its own process group (so a test
    can kill the master and its workers at once with ``os.killpg``). The access log goes to
    ``access_log`` when given; the error log is ``instance/gunicorn-<port>.log``."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMMENTSVC_", "GUNICORN"))}
    env.update(
        COMMENTSVC_INSTANCE_PATH=str(instance),
        COMMENTSVC_SECRET_KEY="test-secret",
        COMMENTSVC_DATABASE_URL=database_url,
        COMMENTSVC_MIN_SUBMIT_SECONDS="0",
        COMMENTSVC_RATELIMIT_ENABLED="false",
        COMMENTSVC_PUBLIC_URL=f"http://127.0.0.1:{port}",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS=str(workers),
        GUNICORN_THREADS=str(threads),
        GUNICORN_ACCESSLOG=str(access_log or "/dev/null"),
    )
    env.update({f"COMMENTSVC_{k}": str(v) for k, v in config.items()})
    with serving(
        [str(GUNICORN), "-c", "gunicorn.conf.py"],
        cwd=PROJECT,
        env=env,
        port=port,
        log_path=instance / f"gunicorn-{port}.log",
    ) as served:
        yield served


@contextlib.contextmanager
def serving(
    command: list, *, cwd: Path, env: dict, port: int, log_path: Path
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Start a server process leading its own process group, wait until /healthz answers;
    yields its base URL and the process; stops it with SIGTERM after."""
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if Browser(base).get("/healthz").status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start: " + log_path.read_text())
            time.sleep(0.2)
        yield base, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


class Answer:
    def __init__(self, response: http.client.HTTPResponse):
        self.status = response.status
        self.headers = response.headers
        self.text = response.read().decode("utf-8", "replace")


class Browser:
    """One reader's browser: keeps its cookies, reads pages, sends the form."""

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None, headers=None) -> Answer:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            all_headers = dict(headers or {})
            if self.cookies:
                all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            connection.request(method, path, body=body, headers=all_headers)
            answer = Answer(connection.getresponse())
        finally:
            connection.close()
        for header in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return answer

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def open_thread(self, key: str) -> str:
        """The thread page; returns its CSRF token, which this browser's session keeps."""
        page = self.get("/thread?" + urlencode({"article": key}))
        match = CSRF_INPUT.search(page.text)
        assert match, f"no form on the thread page ({page.status})"
        return match.group(1)

    def post_comment(self, key: str, token: str, text: str, parent: int | None = None) -> Answer:
        fields = {
            "article": key,
            "comment": text,
            "author": "Anna Lindqvist",
            "email": "anna@example.se",
            "csrf_token": token,
            "parent": "" if parent is None else str(parent),
        }
        return self.request(
            "POST",
            "/comments",
            urlencode(fields),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )


def comment_id_from(answer: Answer) -> int:
    """The id of the stored comment, from the 303's ``#comment-<id>``."""
    match = re.search(r"#comment-(\d+)$", answer.headers.get("Location", ""))
    assert match, (answer.status, answer.text[:500])
    return int(match.group(1))


class Forms(HTMLParser):
    """The forms of a page: action, method and fields with their current values."""

    def __init__(self, page: str):
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(
                {"action": a.get("action", ""), "method": a.get("method", "get"), "fields": {}}
            )
        elif not self.forms:
            return
        fields = self.forms[-1]["fields"] if self.forms else {}
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                fields.setdefault(a["name"], {"type": kind, "value": None})
            elif kind not in ("submit", "button"):
                fields[a["name"]] = {"type": kind, "value": a.get("value", "")}
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            fields[a["name"]] = {"type": "select", "value": "", "options": []}
        elif tag == "option" and self._select:
            field = fields[self._select]
            field["options"].append(a.get("value", ""))
            if "selected" in a or not field["value"]:
                field["value"] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            fields[a["name"]] = {"type": "textarea", "value": ""}

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea]["value"] += data
