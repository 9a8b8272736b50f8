"""regulator filings: legal staff record when an attorney general, regulator or the bureaus were told

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 22:34:49

One row per (incident, jurisdiction, who): the regulator report shows the filing in place of the
deadline (docs/legal.md, "Regulator report").
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('regulator_filing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('jurisdiction', sa.String(length=16), nullable=False),
    sa.Column('who', sa.String(length=32), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_regulator_filing_incident_id_incident'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff_user.id'], name=op.f('fk_regulator_filing_recorded_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regulator_filing')),
    sa.UniqueConstraint('incident_id', 'jurisdiction', 'who', name='uq_regulator_filing_incident_obligation')
    )


def downgrade():
    op.drop_table('regulator_filing')
