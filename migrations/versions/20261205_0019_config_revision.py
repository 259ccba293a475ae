"""Configuration overrides count their saves (revision), so pages check one number read with the
session instead of reading every override on each request (core.configdocs).

Revision ID: 20261205_config_revision
Revises: 20261205_drill_figures
Create Date: 2026-12-05 09:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "20261205_config_revision"
down_revision = "20261205_drill_figures"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("config_documents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("revision", sa.Integer(), nullable=False, server_default="1")
        )


def downgrade():
    with op.batch_alter_table("config_documents", schema=None) as batch_op:
        batch_op.drop_column("revision")
