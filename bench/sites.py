"""Reads with several sites beside one site: the same 2,000 threads, once as one site's and
once as two sites' of 1,000 each (the same keys on both), served alike and read alike.

    .venv/bin/python bench/sites.py [--seconds 5] [--write]

Each database (SQLite, bench/.work) holds 2,000 threads of 8 approved comments (2 top-level,
each with 3 replies). The one-site installation has them on the default site (origin
ALLOWED_ORIGINS); the two-site one has sites a and b, each with its origin and the threads
nyhet-1 … nyhet-1000. Both are served by gunicorn as bench/run.py serves commentsvc (2 workers,
loopback) and read with the same Python load generator, 16 clients, each request the next of a
list that walks 200 threads (100 per site with two sites), so the kept answers are many and
per thread; after a warm-up walk, until each worker has read each thread:

- the JSON thread (``/api/v1/comments``) with the Origin of the thread's site, as embed.js reads;
- the iframe page (``/embed``) with ``site=`` (one site: none), as a host page frames it;
- counts of 50 threads (``/api/v1/counts``) with the site's Origin, as a list page asks.

The table is printed; ``--write`` puts it into bench/RESULTS.md as the section "Several sites"
(replacing an earlier one; bench/run.py keeps it).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from argparse import Namespace
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import loadgen  # noqa: E402
import run  # noqa: E402  (its gunicorn, environment and HTTP helpers)

SECTION = "## Several sites: reads with two sites of 1,000 threads beside one site of 2,000"
ONE_ORIGIN = "https://www.example.se"
SITES = {"a": "https://a.example.se", "b": "https://b.example.se"}
THREADS = 2_000
WALK = 200  # threads each measurement walks through
PER_THREAD = 8


def fill(database_url: str, instance: Path, sites: dict[str, str] | None) -> None:
    """Migrate an empty SQLite database and write the threads in bulk (rows as
    threads.post_comment stores them)."""
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from commentsvc import create_app
    from commentsvc import sites as site_registry
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow
    from commentsvc.models.threads import Article, Comment, CommentStatus

    instance.mkdir(parents=True, exist_ok=True)
    os.environ["COMMENTSVC_INSTANCE_PATH"] = str(instance)
    app = create_app({"SECRET_KEY": run.SECRET, "TESTING": True, "DATABASE_URL": database_url})
    with app.app_context():
        upgrade()
        now = utcnow()
        for site, origin in (sites or {}).items():
            site_registry.add_site(site, name=site, origins=[origin], by="bench", now=now)
        owners = list(sites or {"default": ONE_ORIGIN})
        per_site = THREADS // len(owners)
        db.session.execute(
            insert(Article),
            [
                {
                    "site_id": site,
                    "key": f"nyhet-{n}",
                    "title": f"Nyhet {n}",
                    "url": "",
                    "closed": False,
                    "created_at": now,
                }
                for site in owners
                for n in range(1, per_site + 1)
            ],
        )
        ids = db.session.execute(db.select(Article.id).order_by(Article.id)).scalars().all()
        rows, next_id = [], 1
        start = now - timedelta(days=1)
        for article_id in ids:
            for n in range(PER_THREAD):
                top = n % 4 == 0
                rows.append(
                    {
                        "id": next_id,
                        "article_id": article_id,
                        "parent_id": None if top else next_id - 1,
                        "root_id": None if top else next_id - n % 4,
                        "depth": n % 4 + 1,
                        "status": CommentStatus.APPROVED,
                        "text": run.TEXT.format(n=n),
                        "html": f"<p>{run.TEXT.format(n=n)}</p>",
                        "author": f"Läsare {n}",
                        "email": f"lasare{n}@example.se",
                        "website": "",
                        "ip": "192.0.2.0",
                        "held_for": "",
                        "avatar": "0123456789abcdef0123456789abcdef",
                        "created_at": start + timedelta(seconds=next_id),
                        "decided_at": start + timedelta(seconds=next_id),
                    }
                )
                next_id += 1
        db.session.execute(insert(Comment), rows)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def requests_for(sites: dict[str, str] | None) -> dict[str, list[tuple[str, dict]]]:
    """Each measure's walk: (path, headers), the sites taking turns."""
    owners = sites or {"": ONE_ORIGIN}
    keys = [f"nyhet-{n}" for n in range(1, WALK // len(owners) + 1)]
    walk = [(key, site, origin) for key in keys for site, origin in owners.items()]
    counted = [f"nyhet-{n}" for n in range(1, 51)]
    return {
        "json": [
            ("/api/v1/comments?" + urlencode({"article": k}), {"Origin": o}) for k, _s, o in walk
        ],
        "frame": [
            ("/embed?" + urlencode({"article": k, **({"site": s} if s else {})}), {})
            for k, s, _o in walk
        ],
        "counts": [
            ("/api/v1/counts?" + urlencode([("article", k) for k in counted]), {"Origin": o})
            for o in owners.values()
        ],
    }


def check(base: str, requests: dict[str, list[tuple[str, dict]]], sites) -> None:
    """Every walk answers 200 with the thread (a site's own, not the other's)."""
    for kind, walk in requests.items():
        for path, headers in walk[:4]:
            status, _, body = run.http_request(base, "GET", path, headers=headers)
            assert status == 200, (kind, path, status, body[:200])
            if kind != "counts":
                assert b"Kommentar 7:" in body, (kind, path)


def warm_up(base: str, walk: list[tuple[str, dict]], args) -> None:
    """Walk until every worker has read every thread (the rate stops rising): the figures are
    of reads as a site's readers make them, answered from memory; a thread's first read in a
    worker costs tens of milliseconds, and 200 of them per worker would fill the measurement."""
    best = 0.0
    for _ in range(10):
        rate = loadgen.measure_walk(base, walk, clients=args.clients, seconds=2).requests_per_second
        if rate < best * 1.1:
            return
        best = max(best, rate)


NAMES = {"json": "JSON thread", "frame": "iframe page", "counts": "counts of 50 threads"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="runs per measure (the median)")
    parser.add_argument("--write", action="store_true", help="write into bench/RESULTS.md")
    args = parser.parse_args()
    run.WORK.mkdir(exist_ok=True)
    serve = Namespace(workers=2, threads=1)
    ours = Path(sys.executable).with_name("gunicorn")
    started = time.monotonic()
    args.load_before = os.getloadavg()
    figures: dict[str, dict[str, loadgen.Load]] = {}
    for name, sites in (("one", None), ("two", SITES)):
        url = run.empty_sqlite(run.WORK / f"sites-{name}.db")
        instance = run.WORK / f"instance-sites-{name}"
        run.log(f"{name} site(s): writing {THREADS:,} threads")
        fill(url, instance, sites)
        env = {
            **run.commentsvc_env(url, instance),
            "COMMENTSVC_ALLOWED_ORIGINS": f'["{ONE_ORIGIN}"]',
        }
        requests = requests_for(sites)
        with run.gunicorn(f"sites-{name}", ours, "wsgi:app", env, serve) as (base, _master):
            check(base, requests, sites)
            figures[name] = {}
            for kind, walk in requests.items():
                warm_up(base, walk, args)
                # The machine is shared: the median of a few runs, by rate.
                runs = sorted(
                    (
                        loadgen.measure_walk(base, walk, clients=args.clients, seconds=args.seconds)
                        for _ in range(args.rounds)
                    ),
                    key=lambda load: load.requests_per_second,
                )
                load = runs[len(runs) // 2]
                figures[name][kind] = load
                run.log(f"  {NAMES[kind]}: {load.requests_per_second:,.0f}/s")
    lines = table(figures, args)
    print("\n".join(lines))
    run.log(f"took {(time.monotonic() - started) / 60:.1f} min")
    if args.write:
        write(lines, args)
    return 0


def table(figures: dict[str, dict[str, loadgen.Load]], args) -> list[str]:
    lines = [
        f"| measure ({args.clients} clients) | one site, 2,000 threads | "
        "two sites, 1,000 threads each | two / one |",
        "| --- | ---: | ---: | ---: |",
    ]
    for kind, name in NAMES.items():
        one, two = figures["one"][kind], figures["two"][kind]
        lines.append(
            f"| {name}, reads/s | {one.requests_per_second:,.0f} | "
            f"{two.requests_per_second:,.0f} | "
            f"{two.requests_per_second / max(one.requests_per_second, 1e-9):.2f}× |"
        )
        lines.append(
            f"| {name}, p50 / p99 ms | {one.p50_ms:.1f} / {one.p99_ms:.1f} | "
            f"{two.p50_ms:.1f} / {two.p99_ms:.1f} |  |"
        )
    errors = {n: sum(load.errors for load in f.values()) for n, f in figures.items()}
    lines.append(f"| failed answers | {errors['one']} | {errors['two']} |  |")
    return lines


def write(lines: list[str], args) -> None:
    """Put the table into bench/RESULTS.md as its section (an earlier one replaced)."""
    results = BENCH / "RESULTS.md"
    report = results.read_text() if results.exists() else ""
    start = report.find(SECTION)
    if start >= 0:
        end = report.find("\n## ", start + len(SECTION))
        report = report[:start] + (report[end + 1 :] if end >= 0 else "")
    body = [
        SECTION,
        "",
        f"`bench/sites.py` ({run.machine()}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
        f"; SQLite, gunicorn 2 workers on loopback, the Python load generator, {args.seconds:g} s"
        f" per run, the median of {args.rounds} runs). The same 2,000 threads of {PER_THREAD}"
        " comments, as one site's and as two sites' (the same keys on both); each measurement"
        " walks "
        f"{WALK} threads (with two sites, 100 of each, taking turns), every request from its"
        " site's Origin (the iframe page: with `site=`). The iframe page's form carries an"
        " anti-spam stamp at most a second old, so a kept page serves for a second: walking 200"
        " threads, nearly every read of it is rendered anew, with one site as with two. The"
        " machine was shared with other work: load average "
        + " / ".join(f"{n:.1f}" for n in args.load_before)
        + " before the run, "
        + " / ".join(f"{n:.1f}" for n in os.getloadavg())
        + " after it.",
        "",
        *lines,
        "",
    ]
    results.write_text(report.rstrip() + "\n\n" + "\n".join(body))


if __name__ == "__main__":
    sys.exit(main())
