"""AI budget ledger: tokens reserved and used per budget and day; the admin's daily limits.

Revision ID: 20261204_reliability
Revises: 20261204_drills
Create Date: 2026-12-04 16:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "20261204_reliability"
down_revision = "20261204_drills"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ai_budget_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reserved", sa.BigInteger(), nullable=False),
        sa.Column("used", sa.BigInteger(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_budget_days")),
        sa.UniqueConstraint("scope", "day", name=op.f("uq_ai_budget_days_scope_day")),
    )
    op.create_table(
        "ai_budget_limits",
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("daily_tokens", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_ai_budget_limits_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_ai_budget_limits")),
    )


def downgrade():
    op.drop_table("ai_budget_limits")
    op.drop_table("ai_budget_days")
