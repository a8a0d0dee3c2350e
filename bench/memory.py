"""Resident memory of a commentsvc worker after reads, quickly and on its own.

    .venv/bin/python bench/memory.py [--pg URL] [--requests 3000]

Loads the benchmark's thread of 200 nested comments (bench/run.py's loader), starts gunicorn
with the project's settings (``-c python:commentsvc.gunicorn_conf``), 2 sync workers on
loopback, reads the JSON thread and the iframe page ``--requests`` times each, then prints
VmRSS of every worker (/proc/<pid>/status), as ``make bench`` measures it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import run  # noqa: E402  (the benchmark's loader, server helpers and RSS reader)


def worker_rss(master: int, field: str = "VmRSS", name: str = "status") -> list[float]:
    """``field`` (kB) of each worker in /proc/<pid>/``name``, in MB, smallest first."""
    sizes = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) != master:
                continue
            status = (stat.parent / name).read_text()
        except (OSError, IndexError):
            continue
        line = next(x for x in status.splitlines() if x.startswith(field + ":"))
        kb = int(line.split()[1])
        sizes.append(kb / 1024)
    return sorted(sizes)


@contextlib.contextmanager
def server(env: dict, workers: int):
    port = run.free_port()
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "-c", "python:commentsvc.gunicorn_conf",
        "--workers", str(workers),
        "--threads", "1",
        "--bind", f"127.0.0.1:{port}",
        "--access-logfile", "/dev/null",
        "--max-requests", "0",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=run.PROJECT, env={**os.environ, **env})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                run.http_request(base, "GET", "/healthz")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="an empty PostgreSQL database URL (else SQLite)")
    parser.add_argument("--requests", type=int, default=3000, help="reads of each page")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-load", action="store_true", help="reuse the loaded database")
    args = parser.parse_args()
    run.WORK.mkdir(exist_ok=True)
    if args.pg:
        url, instance = args.pg, run.WORK / "memory-pg"
    else:
        db = run.WORK / "memory.db"
        url, instance = f"sqlite:///{db}", run.WORK / "memory-sqlite"
        if not args.no_load:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
    if not args.no_load:
        # In a child process, so this process's imports do not matter.
        subprocess.run(
            [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(BENCH)!r}); import run; "
             f"from pathlib import Path; run.prepare_commentsvc({url!r}, Path({str(instance)!r}),"
             " scales=False)"],
            check=True,
        )  # fmt: skip
    with server(run.commentsvc_env(url, instance), args.workers) as (base, master):
        paths = [f"/api/v1/comments?article={run.THREAD}", f"/embed?article={run.THREAD}"]
        for path in paths:
            status, _, _ = run.http_request(base, "GET", path)
            assert status == 200, (path, status)
        started = worker_rss(master)

        def read(n: int) -> int:
            return run.http_request(base, "GET", paths[n % 2])[0]

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(read, range(2 * args.requests)))
        assert all(s == 200 for s in statuses), set(statuses)
        after = worker_rss(master)
        shares = worker_rss(master, "Pss", "smaps_rollup")
    engine = "PostgreSQL" if args.pg else "SQLite"
    print(
        f"{engine}: VmRSS per worker after the first reads "
        + ", ".join(f"{s:.1f}" for s in started)
        + " MB; after "
        + f"{2 * args.requests} reads "
        + ", ".join(f"{s:.1f}" for s in after)
        + f" MB (mean {sum(after) / len(after):.1f} MB); proportional (Pss) "
        + ", ".join(f"{s:.1f}" for s in shares)
        + " MB"
    )


if __name__ == "__main__":
    main()
