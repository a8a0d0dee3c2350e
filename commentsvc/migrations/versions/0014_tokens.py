"""opaque link tokens: a link_token table holds what each mailed or shared link proves (its
SHA-256, purpose, owner's address, subject, expiry, use); the links carry random bytes only.
subscriber.confirm_nonce goes (a confirmation token is spent in its own row); outbox_mail
gets kind (which mail it is), so a privacy export can name a mail to someone else by kind.

Links mailed before the upgrade carried signed JSON with the address; they stop working
(docs/personal-data.md says so): a reader asks again, or unsubscribes from a newer mail.

Revision ID: 0014_tokens
Revises: 0013_audit_details
Create Date: 2026-12-07 13:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_tokens'
down_revision = '0013_audit_details'
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        'link_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_digest', sa.String(length=64), nullable=True),
        sa.Column('purpose', sa.Enum('confirm', 'unsubscribe', 'edit', 'report', name='tokenpurpose',
                                     native_enum=False, length=16), nullable=False),
        sa.Column('address', sa.String(length=254), server_default='', nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=True),
        sa.Column('created_at', WHEN, nullable=False),
        sa.Column('expires_at', WHEN, nullable=True),
        sa.Column('used_at', WHEN, nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_link_token')),
        sa.UniqueConstraint('token_digest', name=op.f('uq_link_token_token_digest')),
    )
    op.create_index('ix_link_token_address', 'link_token', ['address', 'purpose'])
    op.create_index('ix_link_token_subject', 'link_token', ['purpose', 'subject_id'])
    op.create_index('ix_link_token_expires', 'link_token', ['expires_at'])
    with op.batch_alter_table('subscriber', schema=None) as batch_op:
        batch_op.drop_column('confirm_nonce')
    op.add_column(
        'outbox_mail',
        sa.Column('kind', sa.String(length=40), server_default='', nullable=False),
    )


def downgrade():
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.drop_column('kind')
    # The nonces are gone: each confirmation link mailed since the upgrade is dead, as after
    # a restore without secrets (an empty nonce confirms nothing).
    op.add_column(
        'subscriber',
        sa.Column('confirm_nonce', sa.String(length=64), server_default='', nullable=False),
    )
    op.drop_index('ix_link_token_expires', table_name='link_token')
    op.drop_index('ix_link_token_subject', table_name='link_token')
    op.drop_index('ix_link_token_address', table_name='link_token')
    op.drop_table('link_token')
