"""Scenario drafts: a version saved only to be tried from the builder (never current, not listed).

Revision ID: 20261204_builders
Revises: 20261204_flows
Create Date: 2026-12-04 16:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "20261204_builders"
down_revision = "20261204_flows"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("roleplay_scenario_versions") as batch_op:
        batch_op.add_column(
            sa.Column("draft", sa.Boolean(), nullable=False, server_default=sa.false())
        )


# Child rows first, explicitly: SQLite may run without foreign-key cascades.
DOWNGRADE_DELETES = (
    "DELETE FROM roleplay_item_overrides WHERE grade_id IN (SELECT g.id FROM roleplay_grades g"
    " JOIN roleplay_sessions s ON s.id = g.session_id"
    " JOIN roleplay_scenario_versions v ON v.id = s.version_id WHERE v.draft)",
    "DELETE FROM roleplay_grades WHERE session_id IN (SELECT s.id FROM roleplay_sessions s"
    " JOIN roleplay_scenario_versions v ON v.id = s.version_id WHERE v.draft)",
    "DELETE FROM roleplay_turns WHERE session_id IN (SELECT s.id FROM roleplay_sessions s"
    " JOIN roleplay_scenario_versions v ON v.id = s.version_id WHERE v.draft)",
    "DELETE FROM roleplay_sessions WHERE version_id IN"
    " (SELECT id FROM roleplay_scenario_versions WHERE draft)",
    "DELETE FROM roleplay_scenario_versions WHERE draft",
)


def downgrade():
    # Drafts only ever backed trial sessions: those go with them.
    for statement in DOWNGRADE_DELETES:
        op.execute(statement)
    with op.batch_alter_table("roleplay_scenario_versions") as batch_op:
        batch_op.drop_column("draft")
