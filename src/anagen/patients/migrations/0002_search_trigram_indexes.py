"""Trigram indexes for the patient search on PostgreSQL (docs/performance.md).

The search matches any part of a name, phone or record number (Django's ``icontains``,
``contains`` and ``iendswith``: ``UPPER(col) LIKE UPPER('%word%')``), which no B-tree can serve.
On PostgreSQL a GIN index with pg_trgm's ``gin_trgm_ops`` over the same expressions can. Creating
the extension needs a role allowed to (a superuser, the database owner on PostgreSQL 13+ since
pg_trgm is a trusted extension, or an operator who ran ``CREATE EXTENSION pg_trgm`` beforehand).

SQLite has no trigram index: there the search reads the clinic's rows through the
``patient_clinic_phone`` index (clinic first) and filters them, which stays fast for a clinic's
registry (tens of thousands of rows). Nothing is created on SQLite.
"""

from django.db import migrations

INDEXES = {
    "patient_given_trgm": "UPPER(given_name) gin_trgm_ops",
    "patient_family_trgm": "UPPER(family_name) gin_trgm_ops",
    "patient_mrn_trgm": "UPPER(mrn) gin_trgm_ops",
    "patient_phone_trgm": "phone gin_trgm_ops",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON patients_patient USING gin ({expression})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
