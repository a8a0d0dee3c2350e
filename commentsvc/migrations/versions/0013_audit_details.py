"""audit details as data: moderation_event.detail (English sentences, read back with regexes
to be translated) becomes moderation_event.details, a JSON object of fields that the pages
turn into a sentence in the reader's language when they show it

Every sentence the earlier code wrote is read once, here, into its fields; one this
migration cannot read is kept whole as {"text": ...}, so nothing is lost. The downgrade
writes the sentences back.

Revision ID: 0013_audit_details
Revises: 0012_thread_notify
Create Date: 2026-12-07 05:00:00

"""
import json
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_audit_details'
down_revision = '0012_thread_notify'
branch_labels = None
depends_on = None

_ACCOUNT = re.compile(r"moderator:(\d+)")
# The sentences as the code up to 0012 wrote them, action by action.
_FORMS = {
    'report-hold': re.compile(r"(\d+) readers reported it \(REPORTS_TO_HOLD = (\d+)\)"),
    'reports-kept': re.compile(r"(\d+) reports dismissed"),
    'trash': re.compile(r"removed after (\d+) reports: (\S+)"),
    'account-created': re.compile(r"moderator:(\d+) role=(\S+)"),
    'role-changed': re.compile(r"moderator:(\d+) role=(\S+) → (\S+)"),
    'privacy-export': re.compile(r"(\d+) rows"),
    'privacy-erase': re.compile(
        r"(\d+) comments anonymized, (\d+) deleted, (\d+) other rows(, texts removed)?"
    ),
    'purge': re.compile(
        r"(\d+) IPs cleared, (\d+) comments deleted"
        r"(?:, (\d+) sent mails deleted)?(?:, (\d+) reports cleared)?"
    ),
}
_ACCOUNT_ONLY = ('account-disabled', 'account-enabled', 'password-set', 'password-reset')


def _setting(detail: str) -> dict | None:
    """``KEY: old → new`` with both values as JSON; a value may itself hold " → "."""
    key, colon, values = detail.partition(": ")
    if not colon or not re.fullmatch(r"[A-Z_][A-Z0-9_]*", key):
        return None
    pieces = values.split(" → ")
    for cut in range(1, len(pieces)):
        try:
            old = json.loads(" → ".join(pieces[:cut]))
            new = json.loads(" → ".join(pieces[cut:]))
        except ValueError:
            continue
        return {'key': key, 'old': old, 'new': new}
    return None


def to_details(action: str, detail: str | None) -> dict:
    """The fields an old record's sentence holds."""
    detail = detail or ""
    if action == 'edit':
        return {'text': detail} if detail else {}  # the text before the edit, for undo
    if not detail:
        return {}
    found = None
    if action == 'undo' and detail.isascii() and detail.isdigit():
        found = {'event': int(detail)}
    elif action == 'delete':
        found = {'article': detail}
    elif action == 'unsubscribe':
        found = {'kind': detail}
    elif action == 'setting':
        found = _setting(detail)
    elif action in _ACCOUNT_ONLY:
        match = _ACCOUNT.fullmatch(detail)
        found = match and {'account': int(match[1])}
    elif action in _FORMS:
        match = _FORMS[action].fullmatch(detail)
        found = match and _fields(action, match.groups())
    return found or {'text': detail}


def _fields(action: str, groups: tuple) -> dict:
    if action == 'report-hold':
        return {'count': int(groups[0]), 'limit': int(groups[1])}
    if action == 'reports-kept':
        return {'dismissed': int(groups[0])}
    if action == 'trash':
        return {'reports': int(groups[0]), 'reason': groups[1]}
    if action == 'account-created':
        return {'account': int(groups[0]), 'role': groups[1]}
    if action == 'role-changed':
        return {'account': int(groups[0]), 'old': groups[1], 'new': groups[2]}
    if action == 'privacy-export':
        return {'rows': int(groups[0])}
    if action == 'privacy-erase':
        anonymized, deleted, other, texts = groups
        return {
            'anonymized': int(anonymized),
            'deleted': int(deleted),
            'other': int(other),
            'texts_removed': bool(texts),
        }
    ips, comments, mails, reports = groups
    purged = {'ips': int(ips), 'comments': int(comments)}
    if mails is not None:
        purged['mails'] = int(mails)
    if reports is not None:
        purged['reports'] = int(reports)
    return purged


def to_sentence(action: str, details: dict | None) -> str:
    """The sentence the code up to 0012 wrote for these fields (for the downgrade)."""
    d = details or {}
    if set(d) == {'text'}:
        return d['text']
    try:
        if action == 'undo':
            return str(d['event'])
        if action == 'delete':
            return d['article']
        if action == 'unsubscribe':
            return d['kind']
        if action == 'setting':
            old = json.dumps(d['old'], ensure_ascii=False)
            new = json.dumps(d['new'], ensure_ascii=False)
            return f"{d['key']}: {old} → {new}"
        if action in _ACCOUNT_ONLY:
            return f"moderator:{d['account']}"
        if action == 'account-created':
            return f"moderator:{d['account']} role={d['role']}"
        if action == 'role-changed':
            return f"moderator:{d['account']} role={d['old']} → {d['new']}"
        if action == 'report-hold':
            return f"{d['count']} readers reported it (REPORTS_TO_HOLD = {d['limit']})"
        if action == 'reports-kept':
            return f"{d['dismissed']} reports dismissed"
        if action == 'trash':
            return f"removed after {d['reports']} reports: {d['reason']}"
        if action == 'privacy-export':
            return f"{d['rows']} rows"
        if action == 'privacy-erase':
            return (
                f"{d['anonymized']} comments anonymized, {d['deleted']} deleted, "
                f"{d['other']} other rows" + (", texts removed" if d.get('texts_removed') else "")
            )
        if action == 'purge':
            sentence = f"{d['ips']} IPs cleared, {d['comments']} comments deleted"
            if 'mails' in d:
                sentence += f", {d['mails']} sent mails deleted"
            if 'reports' in d:
                sentence += f", {d['reports']} reports cleared"
            return sentence
    except KeyError:
        pass
    return ""


_events = sa.table(
    'moderation_event',
    sa.column('id', sa.Integer),
    sa.column('action', sa.String),
    sa.column('detail', sa.Text),
    sa.column('details', sa.JSON),
)


def _update(bind, column: str, values: list[tuple[int, object]]) -> None:
    """Set ``column`` row by row, a thousand rows to a statement."""
    statement = (
        sa.update(_events)
        .where(_events.c.id == sa.bindparam('row_id'))
        .values({column: sa.bindparam('value', type_=_events.c[column].type)})
    )
    for start in range(0, len(values), 1000):
        chunk = values[start:start + 1000]
        bind.execute(statement, [{'row_id': i, 'value': v} for i, v in chunk])


def upgrade():
    op.add_column(
        'moderation_event',
        sa.Column('details', sa.JSON(), nullable=False, server_default=sa.text("'{}'")),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_events.c.id, _events.c.action, _events.c.detail).where(_events.c.detail != "")
    ).all()
    _update(bind, 'details', [(row.id, to_details(row.action, row.detail)) for row in rows])
    with op.batch_alter_table('moderation_event', schema=None) as batch_op:
        batch_op.drop_column('detail')


def downgrade():
    op.add_column(
        'moderation_event',
        sa.Column('detail', sa.Text(), nullable=False, server_default=sa.text("''")),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(_events.c.id, _events.c.action, _events.c.details)).all()
    sentences = [(row.id, to_sentence(row.action, row.details)) for row in rows]
    _update(bind, 'detail', [(number, sentence) for number, sentence in sentences if sentence])
    with op.batch_alter_table('moderation_event', schema=None) as batch_op:
        batch_op.drop_column('details')
