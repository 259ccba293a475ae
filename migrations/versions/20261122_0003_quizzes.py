"""Quizzes: tables of the quizzes feature.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 08:30:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    pass  # the quizzes feature adds its tables here


def downgrade():
    pass
