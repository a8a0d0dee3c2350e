"""What the service writes to its logs: never an email address, a link's token or a full IP.

Logs outlive an erasure (they are rotated, shipped, kept by others), so nothing in them may
name a person. ``redact`` is the one rule, applied where lines are written:

- the application's own messages (the ``commentsvc`` logger and those under it, and
  Flask-Limiter's: ``install``);
- gunicorn's access log and error log (``commentsvc.gunicorn_conf`` sets its logger class
  to ``gunicorn_logger()``'s), whose request line and Referer carry query strings.

An address becomes ``[address]``; a ``token=`` or ``own=`` value, or a long random-looking
string (as a token is), ``[token]``; an IP address keeps its network only (``anonymize_ip``:
``192.0.2.10`` is logged as ``192.0.2.0``), as it is stored.

Every line's time is UTC and says so (``2026-12-07T13:02:11.123Z``, gunicorn's ``+0000``): a
log is read beside other machines' logs and the database's UTC times, and a server's local
clock jumps an hour twice a year.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import time
import traceback

from commentsvc.privacy.addresses import anonymize_ip

# Query parameters whose values are secrets or personal: their values never reach a log.
SECRET_PARAMETERS = ("token", "own", "email", "address", "edit_token")
_NAMES = "|".join(SECRET_PARAMETERS)
_PARAMETER = re.compile(rf"(?P<key>(?<![\w-])(?:{_NAMES})=)[^&\s\"'#;]*", re.IGNORECASE)
# An address, also percent-encoded (%40) as it is in a query string.
_ADDRESS = re.compile(r"[\w.+%'-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
# Random-looking: 22 or more URL-safe characters (an opaque token has 43) with lower and upper
# case letters and a digit. A slug (soi-mitt-startar) or a path is not mistaken for one.
_RANDOM = re.compile(r"(?<![\w-])[A-Za-z0-9_\-.]{22,}(?![\w-])")
_IPV4 = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])")
_IPV6 = re.compile(r"(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")


def _looks_random(text: str) -> bool:
    return (
        any(c.islower() for c in text)
        and any(c.isupper() for c in text)
        and any(c.isdigit() for c in text)
    )


def _network(match: re.Match) -> str:
    text = match.group(0)
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return text  # a time of day (12:35:11), a version, not an address
    if ip.is_loopback or ip.is_unspecified:
        return text  # the server's own (gunicorn's "Listening at"), nobody's address
    return anonymize_ip(text)


def redact(text: str) -> str:
    """``text`` with addresses, tokens and full IP addresses taken out."""
    if not text:
        return text
    text = _PARAMETER.sub(lambda m: m.group("key") + "[token]", text)
    text = _ADDRESS.sub("[address]", text)
    text = _RANDOM.sub(lambda m: "[token]" if _looks_random(m.group(0)) else m.group(0), text)
    text = _IPV4.sub(_network, text)
    return _IPV6.sub(_network, text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (and its traceback) through ``redact`` before a handler
    formats it; it never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what there is, redacted
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


REDACTING = RedactingFilter()


class UTCFormatter(logging.Formatter):
    """``[2026-12-07T13:02:11.123Z] INFO in audit: ...``: the time in UTC, saying so."""

    converter = time.gmtime
    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"


#: Flask's own line, with its time in UTC.
LINE_FORMAT = "[%(asctime)s] %(levelname)s in %(module)s: %(message)s"


# The loggers the service writes to: its own (the app's is "commentsvc"), Flask-Limiter's,
# whose storage news ratelimits.log_storage_faults passes on, and the development server's
# request lines (`make run`).
OWN_LOGGERS = ("commentsvc", "flask-limiter", "werkzeug")


def install() -> None:
    """Put the filter on each of the service's loggers, and on Flask's handler.

    On the loggers, because a record goes up to the handlers of the loggers above it without
    their filters: where the host configured logging (a root handler), Flask adds no handler
    of its own and the app's messages go straight there. The filter rewrites the record
    itself, so every handler that gets it writes the redacted line."""
    from flask.logging import default_handler

    names = [
        name
        for name in logging.root.manager.loggerDict
        if name in OWN_LOGGERS or name.startswith("commentsvc.")
    ]
    for name in {*OWN_LOGGERS, *names}:
        logger = logging.getLogger(name)
        if REDACTING not in logger.filters:
            logger.addFilter(REDACTING)
    if REDACTING not in default_handler.filters:
        default_handler.addFilter(REDACTING)
    default_handler.setFormatter(UTCFormatter(LINE_FORMAT))


def gunicorn_logger():
    """Gunicorn's logger with every access-log and error-log line redacted (the request line
    and Referer carry query strings; ``h`` and forwarded headers carry the client's IP). The
    filter redacts the formatted line once: the access log's atoms, one per header, are not
    redacted one by one on every request."""
    from gunicorn.glogging import Logger

    class PrivateLogger(Logger):
        def setup(self, cfg):
            super().setup(cfg)
            for log in (self.error_log, self.access_log):
                if REDACTING not in log.filters:
                    log.addFilter(REDACTING)
            for handler in self.error_log.handlers:
                if handler.formatter is not None:
                    handler.formatter.converter = time.gmtime  # its "%z" then says +0000

        def now(self):
            """The access log's time (``%(t)s``) in UTC: ``[07/Dec/2026:13:02:11 +0000]``."""
            return time.strftime("[%d/%b/%Y:%H:%M:%S +0000]", time.gmtime())

    return PrivateLogger
