"""commentsvc beside Isso on this machine: the same thread, the same server, the same load.

    make bench                      # or: .venv/bin/python bench/run.py [--pg URL] [--seconds 5]

Installs Isso from PyPI into bench/.work/isso-venv (once), serves Isso, commentsvc (SQLite,
and PostgreSQL with --pg) and a baseline (precomputed copies of commentsvc's JSON thread and
iframe page from memory) with the same gunicorn settings on loopback, loads the same thread of
200 nested comments into each (Isso through its API, commentsvc through its service functions),
measures them with the same load generator (wrk when installed: `apt-get install wrk`; else a
Python client), prints a table and writes it to bench/RESULTS.md (the sections measured by
other scripts, from "## Paging on PostgreSQL" on, are kept). Bounded: a full run takes a few
minutes.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import http.client
import json
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
WORK = BENCH / ".work"
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(BENCH))

import loadgen  # noqa: E402

ISSO_VERSION = "0.14.0"
THREAD = "bench-thread"
POSTS = "bench-posts"
COUNT_ARTICLES = [f"artikel-{n}" for n in range(1, 51)]
CONCURRENCY = (1, 16, 64)
SCALES = (100, 1_000, 10_000)
NO_CACHE = "commentsvc (SQLite, cache off)"
READS_ONLY = (NO_CACHE,)
# The two ways a reader sees a thread: the JSON the script embed renders, and the iframe page.
KINDS = ("json", "frame")
KIND_NAMES = {"json": "JSON", "frame": "iframe page"}
# RESULTS.md sections measured by other scripts (paging.py, memory.py, freshness.py): a run of
# this one keeps everything from the first of them on.
KEPT_SECTIONS = ("## Paging on PostgreSQL", "## Memory per worker", "## Freshness")
SECRET = "bench-secret-not-for-production"
TEXT = (
    "Kommentar {n}: Bra att regionen satsar på upphandlingsfrågor. Vi i kommunen har länge "
    "saknat ett forum där vi kan dela erfarenheter av ramavtal och uppföljning. Ser fram "
    "emot nästa träff!"
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def thread_plan(count: int = 200, seed: int = 6) -> list[tuple[str, str, str, int | None]]:
    """The same thread for both servers: every fourth comment top-level, the others replies
    to an earlier comment (so nested, several levels deep)."""
    chance = random.Random(seed)
    plan = []
    for n in range(count):
        parent = None if n % 4 == 0 else chance.randrange(n)
        author = f"Läsare {n % 23}"
        plan.append((TEXT.format(n=n), author, f"lasare{n % 23}@example.se", parent))
    return plan


# --- servers -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_request(base: str, method: str, path: str, body=None, headers=None):
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


@contextlib.contextmanager
def gunicorn(name: str, gunicorn_bin: Path, app: str, env: dict, args) -> Iterator[tuple]:
    """The same gunicorn settings for every server; yields (base URL, master pid)."""
    port = free_port()
    logfile = WORK / f"{name}.log"
    command = [
        str(gunicorn_bin),
        "--workers", str(args.workers),
        "--threads", str(args.threads),
        "--bind", f"127.0.0.1:{port}",
        "--timeout", "60",
        "--error-logfile", str(logfile),
        "--pythonpath", str(PROJECT),
        app,
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=WORK, env={**os.environ, **env})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                http_request(base, "GET", "/favicon-probe")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start; see {logfile}") from None
                time.sleep(0.2)
        yield base, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def worker_rss_mb(master: int) -> float:
    """Mean resident memory of the master's worker processes, in MB."""
    sizes = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != master:
                continue
            status = (stat.parent / "status").read_text()
        except (OSError, IndexError):
            continue
        kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
        sizes.append(kb / 1024)
    return sum(sizes) / len(sizes) if sizes else float("nan")


# --- Isso ----------------------------------------------------------------------------------


def ensure_isso() -> Path:
    venv = WORK / "isso-venv"
    if not (venv / "bin" / "gunicorn").exists() or not (venv / ".installed").exists():
        import gunicorn as ours

        log(f"installing Isso {ISSO_VERSION} and gunicorn {ours.__version__} into {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [
                str(venv / "bin" / "pip"),
                "install",
                "--quiet",
                f"isso=={ISSO_VERSION}",
                f"gunicorn=={ours.__version__}",
            ],
            check=True,
        )
        (venv / ".installed").touch()
    return venv


def isso_config(port_hint: str) -> Path:
    db = WORK / "isso.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    config = WORK / "isso.cfg"
    config.write_text(
        f"""[general]
dbpath = {db}
host = {port_hint}
notify = stdout
[moderation]
enabled = false
[guard]
enabled = false
[server]
listen = {port_hint}
"""
    )
    return config


def isso_post(base: str, uri: str, text: str, author: str, email: str, parent: int | None):
    body = {"text": text, "author": author, "email": email, "title": uri, "parent": parent}
    status, _, data = http_request(
        base,
        "POST",
        "/new?" + urlencode({"uri": uri}),
        json.dumps(body),
        {"Content-Type": "application/json", "Origin": base},
    )
    if status not in (201, 202):
        raise RuntimeError(f"Isso refused a comment: {status} {data[:200]!r}")
    return json.loads(data)["id"]


def load_isso(base: str) -> None:
    ids: list[int] = []
    for text, author, email, parent in thread_plan():
        ids.append(
            isso_post(
                base, f"/{THREAD}", text, author, email, ids[parent] if parent is not None else None
            )
        )
    for key in COUNT_ARTICLES:
        first = isso_post(base, f"/{key}", "Första", "Anna", "anna@example.se", None)
        isso_post(base, f"/{key}", "Svar", "Erik", "erik@example.se", first)


# --- commentsvc ----------------------------------------------------------------------------


def commentsvc_env(database_url: str, instance: Path) -> dict:
    return {
        "COMMENTSVC_SECRET_KEY": SECRET,
        "COMMENTSVC_DATABASE_URL": database_url,
        "COMMENTSVC_INSTANCE_PATH": str(instance),
        "COMMENTSVC_MODERATION": "none",
        "COMMENTSVC_RATELIMIT_ENABLED": "false",  # Isso's guard is off as well
        "COMMENTSVC_MIN_SUBMIT_SECONDS": "0",
        "COMMENTSVC_PUBLIC_URL": "http://127.0.0.1",
    }


def empty_sqlite(path: Path) -> str:
    """The URL of a new SQLite database at ``path`` (any old one and its journals deleted)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def prepare_commentsvc(database_url: str, instance: Path, *, scales: bool) -> None:
    """Migrate an empty database and load the same thread through the service functions."""
    from sqlalchemy import text

    from commentsvc import create_app, threads
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow

    instance.mkdir(parents=True, exist_ok=True)
    os.environ["COMMENTSVC_INSTANCE_PATH"] = str(instance)
    app = create_app(
        {"SECRET_KEY": SECRET, "TESTING": True, "DATABASE_URL": database_url, "MODERATION": "none"}
    )
    with app.app_context():
        if database_url.startswith("postgres"):
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        from flask_migrate import upgrade

        upgrade()
        article = threads.create_article(THREAD, title="Bänkad tråd")
        stored = []
        for body, author, email, parent in thread_plan():
            draft = threads.Draft(
                comment=body,
                author=author,
                email=email,
                parent_id=stored[parent] if parent is not None else None,
            )
            stored.append(threads.post_comment(article, draft, ip="127.0.0.0", now=utcnow()).id)
        threads.create_article(POSTS, title="Skrivtest")
        for key in COUNT_ARTICLES:
            a = threads.create_article(key, title=key)
            first = threads.post_comment(
                a, threads.Draft("Första", "Anna", "anna@example.se"), ip="", now=utcnow()
            )
            threads.post_comment(
                a, threads.Draft("Svar", "Erik", "erik@example.se", parent_id=first.id),
                ip="", now=utcnow(),
            )  # fmt: skip
        if scales:
            from tests.bulk import bulk_thread

            for size in SCALES:
                threads.create_article(f"skala-{size}", title=f"{size} kommentarer")
                # bulk_thread works in an app context, so a session, of its own: it sees (and
                # numbers its rows after) only what is committed. The services only flush.
                db.session.commit()
                bulk_thread(app, f"skala-{size}", size, replies_per_top=3)
        db.session.commit()
        if database_url.startswith("postgres"):
            # Planner statistics for the freshly loaded tables, as autovacuum would make soon
            # after a real import (without them PostgreSQL picks poor plans for the counts).
            db.session.commit()
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        db.session.remove()
        db.engine.dispose()


class Endpoints:
    """What this build of commentsvc offers: the JSON API when it is there, else
    the plain page (with its form) for reads and the form for posts."""

    def __init__(self, base: str):
        status, headers, _ = http_request(base, "GET", "/api/v1/comments?article=" + THREAD)
        self.api = status == 200 and "json" in headers.get("Content-Type", "")
        self.read = "/api/v1/comments?article=" if self.api else "/thread?article="
        counts = "/api/v1/counts?" + urlencode([("article", k) for k in COUNT_ARTICLES])
        self.counts = counts if http_request(base, "GET", counts)[0] == 200 else None
        self.embed = "/embed.js" if http_request(base, "GET", "/embed.js")[0] == 200 else None
        frame = "/embed?article="
        self.frame = frame if http_request(base, "GET", frame + THREAD)[0] == 200 else None


def complete_thread(body: bytes) -> bool:
    """Every one of the thread's 200 comments is in the answer (JSON or HTML alike)."""
    return all(f"Kommentar {n}:".encode() in body for n in range(len(thread_plan())))


def commentsvc_poster(base: str):
    """A reader posting through the form: one page read for the session and token."""
    _, headers, page = http_request(base, "GET", "/thread?article=" + POSTS)
    cookies = "; ".join(
        f"{k}={m.value}"
        for h in headers.get_all("Set-Cookie") or []
        for k, m in SimpleCookie(h).items()
    )
    token = page.decode().split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]

    def post(n: int) -> bool:
        body = urlencode(
            {
                "article": POSTS,
                "comment": TEXT.format(n=n),
                "author": f"Skribent {n}",
                "email": f"skribent{n}@example.se",
                "csrf_token": token,
            }
        )
        status, _, _ = http_request(
            base,
            "POST",
            "/comments",
            body,
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookies},
        )
        return status == 303

    return post


def commentsvc_api_post(base: str, article: str, n: int) -> tuple[int, bytes]:
    """Comment number ``n`` posted through the JSON API, as embed.js does; (status, body)."""
    body = {
        "article": article,
        "comment": TEXT.format(n=n),
        "author": f"Skribent {n}",
        "email": f"skribent{n}@example.se",
        "ts": "",
        "hp": "",
    }
    # No Origin, as a program sends: our own pages are PUBLIC_URL's origin, never the address
    # a benchmark's instance happens to listen on (two of them share one PUBLIC_URL).
    status, _, data = http_request(
        base, "POST", "/api/v1/comments", json.dumps(body), {"Content-Type": "application/json"}
    )
    return status, data


def commentsvc_api_poster(base: str):
    """A reader posting through the JSON API, as embed.js does (and as Isso's client does)."""

    def post(n: int) -> bool:
        return commentsvc_api_post(base, POSTS, n)[0] == 201

    return post


def isso_poster(base: str):
    def post(n: int) -> bool:
        try:
            isso_post(
                base, f"/{POSTS}", TEXT.format(n=n), f"Skribent {n}", f"s{n}@example.se", None
            )
        except RuntimeError:
            return False
        return True

    return post


def posts_per_second(make_poster, base: str, *, count: int, clients: int = 8) -> tuple[float, int]:
    """``count`` comments from ``clients`` writers at once; (posts/s, failures)."""
    posters = [make_poster(base) for _ in range(clients)]
    numbers = iter(range(count))
    lock = threading.Lock()
    failures = [0]

    def writer(post):
        while True:
            with lock:
                n = next(numbers, None)
            if n is None:
                return
            if not post(n):
                with lock:
                    failures[0] += 1

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(writer, posters))
    return count / (time.perf_counter() - start), failures[0]


def embed_size(base: str, path: str | None) -> int | None:
    if path is None:
        return None
    status, _, body = http_request(base, "GET", path)
    return len(gzip.compress(body, 9)) if status == 200 else None


# --- the run -------------------------------------------------------------------------------


def read_loads(base: str, path: str, seconds: float) -> dict:
    loads = {}
    for clients in CONCURRENCY:
        loads[clients] = loadgen.measure(base + path, clients=clients, seconds=seconds)
        log(f"  {clients:>2} clients: {loads[clients].requests_per_second:8.0f} reads/s")
    return loads


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, every server")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--seconds", type=float, default=5, help="length of each load run")
    parser.add_argument("--posts", type=int, default=200, help="comments posted per server")
    parser.add_argument(
        "--pg",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="an EMPTY PostgreSQL database to also run commentsvc on (it is wiped)",
    )
    parser.add_argument("--no-results", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    started = time.monotonic()
    args.load_before = os.getloadavg()
    ours = Path(sys.executable).with_name("gunicorn")
    isso_venv = ensure_isso()
    log(f"load generator: {load_generator()}")

    rows: dict[str, dict] = {}

    # commentsvc on SQLite (with the scaling threads), then on PostgreSQL.
    sqlite_url = empty_sqlite(WORK / "commentsvc.db")
    targets = [("commentsvc (SQLite)", sqlite_url, WORK / "instance-sqlite", {})]
    # Every read after a write renders the thread again: the same server without its cache.
    nocache = {"COMMENTSVC_THREAD_CACHE_ENTRIES": "0"}
    targets.append((NO_CACHE, sqlite_url, WORK / "instance-sqlite", nocache))
    if args.pg:
        targets.append(("commentsvc (PostgreSQL)", args.pg, WORK / "instance-pg", {}))
    baseline_bodies: dict[str, tuple[bytes, str]] = {}
    scaling = {}
    for name, url, instance, extra in targets:
        if name not in READS_ONLY:
            log(f"{name}: loading the thread through the services")
            prepare_commentsvc(url, instance, scales=url.startswith("sqlite"))
        with gunicorn(
            name.split()[1].strip("(),").lower(),
            ours,
            "wsgi:app",
            {**commentsvc_env(url, instance), **extra},
            args,
        ) as (base, master):
            endpoints = Endpoints(base)
            row = {"read_path": endpoints.read, "frame_path": endpoints.frame}
            paths = {"json": endpoints.read, "frame": endpoints.frame}
            for kind, path in paths.items():
                if path is None:
                    continue
                status, headers, body = http_request(base, "GET", path + THREAD)
                assert status == 200 and complete_thread(body), f"{path}{THREAD} is not complete"
                baseline_bodies.setdefault(kind, (body, headers.get("Content-Type")))
                log(f"{name}: reads of {path}{THREAD}")
                row[kind] = read_loads(base, path + THREAD, args.seconds)
            row["reads"] = row["json"]
            row["rss"] = worker_rss_mb(master)
            if name in READS_ONLY:
                rows[name] = row
                continue
            poster = commentsvc_api_poster if endpoints.api else commentsvc_poster
            row["posts"] = posts_per_second(poster, base, count=args.posts)
            row["post_path"] = "/api/v1/comments (JSON)" if endpoints.api else "/comments (form)"
            log(f"  posts: {row['posts'][0]:.0f}/s")
            if endpoints.counts:
                row["counts"] = loadgen.measure(
                    base + endpoints.counts, clients=16, seconds=args.seconds
                )
            row["embed"] = embed_size(base, endpoints.embed)
            row["embed_path"] = endpoints.embed
            if url.startswith("sqlite"):
                for size in SCALES:
                    key = f"skala-{size}"
                    first = loadgen.measure(
                        base + endpoints.read + key, clients=16, seconds=args.seconds
                    )
                    last_page = -(-size // 4 // 50)
                    last = loadgen.measure(
                        f"{base}{endpoints.read}{key}&page={last_page}",
                        clients=16,
                        seconds=args.seconds,
                    )
                    scaling[size] = (first, last, last_page)
                    log(f"  {size} comments: first page {first.requests_per_second:.0f}/s")
            rows[name] = row

    # Isso, same gunicorn settings.
    port = free_port()
    config = isso_config(f"http://127.0.0.1:{port}")
    log(f"Isso {ISSO_VERSION}: loading the thread through its API")
    with gunicorn(
        "isso",
        isso_venv / "bin" / "gunicorn",
        "isso.run:application",
        {"ISSO_SETTINGS": str(config)},
        args,
    ) as (base, master):
        load_isso(base)
        read = "/?" + urlencode({"uri": f"/{THREAD}"})
        status, _, body = http_request(base, "GET", read)
        assert status == 200 and len(json.loads(body)["replies"]) == 50, (
            "Isso's thread is not complete"
        )
        log(f"Isso: reads of {read}")
        row = {"reads": read_loads(base, read, args.seconds), "read_path": read}
        row["json"] = row["reads"]
        row["rss"] = worker_rss_mb(master)
        row["posts"] = posts_per_second(isso_poster, base, count=args.posts)
        log(f"  posts: {row['posts'][0]:.0f}/s")
        row["counts"] = loadgen.measure(
            base + "/count", clients=16, seconds=args.seconds, method="POST",
            body=json.dumps([f"/{k}" for k in COUNT_ARTICLES]), content_type="application/json",
        )  # fmt: skip
        row["embed"] = embed_size(base, "/js/embed.min.js")
        row["embed_path"] = "/js/embed.min.js"
        rows["Isso"] = row

    # The ceiling: the same responses from memory (baseline.py: the JSON at /, the page at /embed).
    env = {}
    for kind, prefix in (("json", "BASELINE"), ("frame", "BASELINE_EMBED")):
        if kind in baseline_bodies:
            body_file = WORK / f"baseline-{kind}.body"
            body_file.write_bytes(baseline_bodies[kind][0])
            env[f"{prefix}_BODY"] = str(body_file)
            env[f"{prefix}_CONTENT_TYPE"] = baseline_bodies[kind][1]
    with gunicorn("baseline", ours, "bench.baseline:application", env, args) as (base, master):
        row = {"rss": worker_rss_mb(master)}
        for kind, path in (("json", "/"), ("frame", "/embed")):
            if kind in baseline_bodies:
                log(f"baseline: reads of the precomputed {KIND_NAMES[kind]} at {path}")
                row[kind] = read_loads(base, path, args.seconds)
        row["reads"] = row["json"]
        rows["baseline"] = row

    args.load_after = os.getloadavg()
    report = render(rows, scaling, args, time.monotonic() - started)
    print(report)
    if not args.no_results:
        results = BENCH / "RESULTS.md"
        old = results.read_text() if results.exists() else ""
        results.write_text(report.rstrip() + "\n" + kept_sections(old))
        log("written to bench/RESULTS.md")
    return 0


def kept_sections(old: str) -> str:
    """What RESULTS.md holds from the first section measured by another script on ("" when
    none), with the blank line that separates it from this run's report."""
    starts = [i for i in (section_start(old, title) for title in KEPT_SECTIONS) if i >= 0]
    return "\n" + old[min(starts) :] if starts else ""


def section_start(text: str, title: str) -> int:
    """Where a section whose heading begins with ``title`` starts, or -1."""
    if text.startswith(title):
        return 0
    at = text.find("\n" + title)
    return at + 1 if at >= 0 else -1


# --- the table -----------------------------------------------------------------------------


def machine() -> str:
    model, memory = platform.processor(), ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as cpuinfo:
        names = [line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")]
        model = names[0] if names else model
    with contextlib.suppress(OSError, StopIteration), open("/proc/meminfo") as meminfo:
        kb = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    return (
        f"{model}, {os.cpu_count()} cores{memory}, {platform.platform()}, "
        f"Python {platform.python_version()}"
    )


def load_generator() -> str:
    if not loadgen.WRK:
        return "Python threads (install wrk for better figures)"
    version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()
    return f"wrk {version[1] if len(version) > 1 else ''}".strip()


def ratio(a, b) -> str:
    return f"{a / b:.2f}×" if a and b else "n/a"


READ_TARGETS = {"commentsvc (SQLite)": 0.6, "commentsvc (PostgreSQL)": 0.4}
MEMORY_GOAL_MB = 50
EMBED_GOAL_BYTES = 6_000


def read_targets(rows: dict) -> list[str]:
    """The targets for reads, each with its figure and whether this run meets it."""
    ours, isso, base = rows["commentsvc (SQLite)"], rows["Isso"], rows["baseline"]
    lines = [
        "Targets for reads (reads: commentsvc's reads/s over the baseline's reads/s of the same "
        "body at the same client count):",
    ]
    for kind in KINDS:
        for name, goal in READ_TARGETS.items():
            for c in (16, 64):
                target = (
                    f"- {KIND_NAMES[kind]}, {name}, {c} clients, at least {goal} of the baseline"
                )
                if name not in rows:
                    lines.append(f"{target}: not measured (no --pg)")
                elif kind not in rows[name] or kind not in base:
                    lines.append(f"{target}: not measured (not on this build)")
                else:
                    share = rows[name][kind][c].requests_per_second / (
                        base[kind][c].requests_per_second
                    )
                    lines.append(f"{target}: {share:.2f}, {verdict(share >= goal)}")
    commentsvc = [n for n in READ_TARGETS if n in rows]
    counts = []
    for name in commentsvc:
        if "counts" not in rows[name]:
            counts.append(f"{name} not measured (no counts API on this build)")
            continue
        share = rows[name]["counts"].requests_per_second / isso["counts"].requests_per_second
        counts.append(f"{name} {share:.2f}×, {verdict(share >= 1)}")
    lines.append("- counts of 50 articles at least Isso's rate (16 clients): " + "; ".join(counts))
    if ours["embed"]:
        lines.append(
            f"- embed script at most {EMBED_GOAL_BYTES:,} B gzipped: {ours['embed']:,} B, "
            f"{verdict(ours['embed'] <= EMBED_GOAL_BYTES)}"
        )
    else:
        lines.append(f"- embed script at most {EMBED_GOAL_BYTES:,} B gzipped: no /embed.js")
    memory = [
        f"{name} {rows[name]['rss']:.0f} MB, {verdict(rows[name]['rss'] <= MEMORY_GOAL_MB)}"
        for name in commentsvc
    ]
    lines.append(
        f"- resident memory per worker at most {MEMORY_GOAL_MB} MB (VmRSS after the reads, "
        "mean of the workers): " + "; ".join(memory)
    )
    return lines


def verdict(met: bool) -> str:
    return "met" if met else "not met"


def render(rows: dict, scaling: dict, args, elapsed: float) -> str:
    ours, isso, base = rows["commentsvc (SQLite)"], rows["Isso"], rows["baseline"]
    order = ("Isso", "commentsvc (SQLite)", NO_CACHE, "commentsvc (PostgreSQL)", "baseline")
    names = [n for n in order if n in rows]
    page_note = ""
    if "thread?" in ours["read_path"]:
        page_note = " (the plain HTML page with its form: no JSON API on this build)"
    frame_note = (
        f"; the iframe page `{ours['frame_path']}{THREAD}` (the thread's HTML and the form, as a "
        "host site frames it; Isso has none: its script builds the thread from the JSON)"
        if ours.get("frame_path")
        else "; no iframe page on this build"
    )

    def line(measure: str, show, *ratios: str) -> str:
        cells = []
        for name in names:
            try:
                cells.append(show(rows[name]))
            except (KeyError, TypeError):
                cells.append("n/a")
        return f"| {measure} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |"

    lines = [
        "# Benchmark: commentsvc beside Isso",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; the run took {elapsed / 60:.1f} min",
        f"- machine: {machine()} (shared with other work while it ran: load average "
        f"{args.load_before[0]:.1f} / {args.load_before[1]:.1f} / {args.load_before[2]:.1f} "
        f"before the run, {args.load_after[0]:.1f} / {args.load_after[1]:.1f} / "
        f"{args.load_after[2]:.1f} after it)",
        f"- every server: gunicorn {args.workers} workers × {args.threads} thread(s) on loopback; "
        f"load generator: {load_generator()}, {args.seconds:g} s per measurement",
        f"- Isso {ISSO_VERSION} from PyPI, moderation and guard off; commentsvc with "
        "MODERATION=none and the rate limit off (the same work for both); SQLite unless marked",
        "- the thread: 200 comments, 50 top-level and 150 nested replies, loaded into Isso through "
        "its API and into commentsvc through its service functions; read as Isso "
        f"`{isso['read_path']}` and commentsvc `{ours['read_path']}{THREAD}`{page_note}"
        f"{frame_note}",
        "- baseline: the same gunicorn answering with precomputed copies of commentsvc's JSON "
        "thread (at `/`) and iframe page (at `/embed`) from memory, each with commentsvc's "
        "Content-Type (the ceiling of this machine)",
        "- the *cache off* column is commentsvc on SQLite with `THREAD_CACHE_ENTRIES = 0`, so "
        "every read builds its answer. The thread JSON carries no anti-spam stamp (embed.js "
        "fetches one from `/api/v1/stamp`), so the body is the same for every anonymous reader",
        f"- posts: Isso `POST /new` (JSON) and commentsvc `{ours.get('post_path', '/comments')}`",
        "- command: `make bench BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/EMPTY_DB` "
        f"(= `.venv/bin/python bench/run.py --pg … --seconds {args.seconds:g}`)",
        "",
        "| measure | " + " | ".join(names) + " | commentsvc/Isso | commentsvc/baseline |",
        "| --- | " + " | ".join("---:" for _ in names) + " | ---: | ---: |",
    ]
    for kind in KINDS:
        if kind not in ours or kind not in base:
            continue
        label = "JSON reads/s" if kind == "json" else "iframe page reads/s"
        for c in CONCURRENCY:
            who = f"{c} client{'s' if c > 1 else ''}"
            # Isso serves no page: its iframe rows have no figure to compare with.
            to_isso = "n/a"
            if kind in isso:
                to_isso = ratio(
                    ours[kind][c].requests_per_second, isso[kind][c].requests_per_second
                )
            lines.append(
                line(
                    f"{label}, {who}",
                    lambda r, c=c, kind=kind: f"{r[kind][c].requests_per_second:,.0f}",
                    to_isso,
                    ratio(ours[kind][c].requests_per_second, base[kind][c].requests_per_second),
                )
            )
            lines.append(
                line(
                    f"{'JSON' if kind == 'json' else 'iframe page'} p50 / p99 ms, {who}",
                    lambda r, c=c, kind=kind: f"{r[kind][c].p50_ms:.1f} / {r[kind][c].p99_ms:.1f}",
                    "",
                    "",
                )
            )

    def posts(r):
        failed = f" ({r['posts'][1]} failed)" if r["posts"][1] else ""
        return f"{r['posts'][0]:,.0f}{failed}"

    lines.append(
        line(
            f"comment posts/s ({args.posts} posts, 8 writers)",
            posts,
            ratio(ours["posts"][0], isso["posts"][0]),
            "",
        )
    )
    counts_ratio = "n/a: no counts API on this build"
    if "counts" in ours:
        counts_ratio = ratio(ours["counts"].requests_per_second, isso["counts"].requests_per_second)
    lines.append(
        line(
            "counts of 50 articles, requests/s (16 clients)",
            lambda r: f"{r['counts'].requests_per_second:,.0f}",
            counts_ratio,
            "",
        )
    )
    lines.append(
        line(
            "resident memory per worker, MB",
            lambda r: f"{r['rss']:.0f}",
            ratio(ours["rss"], isso["rss"]),
            "",
        )
    )
    embed_ratio = ratio(ours["embed"], isso["embed"])
    if not ours["embed"]:
        embed_ratio = "n/a: no /embed.js on this build"
    lines.append(
        line(
            "embed script, gzipped",
            lambda r: f"{r['embed']:,} B" if r["embed"] else "n/a",
            embed_ratio,
            "",
        )
    )
    lines += ["", *read_targets(rows)]
    best_ours = max(ours["reads"][c].requests_per_second for c in CONCURRENCY)
    best_isso = max(isso["reads"][c].requests_per_second for c in CONCURRENCY)
    best_base = max(base["reads"][c].requests_per_second for c in CONCURRENCY)
    embed_goal = "n/a on this build (no /embed.js)"
    if ours["embed"] and isso["embed"]:
        embed_goal = f"{ours['embed'] / isso['embed']:.2f} of Isso's"
    lines += [
        "",
        "Targets for JSON reads, best of the three client counts:",
        f"- reads at least 10× Isso's: {best_ours / best_isso:.0f}×",
        f"- reads within half of the baseline: {best_ours / best_base:.2f} of it",
        f"- writes no worse than Isso's: {ratio(ours['posts'][0], isso['posts'][0])}",
        f"- embed script at most a third of Isso's: {embed_goal}",
    ]
    # What one read costs a worker, from the best throughput of each (workers share the cores).
    per_read = {
        n: 1000 * args.workers / max(rows[n]["reads"][c].requests_per_second for c in CONCURRENCY)
        for n in ("commentsvc (SQLite)", "baseline")
    }
    lines += [
        "",
        "Time of a worker per JSON read (workers × 1000 / best reads per second, on cores shared "
        f"with the load generator): baseline {per_read['baseline']:.2f} ms, commentsvc (SQLite) "
        f"{per_read['commentsvc (SQLite)']:.2f} ms.",
    ]
    if "counts" in ours and ours["counts"].requests_per_second < isso["counts"].requests_per_second:
        lines += [
            "",
            "Counts are slower than Isso's: both answer 50 articles with one SQL query, and the "
            "difference is the framework around it (Flask with sessions, locale, rate limiter "
            "and CORS hooks against Isso's bare werkzeug app). Counts answers are small and the "
            "same for everyone, so a CDN in front takes most of them.",
        ]
    errors = {
        n: sum(load.errors for kind in KINDS for load in rows[n].get(kind, {}).values())
        for n in names
    }
    lines += [
        "",
        f"Failed answers during the read runs, JSON and iframe page (non-2xx/3xx or socket): "
        f"{errors}.",
        "",
    ]
    if scaling:
        lines += [
            "## Scaling: one thread of 100, 1,000 and 10,000 comments",
            "",
            "commentsvc on SQLite, 16 clients. A quarter of the comments are top-level; a page "
            "holds 50 of them with all their replies (about 200 comments).",
            "",
            "| comments | first page reads/s | p50 / p99 ms | last page | reads/s | p50 / p99 ms |",
            "| ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for size, (first, last, page) in scaling.items():
            lines.append(
                f"| {size:,} | {first.requests_per_second:,.0f} | "
                f"{first.p50_ms:.1f} / {first.p99_ms:.1f} | {page} | "
                f"{last.requests_per_second:,.0f} | {last.p50_ms:.1f} / {last.p99_ms:.1f} |"
            )
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
