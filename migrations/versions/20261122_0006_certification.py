"""Certification: certifications (proposed/granted/lapsed), certificates, trainer endorsements.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 08:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('proposed_at', sa.DateTime(), nullable=True),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('granted_at', sa.DateTime(), nullable=True),
    sa.Column('valid_until', sa.DateTime(), nullable=True),
    sa.Column('noticed_at', sa.DateTime(), nullable=True),
    sa.Column('notice', sa.JSON(), nullable=True),
    sa.Column('kpi_below_since', sa.DateTime(), nullable=True),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_certifications_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_certifications_proposed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_certifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certifications'))
    )
    with op.batch_alter_table('certifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certifications_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_certifications_user_id'), ['user_id'], unique=False)
        # At most one open (proposed or granted) certification per agent and level.
        batch_op.create_index(
            'uq_certifications_open_level', ['user_id', 'level'], unique=True,
            sqlite_where=sa.text("status IN ('proposed', 'granted')"),
            postgresql_where=sa.text("status IN ('proposed', 'granted')"),
        )

    op.create_table('endorsements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('trainer_id', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['trainer_id'], ['users.id'], name=op.f('fk_endorsements_trainer_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_endorsements_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_endorsements'))
    )
    with op.batch_alter_table('endorsements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_endorsements_user_id'), ['user_id'], unique=False)

    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certification_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('holder_name', sa.String(length=120), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('level_name', sa.JSON(), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['certification_id'], ['certifications.id'], name=op.f('fk_certificates_certification_id_certifications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('certification_id', name=op.f('uq_certificates_certification_id')),
    sa.UniqueConstraint('code', name=op.f('uq_certificates_code'))
    )


def downgrade():
    op.drop_table('certificates')
    with op.batch_alter_table('endorsements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_endorsements_user_id'))
    op.drop_table('endorsements')
    with op.batch_alter_table('certifications', schema=None) as batch_op:
        batch_op.drop_index('uq_certifications_open_level')
        batch_op.drop_index(batch_op.f('ix_certifications_user_id'))
        batch_op.drop_index(batch_op.f('ix_certifications_status'))
    op.drop_table('certifications')
