"""mail set aside, and staff replies under the site's name:

- outbox_mail.failed_at marks a mail that cannot be sent (it could not be built, or the
  receiving server refused it for good); send-mail passes it by, and admins see it with its
  error (last_error) on the desk and with `commentsvc mail-failures`;
- a staff reply written by a moderator without a display name was published under the login
  (the part before the @ of an email login): half of a credential. Those replies now show
  the site's name (SITE_NAME), as new ones do. The downgrade leaves the names as they are.

Revision ID: 0017_mail_failures
Revises: 0016_report_trust
Create Date: 2026-12-07 12:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_mail_failures'
down_revision = '0016_report_trust'
branch_labels = None
depends_on = None

DEFAULT_SITE_NAME = 'Kommentarer'


def upgrade():
    with op.batch_alter_table('outbox_mail') as batch:
        batch.add_column(sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True))
    _staff_replies_under_the_site_name()


def downgrade():
    with op.batch_alter_table('outbox_mail') as batch:
        batch.drop_column('failed_at')


def _site_name() -> str:
    try:
        from flask import current_app

        return current_app.config.get('SITE_NAME') or DEFAULT_SITE_NAME
    except RuntimeError:  # run by alembic without the app
        return DEFAULT_SITE_NAME


def _staff_replies_under_the_site_name() -> None:
    conn = op.get_bind()
    site = _site_name()
    logins = conn.execute(
        sa.text("SELECT username FROM moderator WHERE display_name = '' OR display_name IS NULL")
    ).scalars()
    for username in list(logins):
        # What the earlier code published for such a moderator (Moderator.public_name).
        shown = username.split('@')[0] if '@' in username else username
        conn.execute(
            sa.text(
                'UPDATE comment SET author = :site '
                'WHERE by_staff = :staff AND decided_by = :username AND author = :shown'
            ),
            {'site': site, 'staff': True, 'username': username, 'shown': shown},
        )
