"""Roleplay: scenarios and versions, assignments, sessions, turns, grades and item overrides.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 08:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('roleplay_scenarios',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('difficulty', sa.Integer(), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('current_version_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roleplay_scenarios')),
    sa.UniqueConstraint('slug', name=op.f('uq_roleplay_scenarios_slug'))
    )
    with op.batch_alter_table('roleplay_scenarios', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roleplay_scenarios_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_roleplay_scenarios_published'), ['published'], unique=False)

    op.create_table('roleplay_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scenario_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_roleplay_assignments_assigned_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['scenario_id'], ['roleplay_scenarios.id'], name=op.f('fk_roleplay_assignments_scenario_id_roleplay_scenarios'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_roleplay_assignments_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roleplay_assignments')),
    sa.UniqueConstraint('scenario_id', 'user_id', name=op.f('uq_roleplay_assignments_scenario_id_user_id'))
    )
    with op.batch_alter_table('roleplay_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roleplay_assignments_scenario_id'), ['scenario_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roleplay_assignments_user_id'), ['user_id'], unique=False)

    op.create_table('roleplay_scenario_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scenario_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('spec', sa.JSON(), nullable=False),
    sa.Column('yaml_text', sa.Text(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_roleplay_scenario_versions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['scenario_id'], ['roleplay_scenarios.id'], name=op.f('fk_roleplay_scenario_versions_scenario_id_roleplay_scenarios'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roleplay_scenario_versions')),
    sa.UniqueConstraint('scenario_id', 'number', name=op.f('uq_roleplay_scenario_versions_scenario_id_number'))
    )
    with op.batch_alter_table('roleplay_scenario_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roleplay_scenario_versions_scenario_id'), ['scenario_id'], unique=False)

    # Scenarios and versions point at each other: the current-version key is added once both
    # tables exist (as teams/users do in 0001).
    with op.batch_alter_table('roleplay_scenarios', schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f('fk_roleplay_scenarios_current_version_id_roleplay_scenario_versions'),
            'roleplay_scenario_versions', ['current_version_id'], ['id'], ondelete='SET NULL'
        )

    op.create_table('roleplay_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('scenario_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('difficulty', sa.Integer(), nullable=False),
    sa.Column('engine', sa.String(length=20), nullable=False),
    sa.Column('model', sa.String(length=120), nullable=True),
    sa.Column('trial', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('end_reason', sa.String(length=20), nullable=True),
    sa.Column('mood', sa.Integer(), nullable=False),
    sa.Column('first_response_seconds', sa.Float(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['scenario_id'], ['roleplay_scenarios.id'], name=op.f('fk_roleplay_sessions_scenario_id_roleplay_scenarios')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_roleplay_sessions_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['roleplay_scenario_versions.id'], name=op.f('fk_roleplay_sessions_version_id_roleplay_scenario_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roleplay_sessions'))
    )
    with op.batch_alter_table('roleplay_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roleplay_sessions_ended_at'), ['ended_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_roleplay_sessions_scenario_id'), ['scenario_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roleplay_sessions_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_roleplay_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('roleplay_grades',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.Column('judge', sa.String(length=20), nullable=False),
    sa.Column('judge_model', sa.String(length=120), nullable=True),
    sa.Column('tokens', sa.Integer(), nullable=False),
    sa.Column('auto_total', sa.Float(), nullable=False),
    sa.Column('auto_passed', sa.Boolean(), nullable=False),
    sa.Column('auto_critical_failed', sa.Boolean(), nullable=False),
    sa.Column('total', sa.Float(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('critical_failed', sa.Boolean(), nullable=False),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('graded_at', sa.DateTime(), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_roleplay_grades_reviewer_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['roleplay_sessions.id'], name=op.f('fk_roleplay_grades_session_id_roleplay_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roleplay_grades')),
    sa.UniqueConstraint('session_id', name=op.f('uq_roleplay_grades_session_id'))
    )
    with op.batch_alter_table('roleplay_grades', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roleplay_grades_flagged'), ['flagged'], unique=False)
        batch_op.create_index(batch_op.f('ix_roleplay_grades_reviewed_at'), ['reviewed_at'], unique=False)

    op.create_table('roleplay_turns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('speaker', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('response_seconds', sa.Float(), nullable=True),
    sa.Column('mood', sa.Integer(), nullable=True),
    sa.Column('tokens', sa.Integer(), nullable=False),
    sa.Column('model_seconds', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['roleplay_sessions.id'], name=op.f('fk_roleplay_turns_session_id_roleplay_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roleplay_turns')),
    sa.UniqueConstraint('session_id', 'seq', name=op.f('uq_roleplay_turns_session_id_seq'))
    )
    with op.batch_alter_table('roleplay_turns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roleplay_turns_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_roleplay_turns_session_id'), ['session_id'], unique=False)

    op.create_table('roleplay_item_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grade_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.String(length=60), nullable=False),
    sa.Column('auto_score', sa.Integer(), nullable=True),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['grade_id'], ['roleplay_grades.id'], name=op.f('fk_roleplay_item_overrides_grade_id_roleplay_grades'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_roleplay_item_overrides_reviewer_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roleplay_item_overrides')),
    sa.UniqueConstraint('grade_id', 'item_id', name=op.f('uq_roleplay_item_overrides_grade_id_item_id'))
    )
    with op.batch_alter_table('roleplay_item_overrides', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roleplay_item_overrides_grade_id'), ['grade_id'], unique=False)



def downgrade():
    with op.batch_alter_table('roleplay_item_overrides', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roleplay_item_overrides_grade_id'))

    op.drop_table('roleplay_item_overrides')
    with op.batch_alter_table('roleplay_turns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roleplay_turns_session_id'))
        batch_op.drop_index(batch_op.f('ix_roleplay_turns_created_at'))

    op.drop_table('roleplay_turns')
    with op.batch_alter_table('roleplay_grades', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roleplay_grades_reviewed_at'))
        batch_op.drop_index(batch_op.f('ix_roleplay_grades_flagged'))

    op.drop_table('roleplay_grades')
    with op.batch_alter_table('roleplay_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roleplay_sessions_user_id'))
        batch_op.drop_index(batch_op.f('ix_roleplay_sessions_status'))
        batch_op.drop_index(batch_op.f('ix_roleplay_sessions_scenario_id'))
        batch_op.drop_index(batch_op.f('ix_roleplay_sessions_ended_at'))

    op.drop_table('roleplay_sessions')
    with op.batch_alter_table('roleplay_scenarios', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_roleplay_scenarios_current_version_id_roleplay_scenario_versions'),
            type_='foreignkey',
        )

    with op.batch_alter_table('roleplay_scenario_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roleplay_scenario_versions_scenario_id'))

    op.drop_table('roleplay_scenario_versions')
    with op.batch_alter_table('roleplay_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roleplay_assignments_user_id'))
        batch_op.drop_index(batch_op.f('ix_roleplay_assignments_scenario_id'))

    op.drop_table('roleplay_assignments')
    with op.batch_alter_table('roleplay_scenarios', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roleplay_scenarios_published'))
        batch_op.drop_index(batch_op.f('ix_roleplay_scenarios_category'))

    op.drop_table('roleplay_scenarios')
