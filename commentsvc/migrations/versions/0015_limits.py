"""limits: rate_limit_counter, the rate limits' counters in the service's own database
(RATELIMIT_STORAGE_URI=database://, the new default), so that every worker of one machine, and
every instance on one PostgreSQL, counts one budget per reader instead of one each

Revision ID: 0015_limits
Revises: 0014_tokens
Create Date: 2026-12-07 13:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_limits'
down_revision = '0014_tokens'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rate_limit_counter',
        sa.Column('key', sa.String(length=500), nullable=False),
        sa.Column('hits', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_counter')),
    )
    op.create_index(
        op.f('ix_rate_limit_counter_expires_at'), 'rate_limit_counter', ['expires_at']
    )


def downgrade():
    op.drop_index(op.f('ix_rate_limit_counter_expires_at'), table_name='rate_limit_counter')
    op.drop_table('rate_limit_counter')
