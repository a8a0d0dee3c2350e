"""commentsvc: comments and threaded discussion under the articles of a news site."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale

from . import cli, errors, microcache, production
from .auth import ModeratorSessionInterface
from .config import load_config
from .extensions import babel, csrf, db, limiter, migrate
from .privacy import notice as privacy_notice
from .ratelimits import log_storage_faults
from .views import api, embed, feeds, public
from .views import moderation as moderation_pages
from .views import reports as report_pages

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
PROJECT_DIR = os.path.dirname(PACKAGE_DIR)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration layers, then extensions, blueprints, errors, CLI."""
    app = Flask(
        __name__,
        instance_path=os.environ.get(
            "COMMENTSVC_INSTANCE_PATH", os.path.join(PROJECT_DIR, "instance")
        ),
        instance_relative_config=True,
        template_folder=os.path.join(PROJECT_DIR, "templates"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    load_config(app, test_config)
    production.check_sqlite_writable(app)
    production.trust_proxies(app)
    microcache.install(app)
    register_extensions(app)
    register_blueprints(app)
    errors.register_errorhandlers(app)
    cli.register_commands(app)
    return app


def select_locale() -> str:
    """The reader's language: an explicit ``lang``, their browser's when allowed, or the default."""
    config = current_app.config
    if not has_request_context():  # commands and workers speak the configured language
        return config["LANGUAGE"]
    wanted = request.args.get("lang") or request.form.get("lang")
    if wanted in ("sv", "en"):
        return wanted
    if config["LANGUAGE_FROM_BROWSER"]:
        return request.accept_languages.best_match(["sv", "en"], default=config["LANGUAGE"])
    return config["LANGUAGE"]


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(PACKAGE_DIR, "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    log_storage_faults()  # issue 6: Redis down and back is logged
    app.session_interface = ModeratorSessionInterface()
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["privacy_notice"] = privacy_notice
    from .database import configure_engine

    with app.app_context():
        configure_engine(db.engine)


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(public.bp)
    app.register_blueprint(moderation_pages.bp)
    app.register_blueprint(report_pages.bp)
    app.register_blueprint(report_pages.mod_bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(embed.bp)
    app.register_blueprint(feeds.bp)
