"""sites: several host sites in one installation.

- site, site_origin, site_role: a site's name, own settings and origins (an origin belongs to
  one site), and moderators' roles per site;
- article.site_id: a thread belongs to a site, and keys are unique per site (two sites may
  both have "nyhet-1");
- moderation_event.site_id: the site an audited action was on; outbox_mail.site_id: whose
  name and sender a mail goes out with;
- the installation as it was becomes the one site "default": its name stays the
  configuration's SITE_NAME (until the site is given one of its own), its settings are the
  admins' settings (the setting table, which goes), and its threads, comments and audit
  records are all the site's. Its origins stay the
  configuration's ALLOWED_ORIGINS (the default site's origins are read from there).

The downgrade moves the default site's settings back to the setting table; it refuses while
another site has threads (their keys may clash once keys are unique again).

Revision ID: 0019_sites
Revises: 0018_pending_edits
Create Date: 2026-12-07 15:40:00

"""
import json
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_sites'
down_revision = '0018_pending_edits'
branch_labels = None
depends_on = None

DEFAULT_SITE = 'default'
# The audited actions done on one comment, or on the site's settings: the site's own.
SITE_ACTIONS = (
    'approve', 'trash', 'spam', 'restore', 'edit', 'delete', 'staff-reply', 'undo',
    'report-hold', 'reports-kept', 'setting', 'edit-submitted', 'edit-approved',
    'edit-rejected',
)


def upgrade():
    op.create_table(
        'site',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('settings', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_site')),
    )
    op.create_table(
        'site_origin',
        sa.Column('origin', sa.String(length=200), nullable=False),
        sa.Column('site_id', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ['site_id'], ['site.id'], name=op.f('fk_site_origin_site_id_site'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('origin', name=op.f('pk_site_origin')),
    )
    op.create_index('ix_site_origin_site_id', 'site_origin', ['site_id'])
    op.create_table(
        'site_role',
        sa.Column('moderator_id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.String(length=32), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ['moderator_id'], ['moderator.id'],
            name=op.f('fk_site_role_moderator_id_moderator'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['site_id'], ['site.id'], name=op.f('fk_site_role_site_id_site'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('moderator_id', 'site_id', name=op.f('pk_site_role')),
    )
    op.create_index('ix_site_role_site_id', 'site_role', ['site_id'])

    conn = op.get_bind()
    settings = {
        key: json.loads(value)
        for key, value in conn.execute(sa.text('SELECT key, value FROM setting'))
    }
    site = sa.table(
        'site',
        sa.column('id', sa.String),
        sa.column('name', sa.String),
        sa.column('settings', sa.JSON),
        sa.column('created_at', sa.DateTime(timezone=True)),
    )
    conn.execute(
        site.insert().values(
            id=DEFAULT_SITE,
            name='',  # the installation's SITE_NAME until the site is given its own
            settings=settings,
            created_at=datetime.now(timezone.utc),
        )
    )

    with op.batch_alter_table('article') as batch:
        batch.add_column(
            sa.Column('site_id', sa.String(length=32), server_default=DEFAULT_SITE, nullable=False)
        )
        batch.drop_constraint('uq_article_key', type_='unique')
        batch.create_foreign_key(op.f('fk_article_site_id_site'), 'site', ['site_id'], ['id'])
        batch.create_index('ix_article_site_key', ['site_id', 'key'], unique=True)
    with op.batch_alter_table('moderation_event') as batch:
        batch.add_column(sa.Column('site_id', sa.String(length=32), nullable=True))
        batch.create_index('ix_moderation_event_site_id', ['site_id'])
    conn.execute(
        sa.text('UPDATE moderation_event SET site_id = :site WHERE action IN :actions').bindparams(
            sa.bindparam('actions', expanding=True)
        ),
        {'site': DEFAULT_SITE, 'actions': list(SITE_ACTIONS)},
    )
    with op.batch_alter_table('outbox_mail') as batch:
        batch.add_column(sa.Column('site_id', sa.String(length=32), nullable=True))
    conn.execute(sa.text('UPDATE outbox_mail SET site_id = :site'), {'site': DEFAULT_SITE})
    op.drop_table('setting')


def downgrade():
    conn = op.get_bind()
    others = conn.execute(
        sa.text('SELECT DISTINCT site_id FROM article WHERE site_id <> :site'),
        {'site': DEFAULT_SITE},
    ).scalars().all()
    if others:
        raise RuntimeError(
            'Cannot go back to one site: sites ' + ', '.join(sorted(others)) + ' have threads. '
            'Remove them (commentsvc site remove) or restore a backup from before the upgrade.'
        )
    op.create_table(
        'setting',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by', sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_setting')),
    )
    row = conn.execute(
        sa.text('SELECT settings FROM site WHERE id = :site'), {'site': DEFAULT_SITE}
    ).scalar()
    stored = row if isinstance(row, dict) else json.loads(row or '{}')
    setting = sa.table(
        'setting',
        sa.column('key', sa.String),
        sa.column('value', sa.Text),
        sa.column('updated_at', sa.DateTime(timezone=True)),
        sa.column('updated_by', sa.String),
    )
    now = datetime.now(timezone.utc)
    for key, value in stored.items():
        conn.execute(
            setting.insert().values(key=key, value=json.dumps(value), updated_at=now, updated_by='')
        )
    with op.batch_alter_table('outbox_mail') as batch:
        batch.drop_column('site_id')
    with op.batch_alter_table('moderation_event') as batch:
        batch.drop_index('ix_moderation_event_site_id')
        batch.drop_column('site_id')
    with op.batch_alter_table('article') as batch:
        batch.drop_index('ix_article_site_key')
        batch.drop_constraint('fk_article_site_id_site', type_='foreignkey')
        batch.drop_column('site_id')
        batch.create_unique_constraint('uq_article_key', ['key'])
    op.drop_index('ix_site_role_site_id', table_name='site_role')
    op.drop_table('site_role')
    op.drop_index('ix_site_origin_site_id', table_name='site_origin')
    op.drop_table('site_origin')
    op.drop_table('site')
