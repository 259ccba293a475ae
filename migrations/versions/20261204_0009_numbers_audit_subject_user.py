"""Audit log: the person an entry is about (subject_user_id), so it can be filtered by person.

Existing entries are backfilled from what they already say: entries about a user row, and
entries whose data names a `user_id`.

Revision ID: 20261204_numbers
Revises: 20261204_llmpath
Create Date: 2026-12-04 14:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '20261204_numbers'
down_revision = "20261204_llmpath"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_user_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_audit_events_subject_user_id_users'),
            'users', ['subject_user_id'], ['id'], ondelete='SET NULL',
        )
        batch_op.create_index(
            batch_op.f('ix_audit_events_subject_user_id'), ['subject_user_id'], unique=False
        )
    events = sa.table(
        'audit_events',
        sa.column('id', sa.Integer()),
        sa.column('subject_type', sa.String()),
        sa.column('subject_id', sa.String()),
        sa.column('data', sa.JSON()),
        sa.column('subject_user_id', sa.Integer()),
    )
    users = sa.table('users', sa.column('id', sa.Integer()))
    bind = op.get_bind()
    known = {row.id for row in bind.execute(sa.select(users.c.id))}
    rows = bind.execute(
        sa.select(events.c.id, events.c.subject_type, events.c.subject_id, events.c.data)
    ).all()
    for row in rows:
        person = None
        if row.subject_type == 'users' and str(row.subject_id).isdigit():
            person = int(row.subject_id)
        elif isinstance(row.data, dict) and isinstance(row.data.get('user_id'), int):
            person = row.data['user_id']
        if person in known:
            bind.execute(
                events.update().where(events.c.id == row.id).values(subject_user_id=person)
            )


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_subject_user_id'))
        batch_op.drop_constraint(
            batch_op.f('fk_audit_events_subject_user_id_users'), type_='foreignkey'
        )
        batch_op.drop_column('subject_user_id')
