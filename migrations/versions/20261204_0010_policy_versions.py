"""Role-play: versions of the platform compliance policy (YAML, parsed rules, author, note).

Revision ID: 20261204_policy
Revises: 20261204_numbers
Create Date: 2026-12-04 14:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '20261204_policy'
down_revision = "20261204_numbers"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('roleplay_policy_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('yaml_text', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_roleplay_policy_versions_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roleplay_policy_versions')),
    sa.UniqueConstraint('number', name=op.f('uq_roleplay_policy_versions_number'))
    )


def downgrade():
    op.drop_table('roleplay_policy_versions')
