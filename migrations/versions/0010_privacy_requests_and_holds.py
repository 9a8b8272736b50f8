"""privacy: data-protection requests (access, correction, erasure) and legal holds on incidents

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 03:00:00

data_request holds a contractor's request and legal's decision; its (person_id, kind, open_slot)
unique constraint allows one open request per kind. legal_hold stops `flask portal purge` for an
incident (docs/privacy.md).
"""
from alembic import op
import sqlalchemy as sa



revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('data_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('open_slot', sa.String(length=8), nullable=True),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('jurisdiction', sa.String(length=16), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_data_request_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['staff_user.id'], name=op.f('fk_data_request_decided_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_request')),
    sa.UniqueConstraint('person_id', 'kind', 'open_slot', name='uq_data_request_open')
    )
    op.create_index(op.f('ix_data_request_person_id'), 'data_request', ['person_id'], unique=False)
    op.create_index(op.f('ix_data_request_status'), 'data_request', ['status'], unique=False)
    op.create_table('legal_hold',
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=False),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_legal_hold_incident_id_incident'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_by_id'], ['staff_user.id'], name=op.f('fk_legal_hold_set_by_id_staff_user')),
    sa.PrimaryKeyConstraint('incident_id', name=op.f('pk_legal_hold'))
    )


def downgrade():
    op.drop_table('legal_hold')
    op.drop_index(op.f('ix_data_request_status'), table_name='data_request')
    op.drop_index(op.f('ix_data_request_person_id'), table_name='data_request')
    op.drop_table('data_request')
