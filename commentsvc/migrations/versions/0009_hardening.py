"""hardening: mark the articles a reader's request opened, so that the site-wide cap on new
threads per day (MAX_NEW_ARTICLES_PER_DAY) counts only those

Revision ID: 0009_hardening
Revises: 0008_identity
Create Date: 2026-11-30 18:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_hardening'
down_revision = '0008_identity'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('created_on_first_use', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_index(
            'ix_article_first_use', ['created_on_first_use', 'created_at'], unique=False
        )


def downgrade():
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.drop_index('ix_article_first_use')
        batch_op.drop_column('created_on_first_use')
