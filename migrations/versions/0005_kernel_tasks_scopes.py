"""The kernel made one: background tasks (generated_document becomes task), roles held within a
scope, and what a journal entry belongs to (its origin).

Revision ID: 0005_kernel_tasks_scopes
Revises: 0004_members_money
Create Date: 2026-11-29 19:30:00
"""
from alembic import op
import sqlalchemy as sa

from coop.migrate import drop_append_only, make_append_only

revision = '0005_kernel_tasks_scopes'
down_revision = '0004_members_money'
branch_labels = None
depends_on = None

TASK_STATUS = sa.Enum('draft', 'pending', 'running', 'done', 'failed', name='taskstatus', native_enum=False,
                      length=16)
DOCUMENT_STATUS = sa.Enum('pending', 'running', 'done', 'failed', name='documentstatus', native_enum=False,
                          length=16)
WAITING = "status IN ('pending', 'running')"


def _create_task_table() -> None:
    op.create_table('task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('params', sa.JSON(), nullable=True),
    sa.Column('dedupe_key', sa.String(length=64), nullable=False),
    sa.Column('status', TASK_STATUS, nullable=False),
    sa.Column('phase', sa.String(length=40), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('mimetype', sa.String(length=100), nullable=False),
    sa.Column('input', sa.LargeBinary(), nullable=True),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('runner', sa.String(length=64), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.Column('started_dt', sa.DateTime(), nullable=True),
    sa.Column('heartbeat_dt', sa.DateTime(), nullable=True),
    sa.Column('finished_dt', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['coop_id'], ['coop.id'], name=op.f('fk_task_coop_id_coop'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_task_requested_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task'))
    )
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_coop_id'), ['coop_id'], unique=False)
        batch_op.create_index('ix_task_status_created', ['status', 'created_dt'], unique=False)
        batch_op.create_index('uq_task_waiting_key', ['coop_id', 'kind', 'dedupe_key'], unique=True,
                              sqlite_where=sa.text(WAITING), postgresql_where=sa.text(WAITING))


def _create_document_table() -> None:
    op.create_table('generated_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('params', sa.JSON(), nullable=True),
    sa.Column('status', DOCUMENT_STATUS, nullable=False),
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


def _reset_sequence(table: str) -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) "
                   f"FROM {table}")


def upgrade() -> None:
    # --- tasks: the documents' table grown into one for every kind of long work ---------------------
    _create_task_table()
    # an import kept for its confirmation is a draft; its upload becomes the task's input
    op.execute(
        "INSERT INTO task (id, coop_id, kind, params, dedupe_key, status, phase, progress, total, filename, "
        "mimetype, input, content, result, error, attempts, runner, requested_by_id, created_dt, started_dt, "
        "heartbeat_dt, finished_dt) "
        "SELECT id, coop_id, kind, params, 'legacy-' || CAST(id AS VARCHAR(20)), "
        "CASE WHEN kind = 'members.import' AND status = 'pending' THEN 'draft' ELSE status END, "
        "'', progress, total, filename, mimetype, "
        "CASE WHEN kind = 'members.import' THEN content END, "
        "CASE WHEN kind = 'members.import' THEN NULL ELSE content END, "
        "NULL, error, 0, NULL, requested_by_id, created_dt, NULL, created_dt, finished_dt "
        "FROM generated_document")
    _reset_sequence('task')
    with op.batch_alter_table('generated_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_generated_document_coop_id'))
    op.drop_table('generated_document')

    # --- a role held within a scope ------------------------------------------------------------
    with op.batch_alter_table('coop_role', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope_kind', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('scope_id', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_constraint('uq_coop_role_coop_id_user_id_role', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_coop_role_coop_id_user_id_role_scope_kind_scope_id'),
                                          ['coop_id', 'user_id', 'role', 'scope_kind', 'scope_id'])

    # --- what a journal entry belongs to ---------------------------------------------------------
    drop_append_only(op, 'journal_entry')
    with op.batch_alter_table('journal_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin_kind', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('origin_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_journal_entry_origin', ['coop_id', 'origin_kind', 'origin_id'], unique=False)
    for kind, sql in (
            ('ledger.payment', "SELECT id FROM payment WHERE payment.entry_id = journal_entry.id"),
            ('ledger.payment', "SELECT id FROM payment WHERE payment.void_entry_id = journal_entry.id"),
            ('ledger.dues_run', "SELECT run_id FROM charge WHERE charge.entry_id = journal_entry.id "
                                "AND charge.run_id IS NOT NULL"),
            ('ledger.charge', "SELECT id FROM charge WHERE charge.entry_id = journal_entry.id "
                              "AND charge.run_id IS NULL"),
            ('ledger.expense', "SELECT id FROM expense WHERE expense.paid_entry_id = journal_entry.id")):
        op.execute(f"UPDATE journal_entry SET origin_kind = '{kind}', origin_id = ({sql}) "
                   f"WHERE origin_kind = '' AND EXISTS ({sql})")
    make_append_only(op, 'journal_entry')


def downgrade() -> None:
    drop_append_only(op, 'journal_entry')
    with op.batch_alter_table('journal_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_journal_entry_origin')
        batch_op.drop_column('origin_id')
        batch_op.drop_column('origin_kind')
    make_append_only(op, 'journal_entry')

    op.execute("DELETE FROM coop_role WHERE scope_kind <> ''")
    with op.batch_alter_table('coop_role', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_coop_role_coop_id_user_id_role_scope_kind_scope_id'), type_='unique')
        batch_op.create_unique_constraint('uq_coop_role_coop_id_user_id_role', ['coop_id', 'user_id', 'role'])
        batch_op.drop_column('scope_id')
        batch_op.drop_column('scope_kind')

    _create_document_table()
    op.execute(
        "INSERT INTO generated_document (id, coop_id, kind, params, status, progress, total, filename, mimetype, "
        "content, error, requested_by_id, created_dt, finished_dt) "
        "SELECT id, coop_id, kind, params, CASE WHEN status = 'draft' THEN 'pending' ELSE status END, progress, "
        "total, filename, mimetype, CASE WHEN kind = 'members.import' THEN input ELSE content END, "
        "CASE WHEN error = 'fault' THEN NULL ELSE error END, requested_by_id, created_dt, finished_dt FROM task")
    _reset_sequence('generated_document')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('uq_task_waiting_key', sqlite_where=sa.text(WAITING), postgresql_where=sa.text(WAITING))
        batch_op.drop_index('ix_task_status_created')
        batch_op.drop_index(batch_op.f('ix_task_coop_id'))
    op.drop_table('task')
