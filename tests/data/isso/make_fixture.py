"""Make tests/data/isso/isso.db with Isso itself: install it into a throwaway virtualenv, serve
it on loopback, write comments through its HTTP API as its own client does, and copy the
SQLite file it wrote.

    python tests/data/isso/make_fixture.py [--venv DIR]

Needs the package registry (pip install isso==ISSO_VERSION) and nothing else; the tests read
the committed isso.db and never run this. What it writes, and what the tests expect of it:

- thread "/nyheter/soi-mitt/" (a path, as Isso's client sends ``location.pathname``):
  Anna (website without a scheme, markdown, HTML-escaped name "Anna & Co"), Erik's reply
  asking for reply notifications, Greta's reply to Erik (Isso hangs it under Anna: it keeps
  two levels), Olle's comment answered by Lisa and then deleted by Olle (mode 4: kept because
  answered), Sven's comment deleted without replies (gone from the database), an anonymous
  comment from an IPv6 network, likes asked from three networks (Isso counts two: it refuses
  the one from Anna's own /24) and one dislike, and after
  a restart with moderation on, a pending comment (mode 2) and a pending reply to Anna;
- thread "https://www.example.se/sport/fotboll/" (a whole address, as ``data-isso-id`` may
  give): Karin's comment, edited by her (``modified`` set);
- thread "https://www.example.se.evil.example/x" (a near miss of the allowed host) and
  "https://annan.example.com/a/" (another host): one comment each;
- thread "kultur-42" (an identifier, neither a path nor an address): one comment.
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ISSO_VERSION = "0.14.0"  # as bench/run.py
HERE = Path(__file__).resolve().parent
SITE = "https://www.example.se"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def install(venv: Path) -> Path:
    if not (venv / "bin" / "isso").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "--quiet", f"isso=={ISSO_VERSION}"], check=True
        )
    return venv / "bin" / "isso"


def config(work: Path, db: Path, port: int, moderated: bool) -> Path:
    path = work / ("moderated.cfg" if moderated else "open.cfg")
    path.write_text(
        f"""[general]
dbpath = {db}
host = {SITE}
notify = stdout
reply-notifications = true
[moderation]
enabled = {str(moderated).lower()}
[guard]
enabled = false
[server]
listen = http://127.0.0.1:{port}
trusted-proxies = 127.0.0.1
""",
        encoding="utf-8",
    )
    return path


class Isso:
    """One Isso server on loopback, and its API as the client script calls it."""

    def __init__(self, isso: Path, cfg: Path, port: int):
        self.port = port
        self.process = subprocess.Popen(
            [str(isso), "-c", str(cfg), "run"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("Isso did not start")

    def call(self, method, path, body=None, reader="192.0.2.10", cookie=""):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {
            "Content-Type": "application/json",
            "Origin": SITE,
            "X-Forwarded-For": reader,
        }
        if cookie:
            headers["Cookie"] = cookie
        connection.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = connection.getresponse()
        data = response.read()
        if response.status not in (200, 201, 202):
            raise RuntimeError(f"Isso answered {response.status} to {method} {path}: {data!r}")
        cookie = response.getheader("Set-Cookie", "").split(";")[0]
        return json.loads(data) if data else None, cookie

    def post(self, uri, text, *, author=None, email=None, website=None, parent=None, **extra):
        body = {"text": text, "author": author, "email": email, "website": website}
        body.update(parent=parent, title=extra.pop("title", uri), **extra)
        reader = body.pop("reader", "192.0.2.10")
        found, cookie = self.call("POST", "/new?" + urlencode({"uri": uri}), body, reader)
        return found["id"], cookie

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def write(isso_bin: Path, work: Path, db: Path) -> None:
    port = free_port()
    server = Isso(isso_bin, config(work, db, port, moderated=False), port)
    try:
        soi = "/nyheter/soi-mitt/"
        anna, _ = server.post(
            soi,
            "Äntligen! Se **programmet** på [sidan](https://www.example.se/program).",
            author="Anna & Co",
            email="anna@example.se",
            website="anna.example.se",
            title="SOI Mitt startar i Svealand",
        )
        erik, _ = server.post(
            soi,
            "Håller med, Anna.",
            author="Erik",
            email="erik@example.se",
            parent=anna,
            notification=1,
            reader="198.51.100.7",
        )
        server.post(
            soi,
            "Och jag med Erik.",
            author="Greta",
            email="greta@example.se",
            parent=erik,
            reader="203.0.113.9",
        )
        olle, olle_cookie = server.post(
            soi, "Detta tar jag tillbaka.", author="Olle", email="olle@example.se"
        )
        server.post(soi, "Svar till Olle.", author="Lisa", parent=olle, reader="192.0.2.77")
        server.call("DELETE", f"/id/{olle}", cookie=olle_cookie)
        sven, sven_cookie = server.post(soi, "Fel tråd, förlåt.", author="Sven")
        server.call("DELETE", f"/id/{sven}", cookie=sven_cookie)
        server.post(soi, "Utan namn.", reader="2001:db8:1234:5678::1")
        for reader in ("192.0.2.201", "198.51.100.202", "203.0.113.203"):
            server.call("POST", f"/id/{anna}/like", {}, reader=reader)
        server.call("POST", f"/id/{erik}/dislike", {}, reader="192.0.2.204")
        karin, karin_cookie = server.post(
            f"{SITE}/sport/fotboll/", "Heja laget!", author="Karin", title="Fotboll i helgen"
        )
        server.call("PUT", f"/id/{karin}", {"text": "Heja laget! (rättat)"}, cookie=karin_cookie)
        server.post("https://www.example.se.evil.example/x", "Nära men fel.", author="Mallory")
        server.post("https://annan.example.com/a/", "Annan webbplats.", author="Nils")
        server.post("kultur-42", "Bra konsert.", author="Maja", title="Konsert i parken")
    finally:
        server.stop()
    port = free_port()
    server = Isso(isso_bin, config(work, db, port, moderated=True), port)
    try:
        server.post(soi, "Väntar på granskning.", author="Per", email="per@example.se")
        server.post(soi, "Ett svar som väntar.", author="Ida", parent=anna, reader="192.0.2.88")
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--venv", type=Path, help="reuse this virtualenv (made when missing)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        isso_bin = install(args.venv or work / "venv")
        db = work / "isso.db"
        write(isso_bin, work, db)
        target = HERE / "isso.db"
        target.unlink(missing_ok=True)
        with sqlite3.connect(db) as source:
            source.execute("VACUUM INTO ?", (str(target),))
        shutil.rmtree(work / "venv", ignore_errors=True)
    print(f"wrote {target} with Isso {ISSO_VERSION}")


if __name__ == "__main__":
    main()
