"""An elected office may sign the co-op's documents as its president or its secretary: a
membership certificate names whoever holds it on its day. One office of a co-op signs as each.

Revision ID: 0014_position_signs_as
Revises: 0013_posting_entry_cover
Create Date: 2026-12-01 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0014_position_signs_as'
down_revision = '0013_posting_entry_cover'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('position', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signs_as', sa.Enum('president', 'secretary', name='officer', native_enum=False,
                                                          length=16), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_position_coop_id_signs_as'), ['coop_id', 'signs_as'])


def downgrade() -> None:
    with op.batch_alter_table('position', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_position_coop_id_signs_as'), type_='unique')
        batch_op.drop_column('signs_as')
