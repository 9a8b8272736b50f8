"""staff operations: a keyed, gapless, anchored audit chain; staff enrolment links

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 02:40:00

audit_event gains ``seq`` (1, 2, 3… with no gaps, so a removed event is named by its number) and
``key_id`` (which AUDIT_KEYS entry signed the row; empty for the rows written before keys, which
stay exactly as they were and still verify as plain SHA-256). audit_checkpoint holds the last
verified point, so verification continues from there instead of from the first event.
staff_invite holds one-time enrolment links (only the token's SHA-256) for the accounts screen.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
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
    op.create_table('staff_invite',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('staff_user_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['staff_user.id'], name=op.f('fk_staff_invite_created_by_staff_user')),
    sa.ForeignKeyConstraint(['staff_user_id'], ['staff_user.id'], name=op.f('fk_staff_invite_staff_user_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_invite')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_staff_invite_token_hash'))
    )
    op.create_index('ix_staff_invite_email', 'staff_invite', ['email'], unique=False)


def downgrade():
    op.drop_index('ix_staff_invite_email', table_name='staff_invite')
    op.drop_table('staff_invite')
    op.drop_table('audit_checkpoint')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_target'))
        batch_op.drop_index(batch_op.f('ix_audit_event_actor'))
        batch_op.drop_index(batch_op.f('ix_audit_event_seq'))
        batch_op.drop_column('key_id')
        batch_op.drop_column('seq')
