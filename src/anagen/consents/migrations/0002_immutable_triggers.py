"""Database triggers refusing any UPDATE of consent texts, records and events, whoever connects.

The application refuses updates and deletes in the model and queryset (anagen.consents.models);
these triggers also stop raw SQL and other clients. DELETE is left to the application (and to
PROTECT foreign keys), as in the audit trail, so the test suite can still flush tables.
"""

from django.db import migrations

TABLES = ("consents_consenttext", "consents_consentrecord", "consents_consentevent")

SQLITE_UP = [
    f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
    f"BEGIN SELECT RAISE(ABORT, 'signed consents are immutable'); END;"
    for table in TABLES
]
SQLITE_DOWN = [f"DROP TRIGGER IF EXISTS {table}_no_update;" for table in TABLES]

POSTGRES_UP = [
    """
    CREATE OR REPLACE FUNCTION consents_immutable() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'signed consents are immutable'; END;
    $$ LANGUAGE plpgsql;
    """,
    *(
        f"DROP TRIGGER IF EXISTS {table}_no_update ON {table}; "
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION consents_immutable();"
        for table in TABLES
    ),
]
POSTGRES_DOWN = [
    *(f"DROP TRIGGER IF EXISTS {table}_no_update ON {table};" for table in TABLES),
    "DROP FUNCTION IF EXISTS consents_immutable();",
]


def forwards(apps, schema_editor):
    for sql in {"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    for sql in {"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("consents", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
