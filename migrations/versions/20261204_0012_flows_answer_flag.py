"""Finished flows: quiz review flags, lessons complete only once their end was reached.

Quiz attempts get a per-question "flagged for review" mark (saved with the autosave); courses a
`require_reading` switch (default on) and lesson progress the version whose end was reached.

Revision ID: 20261204_flows
Revises: 20261204_jobs_queue
Create Date: 2026-12-04 16:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "20261204_flows"
down_revision = "20261204_jobs_queue"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("quiz_attempt_answers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("flagged", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("require_reading", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("lesson_progress", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reached_version", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("lesson_progress", schema=None) as batch_op:
        batch_op.drop_column("reached_version")
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_column("require_reading")
    with op.batch_alter_table("quiz_attempt_answers", schema=None) as batch_op:
        batch_op.drop_column("flagged")
