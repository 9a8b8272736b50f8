"""sending throughput: notice codes keep 64 bits of the keyed hash; no message-id index

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 16:10:00

A notice code carries 60 bits, so 64 bits of its HMAC identify it as well as 256 do, and the unique
index on them is a quarter the size: sending a million notices no longer dirties an index page per
code (docs/sending.md, "Throughput"). Stored hashes are truncated in place, so every code already
issued still verifies: the new hash of a code is the first 16 characters of its old one.

The index on notification.provider_message_id is dropped: nothing looks rows up by it (webhook
events carry custom_args.notification_id), and every accepted chunk rewrote a thousand entries.

Downgrade widens the column back, but codes issued before it would no longer verify under the old
code (which compares 64 characters): re-issue them after a downgrade.
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE notice_code SET code_hash = substr(code_hash, 1, 16)")
    with op.batch_alter_table('notice_code', schema=None) as batch_op:
        batch_op.alter_column('code_hash', existing_type=sa.String(length=64), type_=sa.String(length=16),
                              existing_nullable=False)
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_provider_message_id')


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_provider_message_id', ['provider_message_id'], unique=False)
    with op.batch_alter_table('notice_code', schema=None) as batch_op:
        batch_op.alter_column('code_hash', existing_type=sa.String(length=16), type_=sa.String(length=64),
                              existing_nullable=False)
