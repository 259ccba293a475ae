"""Scorecards: daily KPI records per agent and team, API tokens, config overrides, OKRs.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 08:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('team_kpi_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('cost_saving_rate', sa.Float(), nullable=True),
    sa.Column('churn_rate', sa.Float(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_kpi_records_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_kpi_records')),
    sa.UniqueConstraint('team_id', 'day', name=op.f('uq_team_kpi_records_team_id_day'))
    )
    with op.batch_alter_table('team_kpi_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_kpi_records_day'), ['day'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_api_tokens_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    op.create_table('config_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_config_documents_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_config_documents')),
    sa.UniqueConstraint('name', name=op.f('uq_config_documents_name'))
    )
    op.create_table('kpi_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('conversations', sa.Integer(), nullable=False),
    sa.Column('first_response_seconds', sa.Float(), nullable=True),
    sa.Column('response_rate', sa.Float(), nullable=True),
    sa.Column('resolution_rate', sa.Float(), nullable=True),
    sa.Column('csat', sa.Float(), nullable=True),
    sa.Column('csat_responses', sa.Integer(), nullable=True),
    sa.Column('repeat_contact_rate', sa.Float(), nullable=True),
    sa.Column('qa_score', sa.Float(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_kpi_records_agent_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_records')),
    sa.UniqueConstraint('agent_id', 'day', name=op.f('uq_kpi_records_agent_id_day'))
    )
    with op.batch_alter_table('kpi_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpi_records_day'), ['day'], unique=False)

    op.create_table('okr_sets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.String(length=7), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('manager_comment', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_okr_sets_agent_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_okr_sets_decided_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_okr_sets')),
    sa.UniqueConstraint('agent_id', 'quarter', name=op.f('uq_okr_sets_agent_id_quarter'))
    )
    with op.batch_alter_table('okr_sets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_okr_sets_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_okr_sets_quarter'), ['quarter'], unique=False)

    op.create_table('okr_objectives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('set_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['set_id'], ['okr_sets.id'], name=op.f('fk_okr_objectives_set_id_okr_sets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_okr_objectives'))
    )
    with op.batch_alter_table('okr_objectives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_okr_objectives_set_id'), ['set_id'], unique=False)

    op.create_table('okr_key_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('objective_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('start_value', sa.Float(), nullable=False),
    sa.Column('target', sa.Float(), nullable=False),
    sa.Column('current', sa.Float(), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['objective_id'], ['okr_objectives.id'], name=op.f('fk_okr_key_results_objective_id_okr_objectives'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_okr_key_results'))
    )
    with op.batch_alter_table('okr_key_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_okr_key_results_objective_id'), ['objective_id'], unique=False)

    op.create_table('okr_progress_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_result_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_okr_progress_updates_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['key_result_id'], ['okr_key_results.id'], name=op.f('fk_okr_progress_updates_key_result_id_okr_key_results'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_okr_progress_updates'))
    )
    with op.batch_alter_table('okr_progress_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_okr_progress_updates_key_result_id'), ['key_result_id'], unique=False)


def downgrade():
    with op.batch_alter_table('okr_progress_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_okr_progress_updates_key_result_id'))
    op.drop_table('okr_progress_updates')
    with op.batch_alter_table('okr_key_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_okr_key_results_objective_id'))
    op.drop_table('okr_key_results')
    with op.batch_alter_table('okr_objectives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_okr_objectives_set_id'))
    op.drop_table('okr_objectives')
    with op.batch_alter_table('okr_sets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_okr_sets_quarter'))
        batch_op.drop_index(batch_op.f('ix_okr_sets_agent_id'))
    op.drop_table('okr_sets')
    with op.batch_alter_table('kpi_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kpi_records_day'))
    op.drop_table('kpi_records')
    op.drop_table('config_documents')
    op.drop_table('api_tokens')
    with op.batch_alter_table('team_kpi_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_kpi_records_day'))
    op.drop_table('team_kpi_records')
