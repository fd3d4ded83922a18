"""Postings reached by their entry carry their account and amount in the index: budget against
actual reads the year's entries by date and sums their postings from the index alone.

The (entry, account, amount) index replaces the plain ``entry_id`` index, whose lookups (an
entry's postings, the foreign key's check when an entry is deleted) it serves by its first column.

Revision ID: 0013_posting_entry_cover
Revises: 0012_observatory
Create Date: 2026-11-30 06:30:00
"""
from alembic import op


revision = '0013_posting_entry_cover'
down_revision = '0012_observatory'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_posting_entry_account_amount', 'posting', ['entry_id', 'account_id', 'amount_minor'],
                    unique=False)
    op.drop_index('ix_posting_entry_id', table_name='posting')


def downgrade() -> None:
    op.create_index('ix_posting_entry_id', 'posting', ['entry_id'], unique=False)
    op.drop_index('ix_posting_entry_account_amount', table_name='posting')
