"""identity: a normalized address column beside every stored email (comments, outbox,
moderator accounts) so that export and erasure match a person exactly; a session epoch and
a flag for a temporary password on moderator accounts

Revision ID: 0008_identity
Revises: 0007_privacy
Create Date: 2026-11-30 18:40:00

"""
from alembic import op
import sqlalchemy as sa

from commentsvc.privacy.identity import normalize_address


# revision identifiers, used by Alembic.
revision = '0008_identity'
down_revision = '0007_privacy'
branch_labels = None
depends_on = None


def _backfill(table: str, source: str, target: str) -> None:
    """Fill the new column from the stored emails, one distinct address at a time."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(f"SELECT DISTINCT {source} FROM {table}")).scalars().all()
    for value in rows:
        address = normalize_address(value)
        if address:
            bind.execute(
                sa.text(f"UPDATE {table} SET {target} = :address WHERE {source} = :value"),
                {"address": address, "value": value},
            )


def upgrade():
    # Plain ALTER TABLE ADD COLUMN (SQLite and PostgreSQL both take a NOT NULL column with a
    # constant default), not a batch: a batch copies the comment table and re-creates its
    # indexes in an order that varies from run to run, and SQLite, which keeps no
    # statistics, then picks between equally good indexes by that order.
    empty = sa.text("''")
    op.add_column(
        'comment', sa.Column('address', sa.String(length=254), nullable=False, server_default=empty)
    )
    op.create_index('ix_comment_address', 'comment', ['address'], unique=False)
    for name in ('recipient_address', 'about_address'):
        op.add_column(
            'outbox_mail',
            sa.Column(name, sa.String(length=254), nullable=False, server_default=empty),
        )
    op.create_index('ix_outbox_mail_about', 'outbox_mail', ['about_address'], unique=False)
    op.create_index('ix_outbox_mail_recipient', 'outbox_mail', ['recipient_address'], unique=False)
    op.create_index('ix_outbox_mail_comment', 'outbox_mail', ['comment_id'], unique=False)
    op.add_column(
        'moderator', sa.Column('address', sa.String(length=254), nullable=False, server_default=empty)
    )
    op.add_column(
        'moderator', sa.Column('session_epoch', sa.Integer(), nullable=False, server_default='0')
    )
    op.add_column(
        'moderator',
        sa.Column('reset_pending', sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    _backfill('comment', 'email', 'address')
    _backfill('outbox_mail', 'recipient', 'recipient_address')
    _backfill('moderator', 'email', 'address')
    op.execute(
        "UPDATE outbox_mail SET about_address = "
        "(SELECT comment.address FROM comment WHERE comment.id = outbox_mail.comment_id) "
        "WHERE comment_id IS NOT NULL "
        "AND EXISTS (SELECT 1 FROM comment WHERE comment.id = outbox_mail.comment_id)"
    )


def downgrade():
    with op.batch_alter_table('moderator', schema=None) as batch_op:
        batch_op.drop_column('reset_pending')
        batch_op.drop_column('session_epoch')
        batch_op.drop_column('address')
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_mail_comment')
        batch_op.drop_index('ix_outbox_mail_recipient')
        batch_op.drop_index('ix_outbox_mail_about')
        batch_op.drop_column('about_address')
        batch_op.drop_column('recipient_address')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_address')
        batch_op.drop_column('address')
