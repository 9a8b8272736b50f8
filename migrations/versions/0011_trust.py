"""trust: the organisation's identity, reported suspicious messages, letters asked for by post

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 02:40:00

organisation is one row an admin edits (who we are, official senders, domains and phones).
suspicious_report keeps what people reported, grouped by sender. letter_request is the standing
queue of single letters with a fresh code; letter_request_file the approved print files made from it;
contact_change a contractor's own changes of email, phone and postal address; outside_notice and
returned_letter what a letter vendor reports (notices mailed before the portal, letters returned).
"""
from alembic import op
import sqlalchemy as sa



revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('legal_name', sa.String(length=200), nullable=False),
    sa.Column('sender_addresses', sa.Text(), nullable=False),
    sa.Column('sender_domains', sa.Text(), nullable=False),
    sa.Column('phone_lines', sa.Text(), nullable=False),
    sa.Column('postal_address', sa.Text(), nullable=False),
    sa.Column('claims_administrator', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation'))
    )
    op.create_table('suspicious_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('sender', sa.String(length=300), nullable=False),
    sa.Column('group_kind', sa.String(length=16), nullable=False),
    sa.Column('group_key', sa.String(length=300), nullable=False),
    sa.Column('verdict', sa.String(length=16), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=True),
    sa.Column('text_enc', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suspicious_report')),
    sa.UniqueConstraint('uid', name=op.f('uq_suspicious_report_uid'))
    )
    op.create_index('ix_suspicious_report_group_key', 'suspicious_report', ['group_key'], unique=False)
    op.create_index('ix_suspicious_report_created_at', 'suspicious_report', ['created_at'], unique=False)
    op.create_table('letter_request_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('letters', sa.Integer(), nullable=False),
    sa.Column('approved_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['approved_by'], ['staff_user.id'], name=op.f('fk_letter_request_file_approved_by_staff_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_request_file'))
    )
    op.create_table('letter_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('letter_file_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_letter_request_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['letter_file_id'], ['letter_request_file.id'], name=op.f('fk_letter_request_letter_file_id_letter_request_file'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_request'))
    )
    op.create_index('ix_letter_request_person_id', 'letter_request', ['person_id'], unique=False)
    op.create_index('ix_letter_request_status', 'letter_request', ['status'], unique=False)
    op.create_table('contact_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=32), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('new_value_enc', sa.Text(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_contact_change_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_change')),
    sa.UniqueConstraint('uid', name=op.f('uq_contact_change_uid')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_contact_change_token_hash'))
    )
    op.create_index('ix_contact_change_person_id', 'contact_change', ['person_id'], unique=False)
    op.create_table('outside_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('import_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_outside_notice_incident_id_incident'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_outside_notice_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outside_notice')),
    sa.UniqueConstraint('incident_id', 'person_id', 'channel', 'sent_on', name='uq_outside_notice_row')
    )
    op.create_index('ix_outside_notice_incident_id', 'outside_notice', ['incident_id'], unique=False)
    op.create_index('ix_outside_notice_person_id', 'outside_notice', ['person_id'], unique=False)
    op.create_table('returned_letter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('returned_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('import_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_returned_letter_incident_id_incident'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_returned_letter_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_returned_letter')),
    sa.UniqueConstraint('incident_id', 'person_id', 'returned_on', name='uq_returned_letter_row')
    )
    op.create_index('ix_returned_letter_incident_id', 'returned_letter', ['incident_id'], unique=False)
    op.create_index('ix_returned_letter_person_id', 'returned_letter', ['person_id'], unique=False)


def downgrade():
    op.drop_index('ix_returned_letter_person_id', table_name='returned_letter')
    op.drop_index('ix_returned_letter_incident_id', table_name='returned_letter')
    op.drop_table('returned_letter')
    op.drop_index('ix_outside_notice_person_id', table_name='outside_notice')
    op.drop_index('ix_outside_notice_incident_id', table_name='outside_notice')
    op.drop_table('outside_notice')
    op.drop_index('ix_contact_change_person_id', table_name='contact_change')
    op.drop_table('contact_change')
    op.drop_index('ix_letter_request_status', table_name='letter_request')
    op.drop_index('ix_letter_request_person_id', table_name='letter_request')
    op.drop_table('letter_request')
    op.drop_table('letter_request_file')
    op.drop_index('ix_suspicious_report_created_at', table_name='suspicious_report')
    op.drop_index('ix_suspicious_report_group_key', table_name='suspicious_report')
    op.drop_table('suspicious_report')
    op.drop_table('organisation')
