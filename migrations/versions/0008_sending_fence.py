"""sending fence: a claim token on each notification, and an index of only what is still due

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 03:00:00

notification.claim_token names the claim that holds a row while it is "sending" or "posting"
(the new mark a sender commits just before a chunk's request leaves); a sender marks and settles
only rows that still carry its token. ix_notification_due holds queued rows only, in the order
the candidate query takes them, so claiming costs the same at the end of a batch as at the start.
batch.paused_until holds a 429's reset: no sender posts any chunk of the batch before it.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

DUE = sa.text("status = 'queued'")


def upgrade():
    with op.batch_alter_table('notification') as batch_op:
        batch_op.add_column(sa.Column('claim_token', sa.String(length=32), nullable=True))
    with op.batch_alter_table('batch') as batch_op:
        batch_op.add_column(sa.Column('paused_until', sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        'ix_notification_due',
        'notification',
        ['batch_id', 'language', 'jurisdiction', 'id'],
        unique=False,
        postgresql_where=DUE,
        sqlite_where=DUE,
    )


def downgrade():
    op.drop_index('ix_notification_due', table_name='notification')
    with op.batch_alter_table('batch') as batch_op:
        batch_op.drop_column('paused_until')
    with op.batch_alter_table('notification') as batch_op:
        batch_op.drop_column('claim_token')
