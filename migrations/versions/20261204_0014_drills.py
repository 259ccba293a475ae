"""Drills: drills and versions, runs, the customers of a run (role-play sessions), phrases.

Revision ID: 20261204_drills
Revises: 20261204_builders
Create Date: 2026-12-04 16:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "20261204_drills"
down_revision = "20261204_builders"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "drills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("current_version_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drills")),
        sa.UniqueConstraint("slug", name=op.f("uq_drills_slug")),
    )
    op.create_table(
        "drill_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("drill_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("yaml_text", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_drill_versions_created_by_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["drill_id"], ["drills.id"],
                                name=op.f("fk_drill_versions_drill_id_drills"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drill_versions")),
        sa.UniqueConstraint("drill_id", "number", name=op.f("uq_drill_versions_drill_id_number")),
    )
    with op.batch_alter_table("drill_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drill_versions_drill_id"), ["drill_id"], unique=False)
    with op.batch_alter_table("drills", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_drills_current_version_id_drill_versions"), "drill_versions",
            ["current_version_id"], ["id"], ondelete="SET NULL",
        )
    op.create_table(
        "drill_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("drill_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["drill_id"], ["drills.id"], name=op.f("fk_drill_runs_drill_id_drills")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_drill_runs_user_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["version_id"], ["drill_versions.id"],
                                name=op.f("fk_drill_runs_version_id_drill_versions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drill_runs")),
    )
    with op.batch_alter_table("drill_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drill_runs_drill_id"), ["drill_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_drill_runs_finished_at"), ["finished_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_drill_runs_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_drill_runs_user_id"), ["user_id"], unique=False)
    op.create_table(
        "drill_customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("scenario_slug", sa.String(length=80), nullable=False),
        sa.Column("arrives_at", sa.DateTime(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("followed_up_at", sa.DateTime(), nullable=True),
        sa.Column("left_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["drill_runs.id"],
                                name=op.f("fk_drill_customers_run_id_drill_runs"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["session_id"], ["roleplay_sessions.id"],
                                name=op.f("fk_drill_customers_session_id_roleplay_sessions"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drill_customers")),
        sa.UniqueConstraint("run_id", "position", name=op.f("uq_drill_customers_run_id_position")),
        sa.UniqueConstraint("session_id", name=op.f("uq_drill_customers_session_id")),
    )
    with op.batch_alter_table("drill_customers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drill_customers_run_id"), ["run_id"], unique=False)
    op.create_table(
        "drill_phrases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_drill_phrases_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drill_phrases")),
    )
    with op.batch_alter_table("drill_phrases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drill_phrases_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("drill_phrases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drill_phrases_user_id"))
    op.drop_table("drill_phrases")
    with op.batch_alter_table("drill_customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drill_customers_run_id"))
    op.drop_table("drill_customers")
    with op.batch_alter_table("drill_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drill_runs_user_id"))
        batch_op.drop_index(batch_op.f("ix_drill_runs_status"))
        batch_op.drop_index(batch_op.f("ix_drill_runs_finished_at"))
        batch_op.drop_index(batch_op.f("ix_drill_runs_drill_id"))
    op.drop_table("drill_runs")
    with op.batch_alter_table("drills", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_drills_current_version_id_drill_versions"), type_="foreignkey"
        )
    with op.batch_alter_table("drill_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drill_versions_drill_id"))
    op.drop_table("drill_versions")
    op.drop_table("drills")
