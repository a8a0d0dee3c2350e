"""How soon a new comment reaches anonymous readers: of the same instance, and of another one.

    .venv/bin/python bench/freshness.py [--db URL ...] [--rounds 200] [--write]

Starts two commentsvc instances, A and B (separate gunicorn processes, 2 workers each, the same
database, loopback) on each database given with ``--db``: by default a SQLite file under
bench/.work (made anew); a SQLite URL names a file that is made anew, a PostgreSQL URL an EMPTY
database (it is wiped). The benchmark's data is loaded as `make bench` loads it. Then, round
by round, a comment is posted through A's JSON API (MODERATION=none, the rate limit off) and,
from its 201 on, the page it landed on (``GET /api/v1/comments?article=…&page=…``) is read
anonymously (no cookie, no X-Own-Comments, a new connection each read) until the comment is in
it. Rounds take turns reading A (the same instance; its other worker may answer) and B (the
other instance), ``--rounds`` each. Meanwhile four anonymous readers keep B's workers busy
with the JSON of the same thread and of the benchmark's thread of 200 comments, as readers
would (not with the iframe page: at some 80 ms a read on a 2-core machine it left room for
fewer than half of the rounds).

The delay runs from the 201's arrival to the arrival of the first answer that holds the
comment, so it includes that read's own time; a stale read is an answer without it (an answer
other than 200 counts as a failed read). A comment not seen within ``--give-up`` seconds counts
as never seen. Prints p50 / p99 / max of the delay
and the stale reads per database and instance read; with ``--write`` puts them into the
"## Freshness" section of bench/RESULTS.md (replaced if there, else appended; the rest of the
file stays). Bounded: the rounds stop after ``--max-seconds``; a database takes about a minute
and a half by default.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import run  # the benchmark's loader and server helpers

ARTICLE = run.POSTS  # empty after loading: the rounds' comments are all it holds
RESULTS = run.BENCH / "RESULTS.md"
SECTION = "## Freshness"
READERS = 4
WORKERS = 2
TARGETS = ("same instance (A)", "other instance (B)")


@dataclass
class Freshness:
    delays_ms: list[float] = field(default_factory=list)
    stale_reads: int = 0
    rounds_with_stale: int = 0
    never_seen: int = 0
    failed_reads: int = 0

    @property
    def rounds(self) -> int:
        return len(self.delays_ms) + self.never_seen

    def summary(self) -> str:
        if not self.delays_ms:
            return "never seen"
        ordered = sorted(self.delays_ms)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return f"{statistics.median(ordered):.1f} / {p99:.1f} / {ordered[-1]:.1f}"


def comment_ids(nodes: list[dict]):
    for node in nodes:
        yield node["id"]
        yield from comment_ids(node.get("replies", []))


def shows(body: bytes, comment_id: int) -> bool:
    return comment_id in comment_ids(json.loads(body)["comments"])


def background_readers(base: str, stop: threading.Event) -> list[threading.Thread]:
    """Anonymous readers of ``base``, each on its own kept connection, until ``stop``."""
    paths = [
        f"/api/v1/comments?article={ARTICLE}",
        f"/api/v1/comments?article={run.THREAD}",
    ]
    host, port = base.removeprefix("http://").split(":")

    def reader(offset: int) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        n = offset
        while not stop.is_set():
            try:
                connection.request("GET", paths[n % len(paths)])
                connection.getresponse().read()
            except (OSError, http.client.HTTPException):
                connection.close()
                time.sleep(0.05)
            n += 1
        connection.close()

    threads = [threading.Thread(target=reader, args=(n,), daemon=True) for n in range(READERS)]
    for thread in threads:
        thread.start()
    return threads


def one_round(writer: str, reader: str, n: int, result: Freshness, args) -> None:
    status, data = run.commentsvc_api_post(writer, ARTICLE, n)
    if status != 201:
        raise RuntimeError(f"the post was refused: {status} {data[:200]!r}")
    posted = time.perf_counter()
    created = json.loads(data)
    comment_id, page = created["comment"]["id"], created["page"]
    path = f"/api/v1/comments?article={ARTICLE}&page={page}"
    stale = 0
    while True:
        status, _, body = run.http_request(reader, "GET", path)
        now = time.perf_counter()
        if status == 200 and shows(body, comment_id):
            result.delays_ms.append((now - posted) * 1000)
            break
        if status == 200:
            stale += 1
        else:
            result.failed_reads += 1
        if now - posted > args.give_up:
            result.never_seen += 1
            break
        time.sleep(args.interval)
    result.stale_reads += stale
    result.rounds_with_stale += bool(stale)


def measure(url: str, args) -> dict[str, Freshness]:
    instance = run.WORK / "instance-freshness"
    run.log(f"{label(url)}: loading the benchmark's data")
    run.prepare_commentsvc(url, instance, scales=False)
    ours = Path(sys.executable).with_name("gunicorn")
    env = run.commentsvc_env(url, instance)
    settings = SimpleNamespace(workers=WORKERS, threads=1)
    results = {target: Freshness() for target in TARGETS}
    with (
        run.gunicorn("freshness-a", ours, "wsgi:app", env, settings) as (a, _),
        run.gunicorn("freshness-b", ours, "wsgi:app", env, settings) as (b, _),
    ):
        stop = threading.Event()
        readers = background_readers(b, stop)
        deadline = time.monotonic() + args.max_seconds
        try:
            for n in range(args.rounds * len(TARGETS)):
                if time.monotonic() > deadline:
                    run.log(f"  stopped after {n} rounds (--max-seconds {args.max_seconds:g})")
                    break
                target = TARGETS[n % len(TARGETS)]
                one_round(a, a if target == TARGETS[0] else b, n, results[target], args)
        finally:
            stop.set()
            for thread in readers:
                thread.join(timeout=35)
    for target, result in results.items():
        run.log(
            f"  {target}: {result.summary()} ms, {result.stale_reads} stale reads, "
            f"{result.failed_reads} failed"
        )
    return results


def notify_delays_ms(url: str, count: int = 200) -> list[float]:
    """PostgreSQL alone: from a writing statement's start to its NOTIFY (the trigger of
    migration 0012) reaching a listening connection, as a worker's listener gets it."""
    import psycopg

    conninfo = url.replace("postgresql+psycopg://", "postgresql://", 1)
    delays = []
    with (
        psycopg.connect(conninfo, autocommit=True) as listener,
        psycopg.connect(conninfo, autocommit=True) as writer,
    ):
        listener.execute("LISTEN commentsvc")
        for _ in range(count):
            started = time.perf_counter()
            writer.execute(
                "UPDATE article SET version = version + 1 WHERE id = (SELECT min(id) FROM article)"
            )
            next(listener.notifies(timeout=5, stop_after=1))
            delays.append((time.perf_counter() - started) * 1000)
    return delays


def label(url: str) -> str:
    return "SQLite" if url.startswith("sqlite") else "PostgreSQL"


def service_version() -> str:
    """The last commit of the service's code, and whether the checkout differs from it."""
    git = ["git", "-C", str(run.PROJECT)]
    commit = subprocess.run(
        [*git, "log", "-1", "--format=%h", "--", "commentsvc"], capture_output=True, text=True
    ).stdout.strip()
    changed = subprocess.run([*git, "diff", "--quiet", "HEAD", "--", "commentsvc"]).returncode
    return f"{commit or 'unknown'}{' with changes' if changed else ''}"


def render(measured: dict[str, dict[str, Freshness]], args) -> str:
    lines = [
        f"{SECTION}: how soon a new comment reaches anonymous readers",
        "",
        f"`bench/freshness.py` on commentsvc at {service_version()} "
        f"({datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {run.machine()}, load "
        f"average {os.getloadavg()[1]:.1f} over the last 5 minutes at the end): two "
        f"commentsvc instances A and B (gunicorn, {WORKERS} sync workers each, the same "
        "database, loopback). A comment is posted through A's JSON API, then the page it landed "
        "on is read anonymously (no cookie, no X-Own-Comments, a new connection each read) from "
        "A or from B, in turns, until the comment is in it; meanwhile "
        f"{READERS} anonymous readers keep B's workers busy. Delay: from the 201 to the first "
        "answer that holds the comment, that read's own time included. A stale read is an "
        f"answer without it; a comment not seen within {args.give_up:g} s counts as never seen.",
        "",
        "| database | read from | rounds | delay ms, p50 / p99 / max | stale reads "
        "| rounds with a stale read | never seen | failed reads |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for database, results in measured.items():
        for target, result in results.items():
            lines.append(
                f"| {database} | {target} | {result.rounds} | {result.summary()} | "
                f"{result.stale_reads} | {result.rounds_with_stale} | {result.never_seen} | "
                f"{result.failed_reads} |"
            )
    for database, delays in getattr(args, "notify_delays", {}).items():
        ordered = sorted(delays)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        lines += [
            "",
            f"{database}: from a write's statement to its NOTIFY at a listening connection "
            f"(the workers' listener), {len(ordered)} writes: p50 {statistics.median(ordered):.2f}"
            f" ms, p99 {p99:.2f} ms, max {ordered[-1]:.2f} ms. This is how long another worker "
            "or instance may still answer a read from memory after a write commits; the delays "
            "above are mostly the first read's own time, which builds the answer anew.",
        ]
    return "\n".join(lines) + "\n"


def with_section(text: str, section: str) -> str:
    """``text`` with its freshness section replaced by ``section`` (appended when absent)."""
    start = run.section_start(text, SECTION)
    if start < 0:
        return text.rstrip() + "\n\n" + section if text.strip() else section
    following = text.find("\n## ", start + len(SECTION))
    rest = text[following + 1 :] if following >= 0 else ""
    return text[:start] + section + ("\n" + rest if rest else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db",
        action="append",
        help="a database to measure on (repeatable): a SQLite URL (the file is made anew) or an "
        "EMPTY PostgreSQL database (wiped); default: a SQLite file under bench/.work",
    )
    parser.add_argument("--rounds", type=int, default=200, help="comments read from each instance")
    parser.add_argument("--interval", type=float, default=0.005, help="seconds between reads")
    parser.add_argument("--give-up", type=float, default=15, help="seconds to wait for a comment")
    parser.add_argument("--max-seconds", type=float, default=60, help="time for the rounds")
    parser.add_argument("--write", action="store_true", help="write the section in RESULTS.md")
    args = parser.parse_args()
    run.WORK.mkdir(exist_ok=True)
    measured = {}
    for url in args.db or [f"sqlite:///{run.WORK / 'freshness.db'}"]:
        if url.startswith("sqlite:///"):
            url = run.empty_sqlite(Path(url.removeprefix("sqlite:///")))
        measured[label(url)] = measure(url, args)
        if url.startswith("postgresql"):
            args.notify_delays = {label(url): notify_delays_ms(url)}
    section = render(measured, args)
    print(section)
    if args.write:
        RESULTS.write_text(with_section(RESULTS.read_text() if RESULTS.exists() else "", section))
        run.log("written to bench/RESULTS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
