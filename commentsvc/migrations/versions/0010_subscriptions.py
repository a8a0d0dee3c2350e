"""subscriptions: readers' reply notifications by email, with double opt-in; the outbox
carries their HTML part and List-Unsubscribe address

Revision ID: 0010_subscriptions
Revises: 0009_hardening
Create Date: 2026-11-30 18:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_subscriptions'
down_revision = '0009_hardening'
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        'subscriber',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('address', sa.String(length=254), nullable=False),
        sa.Column('confirmed_at', WHEN, nullable=True),
        sa.Column('confirm_nonce', sa.String(length=64), nullable=False),
        sa.Column('confirmation_sent_at', WHEN, nullable=True),
        sa.Column('created_at', WHEN, nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_subscriber')),
        sa.UniqueConstraint('address', name=op.f('uq_subscriber_address')),
    )
    op.create_table(
        'subscription',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subscriber_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('replies', 'article', name='subscriptionkind',
                                  native_enum=False, length=16), nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('comment_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('address', sa.String(length=254), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('created_at', WHEN, nullable=False),
        sa.ForeignKeyConstraint(['subscriber_id'], ['subscriber.id'], ondelete='CASCADE',
                                name=op.f('fk_subscription_subscriber_id_subscriber')),
        sa.ForeignKeyConstraint(['article_id'], ['article.id'], ondelete='CASCADE',
                                name=op.f('fk_subscription_article_id_article')),
        sa.ForeignKeyConstraint(['comment_id'], ['comment.id'], ondelete='CASCADE',
                                name=op.f('fk_subscription_comment_id_comment')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_subscription')),
    )
    op.create_index('ix_subscription_article', 'subscription', ['article_id', 'kind'])
    op.create_index('ix_subscription_comment', 'subscription', ['comment_id'])
    op.create_index(op.f('ix_subscription_address'), 'subscription', ['address'])
    op.create_table(
        'notification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('address', sa.String(length=254), nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('comment_id', sa.Integer(), nullable=False),
        sa.Column('due_at', WHEN, nullable=False),
        sa.Column('mailed_at', WHEN, nullable=True),
        sa.Column('mail_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['article_id'], ['article.id'], ondelete='CASCADE',
                                name=op.f('fk_notification_article_id_article')),
        sa.ForeignKeyConstraint(['comment_id'], ['comment.id'], ondelete='CASCADE',
                                name=op.f('fk_notification_comment_id_comment')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    )
    op.create_index('ix_notification_once', 'notification', ['address', 'comment_id'],
                    unique=True)
    op.create_index('ix_notification_due', 'notification', ['mailed_at', 'due_at'])
    op.create_index('ix_notification_mail', 'notification', ['mail_id'])
    # Plain ADD COLUMNs (constant defaults), not a batch: a batch would copy the outbox and
    # re-create its indexes (as 0008_identity explains for the comment table).
    op.add_column('outbox_mail', sa.Column('html', sa.Text(), server_default='', nullable=False))
    op.add_column(
        'outbox_mail',
        sa.Column('list_unsubscribe', sa.String(length=1000), server_default='', nullable=False),
    )


def downgrade():
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.drop_column('list_unsubscribe')
        batch_op.drop_column('html')
    op.drop_table('notification')
    op.drop_table('subscription')
    op.drop_table('subscriber')
