"""The WSGI entry point of a checkout: ``gunicorn wsgi:app`` (the same as ``commentsvc.wsgi``)."""

from commentsvc.wsgi import app

__all__ = ["app"]
