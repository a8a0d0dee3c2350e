"""The Flask extensions, unbound: the only module-level state of the service."""

from __future__ import annotations

import click
from flask import Flask
from flask_babel import Babel
from flask_compress import Compress
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints let Alembic alter them on SQLite (batch mode) and PostgreSQL alike.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
babel = Babel()
# Pages, JSON, feeds and /embed.js are compressed here rather than left to a proxy: the service
# must be small on the wire behind any proxy, or none (the static files come precompressed).
compress = Compress()
talisman = Talisman()  # security headers, configured in security.py


class LazyMigrate:
    """``app.extensions["migrate"]`` until something needs the migrations.

    Flask-Migrate brings Alembic, Mako and Pygments, several megabytes that a worker serving
    readers never uses. ``flask_migrate.upgrade()``, ``init-db``, ``flask db …`` and
    the migrations' env.py find this entry; the first attribute they ask for beyond ``db``
    and ``directory`` sets Flask-Migrate up exactly as ``Migrate(app, db, directory=…)`` did
    at start before, and the real configuration replaces this one.
    """

    def __init__(self, app: Flask, database, directory: str):
        self.app = app
        self.db = database
        self.directory = directory

    def load(self):
        from flask_migrate import Migrate

        Migrate(self.app, self.db, directory=self.directory)
        return self.app.extensions["migrate"]

    def __getattr__(self, name: str):
        return getattr(self.load(), name)


class LazyMigrateCommands(click.Group):
    """The ``db`` command group of Flask-Migrate, loaded when a ``db`` command is asked for."""

    def __init__(self) -> None:
        super().__init__("db", help="Perform database migrations.")

    def _real(self, ctx: click.Context) -> click.Group:
        from flask.cli import ScriptInfo

        app = ctx.ensure_object(ScriptInfo).load_app()
        entry = app.extensions["migrate"]
        if isinstance(entry, LazyMigrate):
            entry.load()
        from flask_migrate.cli import db as group

        return group

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._real(ctx).list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str):
        return self._real(ctx).get_command(ctx, name)


def init_migrate(app: Flask, directory: str) -> None:
    app.extensions["migrate"] = LazyMigrate(app, db, directory)
    app.cli.add_command(LazyMigrateCommands())
