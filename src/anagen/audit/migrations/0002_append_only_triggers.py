"""Database triggers refusing any UPDATE of an audit entry, whoever connects.

DELETE is refused by the application (model and queryset) and detected by ``anagen audit verify``
through the hash chain; a DELETE trigger would also block the test suite's table flushes.
"""

from django.db import migrations

SQLITE_UP = """
CREATE TRIGGER IF NOT EXISTS audit_entry_no_update BEFORE UPDATE ON audit_auditentry
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS audit_entry_no_update;"

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit entries are append-only'; END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_entry_no_update ON audit_auditentry;
CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry
FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS audit_entry_no_update ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_append_only();
"""


def forwards(apps, schema_editor):
    sql = {"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    sql = {"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


def create_head(apps, schema_editor):
    apps.get_model("audit", "AuditChainHead").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.RunPython(create_head, migrations.RunPython.noop),
    ]
