"""privacy: the audit log also records data-subject requests and purges, which concern no
single comment, so moderation_event.comment_id may be empty

Revision ID: 0007_privacy
Revises: 0006_scale
Create Date: 2026-11-26 08:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_privacy'
down_revision = '0006_scale'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('moderation_event', schema=None) as batch_op:
        batch_op.alter_column('comment_id', existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.execute("DELETE FROM moderation_event WHERE comment_id IS NULL")
    with op.batch_alter_table('moderation_event', schema=None) as batch_op:
        batch_op.alter_column('comment_id', existing_type=sa.Integer(), nullable=False)
