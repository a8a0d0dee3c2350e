"""people: trust and bans per person, picks, per-article pre-moderation, a second factor.

What the moderation desk decides about a person (trusted or always held; banned by address or
network), an editors' pick on a comment, an article held whatever its site's policy, and a
moderator's TOTP secret and recovery codes. A statement of reasons may be about a ban with no
comment behind it, so its comment may be empty and it may name the ban.

ix_comment_top becomes (article_id, created_at, id) for top-level comments: a page of a thread
is read in that order, where the status is a condition under OR (shown, or a placeholder with
a shown reply) that no index column can seek. With the status between the article and the
time, the index gave the order no better than ix_comment_thread, and SQLite chose between the
two by the order in which a rebuilt table's indexes happened to be created.

Revision ID: 0021_people
Revises: 0020_report_site
Create Date: 2026-12-07 19:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_people'
down_revision = '0020_report_site'
branch_labels = None
depends_on = None

DEFAULT_SITE = 'default'


def upgrade():
    op.create_table(
        'person_trust',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.String(length=32), nullable=False),
        sa.Column('address', sa.String(length=254), nullable=False),
        sa.Column('trust', sa.Enum('trusted', 'held', name='trust', native_enum=False,
                                   length=16), nullable=False),
        sa.Column('decided_by', sa.String(length=200), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['site_id'], ['site.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ix_person_trust_site_address', 'person_trust', ['site_id', 'address'], unique=True
    )
    op.create_table(
        'ban',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.String(length=32), nullable=False),
        sa.Column('address', sa.String(length=254), nullable=False),
        sa.Column('network', sa.String(length=64), nullable=False),
        sa.Column('reason', sa.String(length=16), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('comment_id', sa.Integer(), nullable=True),
        sa.Column('created_by', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('lifted_by', sa.String(length=200), nullable=True),
        sa.Column('lifted_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['site_id'], ['site.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_ban_address', 'ban', ['address'])
    op.create_index('ix_ban_site_lifted', 'ban', ['site_id', 'lifted_at'])
    with op.batch_alter_table('article') as batch:
        batch.add_column(sa.Column(
            'premoderated', sa.Boolean(), server_default=sa.false(), nullable=False
        ))
    with op.batch_alter_table('comment') as batch:
        batch.add_column(sa.Column(
            'picked', sa.Boolean(), server_default=sa.false(), nullable=False
        ))
    _top_index(['article_id', 'created_at', 'id'])
    with op.batch_alter_table('moderator') as batch:
        batch.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column(
            'recovery_codes', sa.JSON(), server_default=sa.text("'[]'"), nullable=False
        ))
    with op.batch_alter_table('statement_of_reasons') as batch:
        batch.alter_column('comment_id', existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column('ban_id', sa.Integer(), nullable=True))


def downgrade():
    # Statements about a ban alone have no comment: they go with the bans.
    op.execute('DELETE FROM statement_of_reasons WHERE comment_id IS NULL')
    with op.batch_alter_table('statement_of_reasons') as batch:
        batch.drop_column('ban_id')
        batch.alter_column('comment_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('moderator') as batch:
        batch.drop_column('recovery_codes')
        batch.drop_column('totp_secret')
    with op.batch_alter_table('comment') as batch:
        batch.drop_column('picked')
    _top_index(['article_id', 'status', 'created_at', 'id'])
    with op.batch_alter_table('article') as batch:
        batch.drop_column('premoderated')
    op.drop_index('ix_ban_site_lifted', table_name='ban')
    op.drop_index('ix_ban_address', table_name='ban')
    op.drop_table('ban')
    op.drop_index('ix_person_trust_site_address', table_name='person_trust')
    op.drop_table('person_trust')


def _top_index(columns):
    op.drop_index('ix_comment_top', table_name='comment')
    op.create_index(
        'ix_comment_top',
        'comment',
        columns,
        sqlite_where=sa.text('parent_id IS NULL'),
        postgresql_where=sa.text('parent_id IS NULL'),
    )
