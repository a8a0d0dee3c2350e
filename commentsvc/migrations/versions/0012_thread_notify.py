"""thread notify: on PostgreSQL, every statement that writes the article table (a thread's
version moving, a new thread, a setting that moves them all) sends NOTIFY commentsvc in its
transaction, so that each worker of each instance knows its kept answers may be old
(commentsvc/web/freshness.py). SQLite needs nothing: its data_version tells the same.

Revision ID: 0012_thread_notify
Revises: 0011_reports
Create Date: 2026-12-01 06:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012_thread_notify'
down_revision = '0011_reports'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(
        "CREATE FUNCTION commentsvc_thread_moved() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN PERFORM pg_notify('commentsvc', ''); RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER article_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON article "
        "FOR EACH STATEMENT EXECUTE FUNCTION commentsvc_thread_moved()"
    )


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("DROP TRIGGER article_notify ON article")
    op.execute("DROP FUNCTION commentsvc_thread_moved()")
