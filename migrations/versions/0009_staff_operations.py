"""staff operations: a keyed, gapless, anchored audit chain

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-06 02:40:00

audit_event gains ``seq`` (1, 2, 3… with no gaps, so a removed event is named by its number) and
``key_id`` (which AUDIT_KEYS entry signed the row; empty for the rows written before keys, which
stay exactly as they were and still verify as plain SHA-256). audit_checkpoint holds the last
verified point, so verification continues from there instead of from the first event.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('key_id', sa.String(length=16), server_default='', nullable=False))
    # Existing rows are numbered in the order they were chained.
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "UPDATE audit_event SET seq = numbered.n FROM "
            "(SELECT id, row_number() OVER (ORDER BY id) AS n FROM audit_event) AS numbered "
            "WHERE audit_event.id = numbered.id"
        )
    else:
        op.execute("UPDATE audit_event SET seq = (SELECT COUNT(*) FROM audit_event AS a WHERE a.id <= audit_event.id)")
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.BigInteger(), nullable=False)
        batch_op.create_index(batch_op.f('ix_audit_event_seq'), ['seq'], unique=True)
        batch_op.create_index(batch_op.f('ix_audit_event_actor'), ['actor'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_target'), ['target'], unique=False)
    op.create_table('audit_checkpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('row_hash', sa.String(length=64), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('mac', sa.String(length=64), nullable=False),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoint'))
    )


def downgrade():
    op.drop_table('audit_checkpoint')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_target'))
        batch_op.drop_index(batch_op.f('ix_audit_event_actor'))
        batch_op.drop_index(batch_op.f('ix_audit_event_seq'))
        batch_op.drop_column('key_id')
        batch_op.drop_column('seq')
