"""Drill runs keep their figures (drills.figures, computed by drills.results.summarise_runs).

Revision ID: 20261205_drill_figures
Revises: 20261204_jobs
Create Date: 2026-12-05 09:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "20261205_drill_figures"
down_revision = "20261204_jobs"
branch_labels = None
depends_on = None


def upgrade():
    # NULL: not stored (yet), the readers compute the figures from the conversations.
    with op.batch_alter_table("drill_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("figures", sa.JSON(none_as_null=True), nullable=True))


def downgrade():
    with op.batch_alter_table("drill_runs", schema=None) as batch_op:
        batch_op.drop_column("figures")
