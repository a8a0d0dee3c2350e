"""The nginx configuration of docs/operating.md, run as it stands there, in front of gunicorn.

The block between ``<!-- nginx-config: begin -->`` and ``<!-- nginx-config: end -->`` is taken
from the page and changed only where a test machine must differ: the ports (8443-like free
ports instead of 443 and 80, the case that locked moderators out), the upstream's port, the
server name and the certificate (self-signed by ``openssl``). A moderator then logs in through
it with a real HTTP client, as a browser does: the login page, its CSRF token, the cookie, and
the Referer and Origin a browser sends. Needs ``/usr/sbin/nginx`` (``apt-get install
nginx-light``): ``make test-nginx``, run by CI; skipped with the reason where it is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import CSRF_INPUT
from tests.servers import free_port, gunicorn

pytestmark = pytest.mark.nginx

DOCS = Path(__file__).resolve().parents[1] / "docs" / "operating.md"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PASSWORD = "rätt häst batteri häftklammer"
DOCUMENTED_NAME = "kommentarer.example.se"


def documented_block() -> str:
    """The nginx block of the docs, exactly as a reader copies it."""
    page = DOCS.read_text(encoding="utf-8")
    found = re.search(
        r"<!-- nginx-config: begin -->\s*```nginx\n(.*?)```\s*<!-- nginx-config: end -->",
        page,
        re.DOTALL,
    )
    assert found, f"{DOCS} has no ```nginx block between the nginx-config markers"
    return found.group(1)


def for_this_machine(block: str, **places: str) -> str:
    """The documented block with this machine's ports, upstream, name and certificate; each
    change must find its text, so a docs page that no longer matches fails here instead of
    a different configuration being tested."""
    changes = [
        ("listen 443 ssl;", f"listen 127.0.0.1:{places['https_port']} ssl;"),
        ("listen 80;", f"listen 127.0.0.1:{places['http_port']};"),
        ("proxy_pass http://127.0.0.1:8000;", f"proxy_pass {places['upstream']};"),
        (f"/etc/letsencrypt/live/{DOCUMENTED_NAME}/fullchain.pem", places["certificate"]),
        (f"/etc/letsencrypt/live/{DOCUMENTED_NAME}/privkey.pem", places["key"]),
        (f"https://{DOCUMENTED_NAME}$request_uri", places["public_url"] + "$request_uri"),
        (DOCUMENTED_NAME, "localhost"),
    ]
    for documented, here in changes:
        assert documented in block, f"the documented nginx block has no {documented!r}"
        block = block.replace(documented, here)
    return block


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    certificate, key = folder / "cert.pem", folder / "key.pem"
    command = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    command += ["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"]
    subprocess.run(
        [*command, "-keyout", str(key), "-out", str(certificate)],
        check=True,
        capture_output=True,
    )
    return certificate, key


def nginx_conf(site: str, folder: Path) -> str:
    """A whole nginx.conf around the site's block: everything nginx writes stays in ``folder``."""
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root, nginx's workers would run as "nobody", which cannot enter pytest's folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'};\nevents {{ worker_connections 64; }}\n"
        f"http {{\n    access_log {folder / 'access.log'};\n{temp}\n{site}\n}}\n"
    )


def wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("nginx did not start: " + log.read_text()) from None
            time.sleep(0.1)


@pytest.fixture
def behind_nginx(app, database_url, tmp_path):
    """gunicorn behind the documented nginx on free ports; yields (PUBLIC_URL, http address,
    certificate)."""
    if not os.path.exists(NGINX):
        pytest.skip(f"nginx is not installed ({NGINX}): apt-get install -y nginx-light")
    if database_url.startswith("postgres"):
        pytest.skip("the proxy does not depend on the engine; run on SQLite")
    from commentsvc.extensions import db
    from commentsvc.moderation import accounts

    with app.app_context():
        accounts.create_moderator("moa", PASSWORD, role="moderator", email="", notify=False)
        db.session.commit()
    https_port, http_port = free_port(), free_port()
    public_url = f"https://localhost:{https_port}"
    folder = tmp_path / "nginx"
    folder.mkdir()
    certificate, key = self_signed_certificate(folder)
    with gunicorn(
        database_url, tmp_path, workers=1, PUBLIC_URL=public_url, TRUSTED_PROXIES=1
    ) as upstream:
        site = for_this_machine(
            documented_block(),
            https_port=str(https_port),
            http_port=str(http_port),
            upstream=upstream,
            certificate=str(certificate),
            key=str(key),
            public_url=public_url,
        )
        conf = folder / "nginx.conf"
        conf.write_text(nginx_conf(site, folder))
        log = folder / "error.log"
        process = subprocess.Popen(
            [NGINX, "-p", str(folder), "-c", str(conf), "-e", str(log)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(https_port, process, log)
            wait_for_port(http_port, process, log)
            yield public_url, f"http://localhost:{http_port}", str(certificate)
        finally:
            process.terminate()
            process.wait(timeout=20)


def log_in(public_url: str, certificate: str, referer: str | None = None):
    """A browser's login: the page, then the form with its token, Referer and Origin."""
    browser = requests.Session()
    browser.trust_env = False  # this certificate, no CA bundle or proxy from the environment
    browser.verify = certificate
    login = f"{public_url}/moderation/login"
    page = browser.get(login, timeout=30)
    assert page.status_code == 200
    token = CSRF_INPUT.search(page.text).group(1)
    answer = browser.post(
        login,
        data={"username": "moa", "password": PASSWORD, "csrf_token": token},
        headers={"Referer": referer or login, "Origin": public_url if referer is None else ""},
        allow_redirects=False,
        timeout=30,
    )
    return browser, answer


def test_a_moderator_logs_in_through_the_documented_nginx_on_port_8443(behind_nginx):
    public_url, _http, certificate = behind_nginx
    browser, answer = log_in(public_url, certificate)
    assert answer.status_code == 303, answer.text[:500]
    assert answer.headers["Location"].endswith("/moderation/")
    assert "Secure" in answer.headers["Set-Cookie"]  # nginx told the service it was https
    queue = browser.get(f"{public_url}/moderation/", allow_redirects=False, timeout=30)
    assert queue.status_code == 200
    assert "moa" in queue.text


def test_through_nginx_a_login_sent_from_another_address_is_still_refused(behind_nginx):
    public_url, _http, certificate = behind_nginx
    other_port = public_url.replace(public_url.rsplit(":", 1)[1], "9443")
    _browser, answer = log_in(public_url, certificate, referer=f"{other_port}/moderation/login")
    assert answer.status_code == 400


def test_the_documented_redirect_keeps_the_port_of_the_public_address(behind_nginx):
    public_url, http, _certificate = behind_nginx
    browser = requests.Session()
    browser.trust_env = False
    answer = browser.get(f"{http}/moderation/login?next=/x", allow_redirects=False, timeout=30)
    assert answer.status_code == 301
    assert answer.headers["Location"] == f"{public_url}/moderation/login?next=/x"
