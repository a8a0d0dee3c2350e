"""pending edits: an author's edit of a comment that a moderator approved waits in the queue
as a revision (one per comment) while the approved text stays published

Revision ID: 0018_pending_edits
Revises: 0017_mail_failures
Create Date: 2026-12-07 12:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_pending_edits'
down_revision = '0017_mail_failures'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'pending_edit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('comment_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('html', sa.Text(), nullable=False),
        sa.Column('held_for', sa.String(length=500), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['comment_id'], ['comment.id'],
            name=op.f('fk_pending_edit_comment_id_comment'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_edit')),
        sa.UniqueConstraint('comment_id', name=op.f('uq_pending_edit_comment_id')),
    )


def downgrade():
    op.drop_table('pending_edit')
