"""Gunicorn settings for production: ``gunicorn -c python:commentsvc.gunicorn_conf``.

They ship inside the package, so an installed wheel needs no file of its own; a checkout's
``gunicorn -c gunicorn.conf.py`` reads the same settings.

Every setting can be changed from the environment (``GUNICORN_WORKERS=8`` ...), so the same
file serves a small VM and a large one. Gunicorn's own ``GUNICORN_CMD_ARGS`` still works too.
"""

import multiprocessing
import os

from commentsvc.logs import gunicorn_logger

wsgi_app = "commentsvc.wsgi:app"
# Loopback unless told otherwise: gunicorn's workers read a request's headers themselves, so a
# few clients sending them slowly (16 connections, a byte at a time) hold every worker; the
# documented nginx in front buffers whole requests. PORT picks the port (gunicorn's own default
# with PORT set would listen on every interface); GUNICORN_BIND anything else.
bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT') or 8000}"
# Processes: one per core and one more is a good start for a mostly-I/O web app.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
# Threads per process: a worker keeps serving reads while another thread waits for the database.
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))  # a stuck request is ended after this
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak cannot grow forever; jitter avoids all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "1000"))
# Logs to stdout/stderr, where systemd, Docker or Kubernetes collect them. They outlive an
# erasure, so no line names a person: the request line and Referer lose their tokens and
# addresses, a client's IP keeps its network only (commentsvc/logs.py).
logger_class = gunicorn_logger()
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# Load the app in each worker after the fork, so no database connection is shared by processes.
preload_app = False


def on_starting(server) -> None:
    """Check the configuration once, in a short-lived process, before any worker starts.

    Each worker builds the app after the fork (``preload_app = False``), and one that meets a
    configuration error says so in one line and exits with gunicorn's "App failed to load"
    (commentsvc/wsgi.py). With several workers failing at once, gunicorn's master can then
    trip over its own stop and print a traceback; checked here, the line is printed once and
    gunicorn exits before it listens. A separate process keeps the app's imports out of the
    master, whose memory every worker would otherwise start from.
    """
    import subprocess
    import sys

    check = subprocess.run(
        [sys.executable, "-c", "import commentsvc.wsgi"],
        capture_output=True,
        text=True,
        check=False,
    )
    if check.returncode:
        sys.stderr.write(check.stderr)  # our line (or, for a bug, the traceback to read)
        sys.exit(check.returncode)
