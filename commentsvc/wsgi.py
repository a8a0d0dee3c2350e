"""The WSGI entry point: ``gunicorn commentsvc.wsgi:app``. The only application made at import."""

import sys

from commentsvc import create_app
from commentsvc.config import ConfigError

# gunicorn's exit code for "App failed to load": its master then stops, instead of starting
# new workers that fail the same way for ever.
APP_LOAD_ERROR = 4

try:
    app = create_app()
except ConfigError as error:
    # One line that says what to set, not a traceback around it (the message names the key,
    # never its value). Each worker that got this far says it once.
    print(f"commentsvc: {error.format_message()}", file=sys.stderr, flush=True)
    raise SystemExit(APP_LOAD_ERROR) from None
