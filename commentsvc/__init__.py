"""commentsvc: comments and threaded discussion under the articles of a news site."""

from __future__ import annotations

import os
from importlib import resources
from typing import Any

from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from commentsvc import cli, dates, errors, logs, memory, threads
from commentsvc.config import load_config
from commentsvc.extensions import babel, compress, csrf, db, init_migrate
from commentsvc.forms.comment import MAX_ID
from commentsvc.moderation.auth import ModeratorSessionInterface
from commentsvc.notify import events as notify_events
from commentsvc.privacy.addresses import accessibility_statement
from commentsvc.privacy.addresses import notice as privacy_notice
from commentsvc.ratelimits import init_limiter, log_storage_faults
from commentsvc.setting_specs import LANGUAGES
from commentsvc.sites import effective_config
from commentsvc.views import _site as request_sites
from commentsvc.views import api, embed, feeds, public
from commentsvc.views import moderation as moderation_pages
from commentsvc.views import reports as report_pages
from commentsvc.views import subscriptions as subscription_pages
from commentsvc.web import assets, deployment, readcache, security
from commentsvc.weburls import public_url, safe_href

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
PROJECT_DIR = os.path.dirname(PACKAGE_DIR)
# The templates are the package ``commentsvc.templates``: in a wheel a folder inside the
# package, in an editable checkout the top-level templates/ mapped there by pyproject.toml.
TEMPLATES_DIR = str(resources.files("commentsvc.templates"))


def default_instance_path() -> str:
    """``instance/`` of the checkout when run from one, else ``instance/`` of the working folder.

    An installed wheel lives in site-packages, which is no place for a database or a secret.
    """
    if os.path.exists(os.path.join(PROJECT_DIR, "pyproject.toml")):
        return os.path.join(PROJECT_DIR, "instance")
    return os.path.abspath("instance")


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration layers, then extensions, blueprints, errors, CLI."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("COMMENTSVC_INSTANCE_PATH") or default_instance_path(),
        instance_relative_config=True,
        template_folder=TEMPLATES_DIR,
    )
    os.makedirs(app.instance_path, exist_ok=True)
    load_config(app, test_config)
    logs.install()  # no address, token or full IP in a log line
    deployment.check_sqlite_writable(app)
    deployment.trust_proxies(app)
    assets.install(app)
    register_extensions(app)
    register_blueprints(app)
    errors.register_errorhandlers(app)
    cli.register_commands(app)
    notify_events.connect()  # what follows a comment's life: lifecycle.py
    memory.install(app)  # the one store of what a worker keeps in memory
    readcache.install(app)  # outermost: a repeated anonymous read stops here
    return app


def select_locale() -> str:
    """The reader's language: an explicit ``lang``, their browser's when allowed, or the
    site's."""
    try:
        config = effective_config()
    except SQLAlchemyError:
        # The database is down (the 503 page is being made): the installation's language.
        config = current_app.config
    if not has_request_context():  # commands and workers speak their site's language
        return config["LANGUAGE"]
    wanted = request.args.get("lang") or request.form.get("lang")
    if wanted in LANGUAGES:
        return wanted
    if config["LANGUAGE_FROM_BROWSER"]:
        return request.accept_languages.best_match(LANGUAGES, default=config["LANGUAGE"])
    return config["LANGUAGE"]


def select_timezone() -> str:
    """The zone Flask-Babel shows times in: the request's (or command's) site's TIMEZONE."""
    try:
        return effective_config()["TIMEZONE"]
    except SQLAlchemyError:
        return current_app.config["TIMEZONE"]  # the database is down: the installation's


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    init_migrate(app, directory=os.path.join(PACKAGE_DIR, "migrations"))
    csrf.init_app(app)
    compress.init_app(app)
    init_limiter(app)
    security.install(app)
    log_storage_faults()  # Redis down and back is logged
    app.session_interface = ModeratorSessionInterface()
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    # One clock (dates.py): ``moment|local_time(site_id)`` for people, with the zone named
    # (None: the installation's zone); ``moment|utc_iso`` for <time datetime> and machines.
    app.jinja_env.filters["local_time"] = dates.local_time
    app.jinja_env.filters["utc_iso"] = dates.machine_time
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["privacy_notice"] = privacy_notice
    app.jinja_env.globals["accessibility_statement"] = accessibility_statement
    # Every address a template shows as a link goes through the one rule (weburls.py).
    app.jinja_env.filters["safe_href"] = safe_href
    app.jinja_env.globals["public_url"] = public_url
    # What a reader may do with a comment: the service's rule, also on the pages.
    app.jinja_env.globals["can_reply"] = threads.can_reply
    app.jinja_env.globals["can_report"] = threads.can_report
    from commentsvc.database import configure_engine, end_sessions_quietly

    end_sessions_quietly(app)
    with app.app_context():
        configure_engine(db.engine)


class DatabaseId(IntegerConverter):
    """``<int:…>`` in every route: a number beyond the database's integer column is simply
    not found, where SQLite (OverflowError) and PostgreSQL refuse it with an error."""

    def __init__(self, url_map, fixed_digits: int = 0, min=None, max=MAX_ID, signed=False):
        super().__init__(url_map, fixed_digits, min, None, signed)
        self.largest = max

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        # Not a mismatch (werkzeug would then answer 405 for a route with other methods):
        # the address is right, there is just no such row.
        if number > self.largest:
            raise NotFound()
        return number


def register_blueprints(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseId
    request_sites.install(app)  # which site each request is for, before any view
    app.register_blueprint(public.bp)
    app.register_blueprint(moderation_pages.bp)
    app.register_blueprint(report_pages.bp)
    app.register_blueprint(moderation_pages.reports.mod_bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(embed.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(subscription_pages.bp)
