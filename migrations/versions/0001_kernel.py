"""Kernel: accounts and sessions, co-ops and roles, the append-only audit trail, the outbox, jobs.

Revision ID: 0001_kernel
Revises:
Create Date: 2026-11-27 11:30:26.054455
"""
import sqlalchemy as sa
from alembic import op

from coop.migrate import drop_append_only, make_append_only


revision = '0001_kernel'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('coop',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('paper_size', sa.String(length=10), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('voting_basis', sa.Enum('member', 'household', name='basis', native_enum=False, length=16), nullable=False),
    sa.Column('obligation_basis', sa.Enum('member', 'household', name='basis', native_enum=False, length=16), nullable=False),
    sa.Column('quorum_percent', sa.Integer(), nullable=False),
    sa.Column('second_call_minutes', sa.Integer(), nullable=False),
    sa.Column('notice_days', sa.Integer(), nullable=False),
    sa.Column('fiscal_year_start_month', sa.Integer(), nullable=False),
    sa.Column('members_see_directory', sa.Boolean(), nullable=False),
    sa.Column('members_see_finances', sa.Boolean(), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.CheckConstraint('fiscal_year_start_month BETWEEN 1 AND 12', name=op.f('ck_coop_fiscal_month_range')),
    sa.CheckConstraint('notice_days >= 0', name=op.f('ck_coop_notice_days_positive')),
    sa.CheckConstraint('quorum_percent BETWEEN 1 AND 100', name=op.f('ck_coop_quorum_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coop')),
    sa.UniqueConstraint('slug', name=op.f('uq_coop_slug'))
    )
    op.create_table('job_lock',
    sa.Column('job_id', sa.String(length=100), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=True),
    sa.Column('locked_until_dt', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('job_id', name=op.f('pk_job_lock'))
    )
    op.create_table('job_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.String(length=100), nullable=False),
    sa.Column('started_dt', sa.DateTime(), nullable=False),
    sa.Column('finished_dt', sa.DateTime(), nullable=True),
    sa.Column('outcome', sa.Enum('running', 'success', 'failed', name='joboutcome', native_enum=False, length=16), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('runner', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_run'))
    )
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.create_index('ix_job_run_job_started', ['job_id', 'started_dt'], unique=False)

    op.create_table('login_throttle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('blocked_until_dt', sa.DateTime(), nullable=True),
    sa.Column('last_failure_dt', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_throttle')),
    sa.UniqueConstraint('kind', 'key', name=op.f('uq_login_throttle_kind_key'))
    )
    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('is_platform_admin', sa.Boolean(), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.Column('password_changed_dt', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('email', name=op.f('uq_user_account_email'))
    )
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=200), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=64), nullable=True),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_audit_event_actor_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['coop_id'], ['coop.id'], name=op.f('fk_audit_event_coop_id_coop'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_action'), ['action'], unique=False)
        batch_op.create_index('ix_audit_event_coop_created', ['coop_id', 'created_dt'], unique=False)
    make_append_only(op, 'audit_event')

    op.create_table('coop_role',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('admin', 'secretary', 'treasurer', 'auditor', 'coordinator', 'member', name='role', native_enum=False, length=16), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['coop_id'], ['coop.id'], name=op.f('fk_coop_role_coop_id_coop'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_coop_role_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coop_role')),
    sa.UniqueConstraint('coop_id', 'user_id', 'role', name=op.f('uq_coop_role_coop_id_user_id_role'))
    )
    with op.batch_alter_table('coop_role', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coop_role_coop_id'), ['coop_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coop_role_user_id'), ['user_id'], unique=False)

    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=True),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'sent', 'failed', name='outboxstatus', native_enum=False, length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('dedupe_key', sa.String(length=200), nullable=True),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.Column('next_attempt_dt', sa.DateTime(), nullable=False),
    sa.Column('sent_dt', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['coop_id'], ['coop.id'], name=op.f('fk_outbox_message_coop_id_coop'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_message_dedupe_key'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_message_coop_id'), ['coop_id'], unique=False)
        batch_op.create_index('ix_outbox_message_status_next', ['status', 'next_attempt_dt'], unique=False)

    op.create_table('user_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.Column('last_seen_dt', sa.DateTime(), nullable=False),
    sa.Column('revoked_dt', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_session_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_session_token_hash'))
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))

    op.drop_table('user_session')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_status_next')
        batch_op.drop_index(batch_op.f('ix_outbox_message_coop_id'))

    op.drop_table('outbox_message')
    with op.batch_alter_table('coop_role', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coop_role_user_id'))
        batch_op.drop_index(batch_op.f('ix_coop_role_coop_id'))

    op.drop_table('coop_role')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_coop_created')
        batch_op.drop_index(batch_op.f('ix_audit_event_action'))

    drop_append_only(op, 'audit_event')
    op.drop_table('audit_event')
    op.drop_table('user_account')
    op.drop_table('login_throttle')
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.drop_index('ix_job_run_job_started')

    op.drop_table('job_run')
    op.drop_table('job_lock')
    op.drop_table('coop')
