"""report_site: the site of each report and statement of reasons.

A site's transparency figures and a site admin's view of a person's data need the site of a
report after its comment is purged (reports and statements keep a plain comment number). Every
report and statement from before sites is the default site's, as every thread was.

Revision ID: 0020_report_site
Revises: 0019_sites
Create Date: 2026-12-07 16:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_report_site'
down_revision = '0019_sites'
branch_labels = None
depends_on = None

DEFAULT_SITE = 'default'
TABLES = ('report', 'statement_of_reasons')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column(
                    'site_id', sa.String(length=32), server_default=DEFAULT_SITE, nullable=False
                )
            )
            batch.create_index(f'ix_{table}_site_id', ['site_id'])


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f'ix_{table}_site_id')
            batch.drop_column('site_id')
