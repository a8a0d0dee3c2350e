"""Gunicorn settings for a checkout: ``gunicorn -c gunicorn.conf.py``.

The settings live in the package (commentsvc/gunicorn_conf.py), so an installed wheel has them
too: ``gunicorn -c python:commentsvc.gunicorn_conf``.
"""

from commentsvc.gunicorn_conf import *  # noqa: F403
