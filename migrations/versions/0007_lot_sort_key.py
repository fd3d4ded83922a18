"""Lots in natural order: a sort key computed from block and number ("A-2" before "A-10").

Revision ID: 0007_lot_sort_key
Revises: 0006_member_address_coop_city
Create Date: 2026-12-02 10:00:00
"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa

revision = '0007_lot_sort_key'
down_revision = '0006_member_address_coop_city'
branch_labels = None
depends_on = None


def _natural_key(text: str) -> str:
    # a copy of members.models.natural_key as it was when this revision was written
    decomposed = unicodedata.normalize("NFKD", text or "")
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).upper()
    runs = re.findall(r"[0-9]+|[A-Z]+", folded)
    return "".join(run.zfill(12) if run.isdigit() else run for run in runs)


def _sort_key(block: str, number: str) -> str:
    return _natural_key(block).ljust(40, "0")[:40] + _natural_key(number)[:60]


def upgrade() -> None:
    with op.batch_alter_table('lot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sort_key', sa.String(length=100), nullable=True))
    connection = op.get_bind()
    lot = sa.table('lot', sa.column('id', sa.Integer), sa.column('block', sa.String),
                   sa.column('number', sa.String), sa.column('sort_key', sa.String))
    rows = connection.execute(sa.select(lot.c.id, lot.c.block, lot.c.number)).all()
    if rows:
        connection.execute(sa.update(lot).where(lot.c.id == sa.bindparam('lot_id'))
                           .values(sort_key=sa.bindparam('key')),
                           [{'lot_id': id_, 'key': _sort_key(block, number)} for id_, block, number in rows])
    with op.batch_alter_table('lot', schema=None) as batch_op:
        batch_op.alter_column('sort_key', existing_type=sa.String(length=100), nullable=False)
        batch_op.create_index('ix_lot_coop_sort_key', ['coop_id', 'sort_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('lot', schema=None) as batch_op:
        batch_op.drop_index('ix_lot_coop_sort_key')
        batch_op.drop_column('sort_key')
