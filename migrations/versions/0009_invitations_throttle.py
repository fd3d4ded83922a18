"""Invitations a person accepts to join a co-op (never attached without consent).

Log-in throttling per account and address needs no new table: ``login_throttle`` gains the
kind "pair" (its key is an HMAC of both), which is a value, not a column.

Revision ID: 0009_invitations_throttle
Revises: 0008_form_keys_ceiling
Create Date: 2026-12-02 10:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0009_invitations_throttle'
down_revision = '0008_form_keys_ceiling'
branch_labels = None
depends_on = None

ROLE = sa.Enum('admin', 'secretary', 'treasurer', 'auditor', 'coordinator', 'member', name='role',
               native_enum=False, length=16)
STATUS = sa.Enum('pending', 'accepted', 'declined', 'withdrawn', name='invitationstatus', native_enum=False,
                 length=16)


def upgrade() -> None:
    op.create_table('invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', ROLE, nullable=False),
    sa.Column('scope_kind', sa.String(length=40), nullable=False),
    sa.Column('scope_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_dt', sa.DateTime(), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('status', STATUS, nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.Column('decided_dt', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['coop_id'], ['coop.id'], name=op.f('fk_invitation_coop_id_coop'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['user_account.id'],
                            name=op.f('fk_invitation_invited_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitation_token_hash')),
    )
    op.create_index(op.f('ix_invitation_coop_id'), 'invitation', ['coop_id'], unique=False)
    op.create_index(op.f('ix_invitation_email'), 'invitation', ['email'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_invitation_email'), table_name='invitation')
    op.drop_index(op.f('ix_invitation_coop_id'), table_name='invitation')
    op.drop_table('invitation')
