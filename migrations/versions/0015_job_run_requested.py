"""An operator's "Run now" is recorded as a run waiting to start ('requested'), which the
scheduler process picks up; a job has one such request at most.

Revision ID: 0015_job_run_requested
Revises: 0014_position_signs_as
Create Date: 2026-12-01 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0015_job_run_requested'
down_revision = '0014_position_signs_as'
branch_labels = None
depends_on = None

REQUESTED = "outcome = 'requested'"


def upgrade() -> None:
    op.create_index('uq_job_run_requested', 'job_run', ['job_id'], unique=True,
                    sqlite_where=sa.text(REQUESTED), postgresql_where=sa.text(REQUESTED))


def downgrade() -> None:
    # a request still waiting would read as a run that never ended: it is dropped with its index
    op.execute(f"DELETE FROM job_run WHERE {REQUESTED}")
    op.drop_index('uq_job_run_requested', table_name='job_run')
