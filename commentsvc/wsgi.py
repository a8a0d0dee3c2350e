"""The WSGI entry point: ``gunicorn commentsvc.wsgi:app``. The only application made at import."""

from commentsvc import create_app

app = create_app()
