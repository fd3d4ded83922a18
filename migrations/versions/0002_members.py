"""Member register (members, status history, households, lots, share capital, applications),
per-co-op counters for gapless numbers, and documents generated in the background.

Revision ID: 0002_members
Revises: 0001_kernel
Create Date: 2026-11-27 11:44:33.478177
"""
import sqlalchemy as sa
from alembic import op

from coop.migrate import drop_append_only, make_append_only


revision = '0002_members'
down_revision = '0001_kernel'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('coop_counter',
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('series', sa.String(length=32), nullable=False),
    sa.Column('last_value', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['coop_id'], ['coop.id'], name=op.f('fk_coop_counter_coop_id_coop'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('coop_id', 'series', name=op.f('pk_coop_counter'))
    )
    op.create_table('generated_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('params', sa.JSON(), nullable=True),
    sa.Column('status', sa.Enum('pending', 'running', 'done', 'failed', name='documentstatus', native_enum=False, length=16), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('mimetype', sa.String(length=100), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.Column('finished_dt', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['coop_id'], ['coop.id'], name=op.f('fk_generated_document_coop_id_coop'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_generated_document_requested_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_generated_document'))
    )
    with op.batch_alter_table('generated_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_generated_document_coop_id'), ['coop_id'], unique=False)

    op.create_table('household',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('dependants', sa.Integer(), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.CheckConstraint('dependants >= 0', name=op.f('ck_household_dependants_positive')),
    sa.ForeignKeyConstraint(['coop_id'], ['coop.id'], name=op.f('fk_household_coop_id_coop'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household')),
    sa.UniqueConstraint('coop_id', 'name', name=op.f('uq_household_coop_id_name'))
    )
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_coop_id'), ['coop_id'], unique=False)

    op.create_table('lot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('block', sa.String(length=20), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('phase', sa.String(length=60), nullable=False),
    sa.Column('status', sa.Enum('planned', 'under_construction', 'built', 'delivered', name='lotstatus', native_enum=False, length=24), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['coop_id'], ['coop.id'], name=op.f('fk_lot_coop_id_coop'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_lot_household_id_household'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lot')),
    sa.UniqueConstraint('coop_id', 'block', 'number', name=op.f('uq_lot_coop_id_block_number'))
    )
    with op.batch_alter_table('lot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lot_coop_id'), ['coop_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lot_household_id'), ['household_id'], unique=False)

    op.create_table('member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('given_names', sa.String(length=120), nullable=False),
    sa.Column('family_names', sa.String(length=120), nullable=False),
    sa.Column('document_type', sa.Enum('cedula', 'ruc', 'passport', name='documenttype', native_enum=False, length=24), nullable=False),
    sa.Column('document_number', sa.String(length=20), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('phone_alt', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('join_date', sa.Date(), nullable=False),
    sa.Column('preferred_language', sa.String(length=8), nullable=False),
    sa.Column('status', sa.Enum('applicant', 'active', 'suspended', 'withdrawn', 'excluded', 'deceased', name='memberstatus', native_enum=False, length=24), nullable=False),
    sa.Column('status_since', sa.Date(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.Column('updated_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['coop_id'], ['coop.id'], name=op.f('fk_member_coop_id_coop'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_member_household_id_household'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_member_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member')),
    sa.UniqueConstraint('coop_id', 'document_number', name=op.f('uq_member_coop_id_document_number')),
    sa.UniqueConstraint('coop_id', 'number', name=op.f('uq_member_coop_id_number')),
    sa.UniqueConstraint('coop_id', 'user_id', name=op.f('uq_member_coop_id_user_id'))
    )
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index('ix_member_coop_family', ['coop_id', 'family_names', 'given_names'], unique=False)
        batch_op.create_index('ix_member_coop_status', ['coop_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_household_id'), ['household_id'], unique=False)

    op.create_table('lot_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('from_date', sa.Date(), nullable=False),
    sa.Column('to_date', sa.Date(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('resolution_ref', sa.String(length=200), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['coop_id'], ['coop.id'], name=op.f('fk_lot_assignment_coop_id_coop'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_lot_assignment_household_id_household'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lot_id'], ['lot.id'], name=op.f('fk_lot_assignment_lot_id_lot'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_lot_assignment_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lot_assignment'))
    )
    with op.batch_alter_table('lot_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lot_assignment_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lot_assignment_lot_id'), ['lot_id'], unique=False)

    op.create_table('member_status_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('previous_status', sa.Enum('applicant', 'active', 'suspended', 'withdrawn', 'excluded', 'deceased', name='memberstatus', native_enum=False, length=24), nullable=True),
    sa.Column('status', sa.Enum('applicant', 'active', 'suspended', 'withdrawn', 'excluded', 'deceased', name='memberstatus', native_enum=False, length=24), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('resolution_ref', sa.String(length=200), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['coop_id'], ['coop.id'], name=op.f('fk_member_status_change_coop_id_coop'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_member_status_change_member_id_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_member_status_change_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_status_change'))
    )
    with op.batch_alter_table('member_status_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_status_change_member_id'), ['member_id'], unique=False)

    make_append_only(op, 'member_status_change')
    op.create_table('membership_application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('given_names', sa.String(length=120), nullable=False),
    sa.Column('family_names', sa.String(length=120), nullable=False),
    sa.Column('document_type', sa.Enum('cedula', 'ruc', 'passport', name='documenttype', native_enum=False, length=24), nullable=False),
    sa.Column('document_number', sa.String(length=20), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'rejected', name='applicationstatus', native_enum=False, length=24), nullable=False),
    sa.Column('submitted_dt', sa.DateTime(), nullable=False),
    sa.Column('decision_date', sa.Date(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('resolution_ref', sa.String(length=200), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_dt', sa.DateTime(), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['coop_id'], ['coop.id'], name=op.f('fk_membership_application_coop_id_coop'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_membership_application_decided_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_membership_application_member_id_member'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_application'))
    )
    with op.batch_alter_table('membership_application', schema=None) as batch_op:
        batch_op.create_index('ix_membership_application_coop_status', ['coop_id', 'status'], unique=False)

    op.create_table('share_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('instalments', sa.Integer(), nullable=False),
    sa.Column('first_due_date', sa.Date(), nullable=False),
    sa.Column('resolution_ref', sa.String(length=200), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.CheckConstraint('amount_minor > 0', name=op.f('ck_share_subscription_amount_positive')),
    sa.CheckConstraint('instalments >= 1', name=op.f('ck_share_subscription_instalments_positive')),
    sa.ForeignKeyConstraint(['coop_id'], ['coop.id'], name=op.f('fk_share_subscription_coop_id_coop'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_share_subscription_member_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_subscription'))
    )
    with op.batch_alter_table('share_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_subscription_member_id'), ['member_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('share_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_subscription_member_id'))

    op.drop_table('share_subscription')
    with op.batch_alter_table('membership_application', schema=None) as batch_op:
        batch_op.drop_index('ix_membership_application_coop_status')

    op.drop_table('membership_application')
    with op.batch_alter_table('member_status_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_status_change_member_id'))

    drop_append_only(op, 'member_status_change')
    op.drop_table('member_status_change')
    with op.batch_alter_table('lot_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lot_assignment_lot_id'))
        batch_op.drop_index(batch_op.f('ix_lot_assignment_household_id'))

    op.drop_table('lot_assignment')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_household_id'))
        batch_op.drop_index('ix_member_coop_status')
        batch_op.drop_index('ix_member_coop_family')

    op.drop_table('member')
    with op.batch_alter_table('lot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lot_household_id'))
        batch_op.drop_index(batch_op.f('ix_lot_coop_id'))

    op.drop_table('lot')
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_coop_id'))

    op.drop_table('household')
    with op.batch_alter_table('generated_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_generated_document_coop_id'))

    op.drop_table('generated_document')
    op.drop_table('coop_counter')
