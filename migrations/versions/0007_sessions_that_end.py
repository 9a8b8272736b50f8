"""sessions that end: server-side sessions, and a per-staff session epoch that revokes them all

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 22:00:00

web_session holds the embedded mode's server-side sessions (portal/web/sessions.py; production keeps
them in Redis). staff_user.session_epoch is copied into a staff session at sign-in; raising it
ends every session of that person at once (portal/staff/revocation.py).
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('web_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.String(length=255), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('expiry', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_session')),
    sa.UniqueConstraint('session_id', name=op.f('uq_web_session_session_id'))
    )
    op.create_index('ix_web_session_expiry', 'web_session', ['expiry'], unique=False)
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')
    op.drop_index('ix_web_session_expiry', table_name='web_session')
    op.drop_table('web_session')
