"""mail set aside: outbox_mail.failed_at marks a mail that cannot be sent (it could not be
built, or the receiving server refused it for good); send-mail passes it by, and admins see
it with its error (last_error) on the desk and with `commentsvc mail-failures`

Revision ID: 0017_mail_failures
Revises: 0013_audit_details
Create Date: 2026-12-07 12:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_mail_failures'
down_revision = '0013_audit_details'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_mail') as batch:
        batch.add_column(sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_mail') as batch:
        batch.drop_column('failed_at')
