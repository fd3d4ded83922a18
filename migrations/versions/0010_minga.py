"""Minga: commissions, work sessions and tasks, sign-ups, attendance, obligation rules, exemptions, period closes, calendar links.

Revision ID: 0010_minga
Revises: 0009_invitations_throttle
Create Date: 2026-11-29 23:40:34.361001
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_minga'
down_revision = '0009_invitations_throttle'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('commission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('is_capital_work', sa.Boolean(), nullable=False),
    sa.Column('is_office_work', sa.Boolean(), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['coop_id'], ['coop.id'], name=op.f('fk_commission_coop_id_coop'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commission')),
    sa.UniqueConstraint('coop_id', 'name', name=op.f('uq_commission_coop_id_name'))
    )
    with op.batch_alter_table('commission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commission_coop_id'), ['coop_id'], unique=False)

    op.create_table('period_close',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('fines_count', sa.Integer(), nullable=False),
    sa.Column('fines_total_minor', sa.BigInteger(), nullable=False),
    sa.Column('capital_count', sa.Integer(), nullable=False),
    sa.Column('capital_total_minor', sa.BigInteger(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['coop_id'], ['coop.id'], name=op.f('fk_period_close_coop_id_coop'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_period_close_created_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_period_close')),
    sa.UniqueConstraint('coop_id', 'period_start', name=op.f('uq_period_close_coop_id_period_start'))
    )
    op.create_table('minga_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('owed_minutes', sa.Integer(), nullable=False),
    sa.Column('unit', sa.Enum('household', 'member', name='obligationunit', native_enum=False, length=16), nullable=False),
    sa.Column('period', sa.Enum('month', 'quarter', name='obligationperiod', native_enum=False, length=16), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('surplus', sa.Enum('lost', 'carried', name='surplusrule', native_enum=False, length=16), nullable=False),
    sa.Column('office_work_counts', sa.Boolean(), nullable=False),
    sa.Column('grace_days', sa.Integer(), nullable=False),
    sa.Column('is_closed_automatically', sa.Boolean(), nullable=False),
    sa.Column('fine_per_hour_minor', sa.BigInteger(), nullable=False),
    sa.Column('fine_account_id', sa.Integer(), nullable=True),
    sa.Column('capital_rate_minor', sa.BigInteger(), nullable=False),
    sa.Column('capital_account_id', sa.Integer(), nullable=True),
    sa.Column('reminder_hours', sa.Integer(), nullable=False),
    sa.Column('updated_dt', sa.DateTime(), nullable=False),
    sa.CheckConstraint('capital_rate_minor >= 0', name=op.f('ck_minga_rules_rate_not_negative')),
    sa.CheckConstraint('fine_per_hour_minor >= 0', name=op.f('ck_minga_rules_fine_not_negative')),
    sa.CheckConstraint('owed_minutes >= 0', name=op.f('ck_minga_rules_owed_not_negative')),
    sa.ForeignKeyConstraint(['capital_account_id'], ['account.id'], name=op.f('fk_minga_rules_capital_account_id_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['coop_id'], ['coop.id'], name=op.f('fk_minga_rules_coop_id_coop'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['fine_account_id'], ['account.id'], name=op.f('fk_minga_rules_fine_account_id_account'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_minga_rules')),
    sa.UniqueConstraint('coop_id', name=op.f('uq_minga_rules_coop_id'))
    )
    op.create_table('session_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('commission_id', sa.Integer(), nullable=False),
    sa.Column('rule_text', sa.String(length=300), nullable=False),
    sa.Column('every_days', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['commission_id'], ['commission.id'], name=op.f('fk_session_series_commission_id_commission'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['coop_id'], ['coop.id'], name=op.f('fk_session_series_coop_id_coop'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_session_series_created_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_series'))
    )
    with op.batch_alter_table('session_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_series_coop_id'), ['coop_id'], unique=False)

    op.create_table('calendar_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('commission_id', sa.Integer(), nullable=True),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.CheckConstraint('(member_id IS NULL) <> (commission_id IS NULL)', name=op.f('ck_calendar_token_one_owner')),
    sa.ForeignKeyConstraint(['commission_id'], ['commission.id'], name=op.f('fk_calendar_token_commission_id_commission'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['coop_id'], ['coop.id'], name=op.f('fk_calendar_token_coop_id_coop'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_calendar_token_member_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_token')),
    sa.UniqueConstraint('coop_id', 'commission_id', name=op.f('uq_calendar_token_coop_id_commission_id')),
    sa.UniqueConstraint('coop_id', 'member_id', name=op.f('uq_calendar_token_coop_id_member_id')),
    sa.UniqueConstraint('token', name=op.f('uq_calendar_token_token'))
    )
    op.create_table('close_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('close_id', sa.Integer(), nullable=False),
    sa.Column('owner_key', sa.String(length=24), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('owed_minutes', sa.Integer(), nullable=False),
    sa.Column('worked_minutes', sa.Integer(), nullable=False),
    sa.Column('missing_minutes', sa.Integer(), nullable=False),
    sa.Column('fine_minor', sa.BigInteger(), nullable=False),
    sa.Column('capital_minutes', sa.Integer(), nullable=False),
    sa.Column('capital_minor', sa.BigInteger(), nullable=False),
    sa.Column('fine_entry_id', sa.Integer(), nullable=True),
    sa.Column('capital_entry_id', sa.Integer(), nullable=True),
    sa.Column('is_fine_reversed', sa.Boolean(), nullable=False),
    sa.Column('is_capital_reversed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['capital_entry_id'], ['journal_entry.id'], name=op.f('fk_close_line_capital_entry_id_journal_entry'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['close_id'], ['period_close.id'], name=op.f('fk_close_line_close_id_period_close'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['coop_id'], ['coop.id'], name=op.f('fk_close_line_coop_id_coop'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['fine_entry_id'], ['journal_entry.id'], name=op.f('fk_close_line_fine_entry_id_journal_entry'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_close_line_household_id_household'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_close_line_member_id_member'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_close_line')),
    sa.UniqueConstraint('close_id', 'owner_key', name=op.f('uq_close_line_close_id_owner_key'))
    )
    with op.batch_alter_table('close_line', schema=None) as batch_op:
        batch_op.create_index('ix_close_line_coop_member', ['coop_id', 'member_id'], unique=False)

    op.create_table('commission_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('commission_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['commission_id'], ['commission.id'], name=op.f('fk_commission_member_commission_id_commission'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['coop_id'], ['coop.id'], name=op.f('fk_commission_member_coop_id_coop'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_commission_member_member_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commission_member')),
    sa.UniqueConstraint('commission_id', 'member_id', name=op.f('uq_commission_member_commission_id_member_id'))
    )
    with op.batch_alter_table('commission_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commission_member_coop_id'), ['coop_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commission_member_member_id'), ['member_id'], unique=False)

    op.create_table('exemption',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('from_date', sa.Date(), nullable=False),
    sa.Column('to_date', sa.Date(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.Column('revoked_dt', sa.DateTime(), nullable=True),
    sa.CheckConstraint('(household_id IS NULL) <> (member_id IS NULL)', name=op.f('ck_exemption_one_target')),
    sa.CheckConstraint('percent > 0 AND percent <= 100', name=op.f('ck_exemption_percent_range')),
    sa.CheckConstraint('to_date IS NULL OR to_date >= from_date', name=op.f('ck_exemption_dates_in_order')),
    sa.ForeignKeyConstraint(['coop_id'], ['coop.id'], name=op.f('fk_exemption_coop_id_coop'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_exemption_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_exemption_household_id_household'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_exemption_member_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exemption'))
    )
    with op.batch_alter_table('exemption', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exemption_coop_id'), ['coop_id'], unique=False)

    op.create_table('work_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('commission_id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('starts_dt', sa.DateTime(), nullable=False),
    sa.Column('ends_dt', sa.DateTime(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('signup_opens_dt', sa.DateTime(), nullable=True),
    sa.Column('signup_closes_dt', sa.DateTime(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'open', 'closed', 'done', 'cancelled', name='sessionstatus', native_enum=False, length=16), nullable=False),
    sa.Column('is_compensation', sa.Boolean(), nullable=False),
    sa.Column('cancel_reason', sa.Text(), nullable=False),
    sa.Column('confirmed_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('arrivals', sa.Integer(), server_default='0', nullable=False),
    sa.Column('reminded_dt', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.CheckConstraint('capacity > 0', name=op.f('ck_work_session_capacity_positive')),
    sa.CheckConstraint('confirmed_count >= 0 AND confirmed_count <= capacity', name=op.f('ck_work_session_within_capacity')),
    sa.CheckConstraint('ends_dt > starts_dt', name=op.f('ck_work_session_ends_after_start')),
    sa.ForeignKeyConstraint(['commission_id'], ['commission.id'], name=op.f('fk_work_session_commission_id_commission'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['coop_id'], ['coop.id'], name=op.f('fk_work_session_coop_id_coop'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_work_session_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['series_id'], ['session_series.id'], name=op.f('fk_work_session_series_id_session_series'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_session'))
    )
    with op.batch_alter_table('work_session', schema=None) as batch_op:
        batch_op.create_index('ix_work_session_commission_starts', ['commission_id', 'starts_dt'], unique=False)
        batch_op.create_index('ix_work_session_coop_starts', ['coop_id', 'starts_dt'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_session_series_id'), ['series_id'], unique=False)

    op.create_table('session_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('people_needed', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('people_needed > 0', name=op.f('ck_session_task_people_positive')),
    sa.ForeignKeyConstraint(['coop_id'], ['coop.id'], name=op.f('fk_session_task_coop_id_coop'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['work_session.id'], name=op.f('fk_session_task_session_id_work_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_task'))
    )
    with op.batch_alter_table('session_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_task_session_id'), ['session_id'], unique=False)

    op.create_table('sign_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('confirmed', 'waitlisted', 'cancelled', name='signupstatus', native_enum=False, length=16), nullable=False),
    sa.Column('arrival', sa.Integer(), nullable=False),
    sa.Column('is_by_office', sa.Boolean(), nullable=False),
    sa.Column('signed_up_by_id', sa.Integer(), nullable=True),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.Column('changed_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['coop_id'], ['coop.id'], name=op.f('fk_sign_up_coop_id_coop'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_sign_up_member_id_member'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['session_id'], ['work_session.id'], name=op.f('fk_sign_up_session_id_work_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signed_up_by_id'], ['user_account.id'], name=op.f('fk_sign_up_signed_up_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['task_id'], ['session_task.id'], name=op.f('fk_sign_up_task_id_session_task'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_up')),
    sa.UniqueConstraint('session_id', 'arrival', name=op.f('uq_sign_up_session_id_arrival')),
    sa.UniqueConstraint('session_id', 'member_id', name=op.f('uq_sign_up_session_id_member_id'))
    )
    with op.batch_alter_table('sign_up', schema=None) as batch_op:
        batch_op.create_index('ix_sign_up_member', ['coop_id', 'member_id'], unique=False)
        batch_op.create_index('ix_sign_up_session_status', ['session_id', 'status', 'arrival'], unique=False)

    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('sign_up_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('present', 'absent', 'excused', name='attendancestatus', native_enum=False, length=16), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_dt', sa.DateTime(), nullable=False),
    sa.CheckConstraint('minutes >= 0', name=op.f('ck_attendance_minutes_not_negative')),
    sa.ForeignKeyConstraint(['coop_id'], ['coop.id'], name=op.f('fk_attendance_coop_id_coop'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_attendance_household_id_household'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_attendance_member_id_member'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_attendance_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['work_session.id'], name=op.f('fk_attendance_session_id_work_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sign_up_id'], ['sign_up.id'], name=op.f('fk_attendance_sign_up_id_sign_up'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('session_id', 'member_id', name=op.f('uq_attendance_session_id_member_id'))
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_coop_household', ['coop_id', 'household_id'], unique=False)
        batch_op.create_index('ix_attendance_coop_member', ['coop_id', 'member_id'], unique=False)

    op.create_table('attendance_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('attendance_id', sa.Integer(), nullable=False),
    sa.Column('previous_status', sa.Enum('present', 'absent', 'excused', name='attendancestatus', native_enum=False, length=16), nullable=False),
    sa.Column('previous_minutes', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('present', 'absent', 'excused', name='attendancestatus', native_enum=False, length=16), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['attendance_id'], ['attendance.id'], name=op.f('fk_attendance_change_attendance_id_attendance'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user_account.id'], name=op.f('fk_attendance_change_changed_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['coop_id'], ['coop.id'], name=op.f('fk_attendance_change_coop_id_coop'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_change'))
    )
    with op.batch_alter_table('attendance_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_change_attendance_id'), ['attendance_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('attendance_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_change_attendance_id'))

    op.drop_table('attendance_change')
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index('ix_attendance_coop_member')
        batch_op.drop_index('ix_attendance_coop_household')

    op.drop_table('attendance')
    with op.batch_alter_table('sign_up', schema=None) as batch_op:
        batch_op.drop_index('ix_sign_up_session_status')
        batch_op.drop_index('ix_sign_up_member')

    op.drop_table('sign_up')
    with op.batch_alter_table('session_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_task_session_id'))

    op.drop_table('session_task')
    with op.batch_alter_table('work_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_session_series_id'))
        batch_op.drop_index('ix_work_session_coop_starts')
        batch_op.drop_index('ix_work_session_commission_starts')

    op.drop_table('work_session')
    with op.batch_alter_table('exemption', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exemption_coop_id'))

    op.drop_table('exemption')
    with op.batch_alter_table('commission_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commission_member_member_id'))
        batch_op.drop_index(batch_op.f('ix_commission_member_coop_id'))

    op.drop_table('commission_member')
    with op.batch_alter_table('close_line', schema=None) as batch_op:
        batch_op.drop_index('ix_close_line_coop_member')

    op.drop_table('close_line')
    op.drop_table('calendar_token')
    with op.batch_alter_table('session_series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_series_coop_id'))

    op.drop_table('session_series')
    op.drop_table('minga_rules')
    op.drop_table('period_close')
    with op.batch_alter_table('commission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commission_coop_id'))

    op.drop_table('commission')
