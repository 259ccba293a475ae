"""Skills: map versions, per-skill next-step settings, remediations, per-agent snapshots.

Revision ID: 20261204_skills
Revises: 20261204_reliability
Create Date: 2026-12-04 16:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "20261204_skills"
down_revision = "20261204_reliability"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "skill_map_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("yaml_text", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_skill_map_versions_created_by_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill_map_versions")),
        sa.UniqueConstraint("number", name=op.f("uq_skill_map_versions_number")),
    )
    op.create_table(
        "skill_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("skill", sa.String(length=40), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("due_days", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_skill_settings_updated_by_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill_settings")),
        sa.UniqueConstraint("skill", name=op.f("uq_skill_settings_skill")),
    )
    op.create_table(
        "skill_remediations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("skill", sa.String(length=40), nullable=False),
        sa.Column("trigger_key", sa.String(length=80), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("lesson", sa.String(length=140), nullable=True),
        sa.Column("scenario", sa.String(length=80), nullable=True),
        sa.Column("reason", sa.JSON(), nullable=False),
        sa.Column("before_score", sa.Float(), nullable=True),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_skill_remediations_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill_remediations")),
        sa.UniqueConstraint("user_id", "skill", "trigger_key", name=op.f("uq_skill_remediations_user_id_skill_trigger_key")),
    )
    with op.batch_alter_table("skill_remediations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_skill_remediations_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_skill_remediations_skill"), ["skill"], unique=False)
        batch_op.create_index(batch_op.f("ix_skill_remediations_created_at"), ["created_at"], unique=False)
    op.create_table(
        "skill_snapshots",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_skill_snapshots_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_skill_snapshots")),
    )


def downgrade():
    op.drop_table("skill_snapshots")
    with op.batch_alter_table("skill_remediations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_skill_remediations_created_at"))
        batch_op.drop_index(batch_op.f("ix_skill_remediations_skill"))
        batch_op.drop_index(batch_op.f("ix_skill_remediations_user_id"))
    op.drop_table("skill_remediations")
    op.drop_table("skill_settings")
    op.drop_table("skill_map_versions")
