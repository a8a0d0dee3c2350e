"""report trust: reports count independent readers, not ids a client chooses

Each report keeps a keyed hash of the reporter's network (rotated daily) and the first open
report on the same comment from the same network; the notifier's address is confirmed by a
one-time link before it counts more or hears the decision; the time of its one receipt.
Reports filed before this migration keep none of these: each counts as a network of its own.

Revision ID: 0016_report_trust
Revises: 0015_limits
Create Date: 2026-12-07 13:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_report_trust'
down_revision = '0015_limits'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('network', sa.String(length=32), server_default='', nullable=False)
        )
        batch_op.add_column(sa.Column('network_of', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column('receipt_sent_at', sa.DateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_column('receipt_sent_at')
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('network_of')
        batch_op.drop_column('network')
