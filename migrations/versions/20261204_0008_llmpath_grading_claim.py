"""Role-play grading runs outside the request: a session is claimed ("grading") with a time.

Revision ID: 20261204_llmpath
Revises: 20261204_customer
Create Date: 2026-12-04 13:40:00

The claim time lets a grader store its grade only while its claim holds, and another grader
take over a claim whose grader died (after the lease).
"""

import sqlalchemy as sa
from alembic import op

revision = "20261204_llmpath"
down_revision = "20261204_customer"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("roleplay_sessions") as batch:
        batch.add_column(sa.Column("grading_claimed_at", sa.DateTime(), nullable=True))


def downgrade():
    # Sessions caught mid-grading go back to "ended": they are graded again after an upgrade.
    op.execute("UPDATE roleplay_sessions SET status = 'ended' WHERE status = 'grading'")
    with op.batch_alter_table("roleplay_sessions") as batch:
        batch.drop_column("grading_claimed_at")
