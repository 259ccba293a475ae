"""Quizzes: question bank (questions, immutable versions, tags), quizzes, attempts and answers.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 08:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('quizzes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('description', sa.JSON(), nullable=False),
    sa.Column('course_slug', sa.String(length=80), nullable=True),
    sa.Column('draw_rules', sa.JSON(), nullable=False),
    sa.Column('shuffle_questions', sa.Boolean(), nullable=False),
    sa.Column('shuffle_options', sa.Boolean(), nullable=False),
    sa.Column('time_limit_minutes', sa.Integer(), nullable=True),
    sa.Column('attempts_allowed', sa.Integer(), nullable=False),
    sa.Column('wait_minutes', sa.Integer(), nullable=False),
    sa.Column('pass_mark', sa.Double(), nullable=False),
    sa.Column('grading_method', sa.String(length=10), nullable=False),
    sa.Column('validity_days', sa.Integer(), nullable=True),
    sa.Column('review_policy', sa.String(length=20), nullable=False),
    sa.Column('opens_at', sa.DateTime(), nullable=True),
    sa.Column('closes_at', sa.DateTime(), nullable=True),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quizzes')),
    sa.UniqueConstraint('slug', name=op.f('uq_quizzes_slug'))
    )
    with op.batch_alter_table('quizzes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quizzes_course_slug'), ['course_slug'], unique=False)

    # quiz_questions.current_version_id points at quiz_question_versions, which points back:
    # create both tables, then add that foreign key.
    op.create_table('quiz_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idnumber', sa.String(length=255), nullable=True),
    sa.Column('category', sa.String(length=255), nullable=False),
    sa.Column('difficulty', sa.String(length=10), nullable=True),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('synced_hash', sa.String(length=64), nullable=True),
    sa.Column('current_version_id', sa.Integer(), nullable=True),
    sa.Column('retired_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_quiz_questions_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_questions')),
    sa.UniqueConstraint('idnumber', name=op.f('uq_quiz_questions_idnumber'))
    )
    with op.batch_alter_table('quiz_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_questions_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_quiz_questions_difficulty'), ['difficulty'], unique=False)

    op.create_table('quiz_question_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('qtype', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('stem', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_quiz_question_versions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['question_id'], ['quiz_questions.id'], name=op.f('fk_quiz_question_versions_question_id_quiz_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_question_versions')),
    sa.UniqueConstraint('question_id', 'number', name=op.f('uq_quiz_question_versions_question_id_number'))
    )
    with op.batch_alter_table('quiz_question_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_question_versions_question_id'), ['question_id'], unique=False)

    with op.batch_alter_table('quiz_questions', schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f('fk_quiz_questions_current_version_id_quiz_question_versions'),
            'quiz_question_versions', ['current_version_id'], ['id'], ondelete='SET NULL',
        )

    op.create_table('quiz_question_tags',
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['quiz_questions.id'], name=op.f('fk_quiz_question_tags_question_id_quiz_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('question_id', 'tag', name=op.f('pk_quiz_question_tags'))
    )
    with op.batch_alter_table('quiz_question_tags', schema=None) as batch_op:
        batch_op.create_index('ix_quiz_question_tags_tag', ['tag'], unique=False)

    op.create_table('quiz_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('deadline_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('finished_by', sa.String(length=12), nullable=True),
    sa.Column('score', sa.Double(), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'], name=op.f('fk_quiz_attempts_quiz_id_quizzes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_quiz_attempts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_attempts')),
    sa.UniqueConstraint('quiz_id', 'user_id', 'number', name=op.f('uq_quiz_attempts_quiz_id_user_id_number'))
    )
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_attempts_quiz_id'), ['quiz_id'], unique=False)
        batch_op.create_index('ix_quiz_attempts_state_deadline', ['state', 'deadline_at'], unique=False)
        batch_op.create_index('ix_quiz_attempts_user_quiz', ['user_id', 'quiz_id'], unique=False)

    op.create_table('quiz_attempt_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('layout', sa.JSON(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=True),
    sa.Column('saved_at', sa.DateTime(), nullable=True),
    sa.Column('fraction', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['attempt_id'], ['quiz_attempts.id'], name=op.f('fk_quiz_attempt_answers_attempt_id_quiz_attempts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['quiz_question_versions.id'], name=op.f('fk_quiz_attempt_answers_version_id_quiz_question_versions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_attempt_answers')),
    sa.UniqueConstraint('attempt_id', 'slot', name=op.f('uq_quiz_attempt_answers_attempt_id_slot'))
    )
    with op.batch_alter_table('quiz_attempt_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_attempt_answers_version_id'), ['version_id'], unique=False)


def downgrade():
    with op.batch_alter_table('quiz_attempt_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_attempt_answers_version_id'))
    op.drop_table('quiz_attempt_answers')
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_quiz_attempts_user_quiz')
        batch_op.drop_index('ix_quiz_attempts_state_deadline')
        batch_op.drop_index(batch_op.f('ix_quiz_attempts_quiz_id'))
    op.drop_table('quiz_attempts')
    with op.batch_alter_table('quiz_question_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_quiz_question_tags_tag')
    op.drop_table('quiz_question_tags')
    with op.batch_alter_table('quiz_questions', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_quiz_questions_current_version_id_quiz_question_versions'), type_='foreignkey'
        )
    with op.batch_alter_table('quiz_question_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_question_versions_question_id'))
    op.drop_table('quiz_question_versions')
    with op.batch_alter_table('quiz_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_questions_difficulty'))
        batch_op.drop_index(batch_op.f('ix_quiz_questions_category'))
    op.drop_table('quiz_questions')
    with op.batch_alter_table('quizzes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quizzes_course_slug'))
    op.drop_table('quizzes')
