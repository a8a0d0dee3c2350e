"""indexes for the hot reads (a page of top-level comments, the moderation queue) and a
version counter on article, moved by every write to its comments

Revision ID: 0006_scale
Revises: 0005_import
Create Date: 2026-11-26 07:25:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_scale'
down_revision = '0005_import'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index(
            'ix_comment_top',
            ['article_id', 'status', 'created_at', 'id'],
            unique=False,
            sqlite_where=sa.text('parent_id IS NULL'),
            postgresql_where=sa.text('parent_id IS NULL'),
        )
        batch_op.create_index('ix_comment_queue', ['status', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_queue')
        batch_op.drop_index('ix_comment_top')

    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.drop_column('version')
