"""reports: readers' reports of comments (notice and action) and the statements of reasons
sent to the authors of removed comments

Revision ID: 0011_reports
Revises: 0010_subscriptions
Create Date: 2026-11-30 18:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_reports'
down_revision = '0010_subscriptions'
branch_labels = None
depends_on = None

REASONS = ('illegal', 'harassment', 'spam', 'personal-data', 'off-topic', 'other')


def upgrade():
    op.create_table(
        'report',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('comment_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Enum(*REASONS, name='reportreason', native_enum=False, length=16), nullable=False),
        sa.Column('explanation', sa.Text(), nullable=False),
        sa.Column('name', sa.String(length=245), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('address', sa.String(length=254), nullable=False),
        sa.Column('reporter_token', sa.String(length=64), nullable=False),
        sa.Column('good_faith', sa.Boolean(), nullable=False),
        sa.Column('lang', sa.String(length=8), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decided_by', sa.String(length=200), nullable=True),
        sa.Column('outcome', sa.Enum('kept', 'removed', name='reportoutcome', native_enum=False, length=16), nullable=True),
        sa.Column('decision_reason', sa.String(length=16), nullable=True),
        sa.Column('purged', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report')),
    )
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_comment_id'), ['comment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_address'), ['address'], unique=False)
        batch_op.create_index('ix_report_open', ['decided_at', 'comment_id'], unique=False)

    op.create_table(
        'statement_of_reasons',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('comment_id', sa.Integer(), nullable=False),
        sa.Column('recipient', sa.String(length=254), nullable=False),
        sa.Column('address', sa.String(length=254), nullable=False),
        sa.Column('reason', sa.String(length=16), nullable=False),
        sa.Column('ground', sa.Text(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('decided_by', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_of_reasons')),
    )
    with op.batch_alter_table('statement_of_reasons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_of_reasons_comment_id'), ['comment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_statement_of_reasons_address'), ['address'], unique=False)


def downgrade():
    op.drop_table('statement_of_reasons')
    op.drop_table('report')
