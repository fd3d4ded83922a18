"""Words: how a member is addressed (socia, socio or neutral), the co-op's city for its printed
documents, and the structured details of an audit event (shown in the reader's language).

Revision ID: 0006_member_address_coop_city
Revises: 0005_kernel_tasks_scopes
Create Date: 2026-11-30 10:00:00
"""
from alembic import op
import sqlalchemy as sa

from coop.migrate import drop_append_only, make_append_only

revision = '0006_member_address_coop_city'
down_revision = '0005_kernel_tasks_scopes'
branch_labels = None
depends_on = None

FORM_OF_ADDRESS = sa.Enum('feminine', 'masculine', 'neutral', name='formofaddress', native_enum=False, length=16)


def upgrade() -> None:
    # adding a column leaves the audit trail's append-only triggers in place on both databases
    op.add_column('member', sa.Column('form_of_address', FORM_OF_ADDRESS, nullable=False,
                                      server_default='neutral'))
    op.add_column('coop', sa.Column('city', sa.String(length=120), nullable=False, server_default=''))
    op.add_column('audit_event', sa.Column('details', sa.JSON(), nullable=True))


def downgrade() -> None:
    drop_append_only(op, 'audit_event')  # SQLite re-creates the table to drop a column
    with op.batch_alter_table('audit_event') as batch:
        batch.drop_column('details')
    make_append_only(op, 'audit_event')
    with op.batch_alter_table('coop') as batch:
        batch.drop_column('city')
    with op.batch_alter_table('member') as batch:
        batch.drop_column('form_of_address')
