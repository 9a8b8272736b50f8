"""public_page_version: what GET / shows changed, as seen by every worker

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 09:10:00

GET / is cached whole for anonymous visitors (portal/public/page_cache.py), keyed by this row's
version. Triggers give it a new random value after every statement writing incident,
incident_update or organisation, in the writer's transaction, so an edit made by any worker, a
command or a SQL prompt is seen by every worker's next request.
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

TABLES = ('incident', 'incident_update', 'organisation')

# Below 2**63 whatever random() returns: the column is a signed 64-bit integer.
POSTGRES_FUNCTION = """
CREATE FUNCTION bump_public_page_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public_page_version (id, version) VALUES (1, floor(random() * 9e18)::bigint)
    ON CONFLICT (id) DO UPDATE SET version = excluded.version;
    RETURN NULL;
END
$$
"""

# SQLite has no statement-level triggers: one per row and operation, the same upsert.
SQLITE_TRIGGER = """
CREATE TRIGGER bump_public_page_version_{table}_{operation} AFTER {operation} ON {table}
BEGIN
    INSERT INTO public_page_version (id, version) VALUES (1, random())
    ON CONFLICT (id) DO UPDATE SET version = excluded.version;
END
"""


def upgrade():
    op.create_table('public_page_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_page_version'))
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(POSTGRES_FUNCTION)
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER bump_public_page_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION bump_public_page_version()"
            )
        op.execute("INSERT INTO public_page_version (id, version) VALUES (1, floor(random() * 9e18)::bigint)")
    else:
        for table in TABLES:
            for operation in ('INSERT', 'UPDATE', 'DELETE'):
                op.execute(SQLITE_TRIGGER.format(table=table, operation=operation))
        op.execute("INSERT INTO public_page_version (id, version) VALUES (1, random())")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in TABLES:
            op.execute(f"DROP TRIGGER bump_public_page_version ON {table}")
        op.execute("DROP FUNCTION bump_public_page_version()")
    else:
        for table in TABLES:
            for operation in ('INSERT', 'UPDATE', 'DELETE'):
                op.execute(f"DROP TRIGGER bump_public_page_version_{table}_{operation}")
    op.drop_table('public_page_version')
