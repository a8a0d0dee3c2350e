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
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
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
