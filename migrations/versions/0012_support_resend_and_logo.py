"""support resends, one waiting letter per person, the organisation's logo

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 06:00:00

support_resend remembers when support last sent a person their notice again (per channel), so a
double click or two agents at once send it once. uq_letter_request_queued allows one waiting
letter per person in the letters-on-request queue. organisation gains the logo an admin uploads.
"""
from alembic import op
import sqlalchemy as sa



revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('support_resend',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('last_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_support_resend_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', 'channel', name=op.f('pk_support_resend'))
    )
    op.create_index('uq_letter_request_queued', 'letter_request', ['person_id'], unique=True,
                    postgresql_where=sa.text("status = 'queued'"), sqlite_where=sa.text("status = 'queued'"))
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('logo', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('logo_type', sa.String(length=16), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('logo_width', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('logo_height', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('logo_height')
        batch_op.drop_column('logo_width')
        batch_op.drop_column('logo_type')
        batch_op.drop_column('logo')
    op.drop_index('uq_letter_request_queued', table_name='letter_request')
    op.drop_table('support_resend')
