"""Role-play: the simulated customer's state stored with each session.

The state (mood, facts revealed, goal needs met and still open, unhelpful streak, turns used,
fallback position) is updated with every reply instead of being replayed from the transcript.
Sessions from before this revision keep `state` NULL and are replayed once, lazily, on the next
POST that needs a reply (never on a GET).

Revision ID: 20261204_customer
Revises: 0006
Create Date: 2026-12-04 14:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "20261204_customer"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("roleplay_sessions") as batch:
        batch.add_column(sa.Column("state", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("roleplay_sessions") as batch:
        batch.drop_column("state")
