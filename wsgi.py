"""The WSGI entry point: ``gunicorn wsgi:app``. The only application made at import."""

from commentsvc import create_app

app = create_app()
