"""The ``commentsvc`` console script (and ``python -m commentsvc``): the same commands as
``flask --app commentsvc``."""

import click
from flask.cli import FlaskGroup

from commentsvc import create_app


def main() -> None:
    version = click.version_option(
        package_name="commentsvc", prog_name="commentsvc", message="%(prog)s %(version)s"
    )
    group = version(FlaskGroup(create_app=create_app, add_version_option=False))
    group(prog_name="commentsvc")


if __name__ == "__main__":
    main()
