"""Forms applied once, a ceiling on amounts, and one valid payment per bank reference.

A form's one-time key is claimed in ``form_submission`` (unique per co-op); each co-op has a
ceiling for one amount; a bank reference is unique among a co-op's valid payments unless the
treasurer confirmed a repeat (payments already repeating one are marked as confirmed repeats).

Revision ID: 0008_form_keys_ceiling
Revises: 0007_lot_sort_key
Create Date: 2026-11-29 21:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0008_form_keys_ceiling'
down_revision = '0007_lot_sort_key'
branch_labels = None
depends_on = None

UNIQUE_REFERENCE = "voided_dt IS NULL AND bank_reference <> '' AND NOT is_repeat_reference"
MARK_REPEATS = """
UPDATE payment SET is_repeat_reference = TRUE
WHERE voided_dt IS NULL AND bank_reference <> '' AND EXISTS (
    SELECT 1 FROM payment AS earlier
    WHERE earlier.coop_id = payment.coop_id AND earlier.bank_reference = payment.bank_reference
      AND earlier.voided_dt IS NULL AND earlier.id < payment.id)
"""


def upgrade() -> None:
    op.create_table('form_submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('outcome_url', sa.String(length=300), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['coop_id'], ['coop.id'], name=op.f('fk_form_submission_coop_id_coop'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_submission')),
    sa.UniqueConstraint('coop_id', 'key', name=op.f('uq_form_submission_coop_id_key'))
    )
    with op.batch_alter_table('form_submission', schema=None) as batch_op:
        batch_op.create_index('ix_form_submission_created_dt', ['created_dt'], unique=False)
    with op.batch_alter_table('coop', schema=None) as batch_op:
        batch_op.add_column(sa.Column('max_amount_minor', sa.BigInteger(), nullable=False,
                                      server_default=sa.text('100000000')))
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_repeat_reference', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.execute(MARK_REPEATS)
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index('uq_payment_coop_id_bank_reference', ['coop_id', 'bank_reference'], unique=True,
                              sqlite_where=sa.text(UNIQUE_REFERENCE), postgresql_where=sa.text(UNIQUE_REFERENCE))


def downgrade() -> None:
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index('uq_payment_coop_id_bank_reference', sqlite_where=sa.text(UNIQUE_REFERENCE),
                            postgresql_where=sa.text(UNIQUE_REFERENCE))
        batch_op.drop_column('is_repeat_reference')
    with op.batch_alter_table('coop', schema=None) as batch_op:
        batch_op.drop_column('max_amount_minor')
    with op.batch_alter_table('form_submission', schema=None) as batch_op:
        batch_op.drop_index('ix_form_submission_created_dt')
    op.drop_table('form_submission')
