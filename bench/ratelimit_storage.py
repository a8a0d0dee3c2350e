"""What the rate limit storage costs a posted comment (printed, not asserted).

    .venv/bin/python bench/ratelimit_storage.py [N] [--redis redis://127.0.0.1:6379/15]

Posts N comments through the JSON API in one process (Flask's test client, a SQLite file),
each from its own address (X-Forwarded-For behind one trusted proxy, so no limit refuses
one), once with the limits off and once per storage: ``memory://`` (each worker alone),
``database://`` (the default since issue 21: one budget for every worker of the machine) and,
when given, Redis. Prints comments per second and the time each storage adds to a post.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from commentsvc import create_app, threads
from commentsvc.extensions import db

ORIGIN = "https://www.example.se"


def posts_per_second(storage: str | None, total: int) -> float:
    work = Path(tempfile.mkdtemp())
    config = {
        "SECRET_KEY": "bench",
        "DATABASE_URL": f"sqlite:///{work}/bench.db",
        "TESTING": True,
        "MIN_SUBMIT_SECONDS": 0,
        "ALLOWED_ORIGINS": [ORIGIN],
        "TRUSTED_PROXIES": 1,
        "MODERATION": "none",
        "RATELIMIT_ENABLED": storage is not None,
    }
    if storage:
        config["RATELIMIT_STORAGE_URI"] = storage
    app = create_app(config)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        threads.create_article("bench", title="Bench")
        db.session.commit()
    client = app.test_client()

    def post(i: int) -> None:
        response = client.post(
            "/api/v1/comments",
            json={
                "article": "bench",
                "comment": f"Kommentar {i}",
                "author": f"Läsare {i}",
                "email": f"lasare{i}@example.se",
            },
            headers={
                "Origin": ORIGIN,
                "X-Forwarded-For": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",
            },
        )
        assert response.status_code in (201, 202), (response.status_code, response.get_data())

    for i in range(20):  # warm up: imports, the first connection, the templates
        post(10_000_000 + i)
    start = time.perf_counter()
    for i in range(total):
        post(i)
    return total / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("total", nargs="?", type=int, default=500)
    parser.add_argument("--redis", help="also measure Redis, e.g. redis://127.0.0.1:6379/15")
    args = parser.parse_args()
    storages: list[tuple[str, str | None]] = [
        ("limits off", None),
        ("memory://", "memory://"),
        ("database:// (default)", "database://"),
    ]
    if args.redis:
        storages.append(("redis", args.redis))
    off = None
    print(f"{args.total} API posts, one process, SQLite file, each from its own address")
    print(f"{'storage':24} {'posts/s':>8} {'ms/post':>8} {'added ms':>9}")
    for name, storage in storages:
        rate = posts_per_second(storage, args.total)
        per_post = 1000 / rate
        off = per_post if off is None else off
        print(f"{name:24} {rate:8.0f} {per_post:8.2f} {per_post - off:9.2f}")


if __name__ == "__main__":
    main()
