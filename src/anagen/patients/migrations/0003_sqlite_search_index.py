"""A trigram full-text index for the patient search on SQLite (docs/performance.md).

The search matches any part of a name, phone or record number (``LIKE '%word%'``), which no B-tree
can serve: on SQLite it read every row of the clinic. SQLite's FTS5 with the trigram tokenizer
(SQLite 3.34+) indexes every three-character piece of those columns, so a word of three or more
characters finds its candidates through the index; ``patients.services.search_patients`` then
applies the exact conditions to the candidates. The index is an external-content table kept in
step with ``patients_patient`` by triggers (inserts, edits, the erasure's anonymisation).

PostgreSQL has its trigram GIN indexes (migration 0002); nothing is created there. An SQLite
built without FTS5 gets no index and the search reads the clinic's rows as before.
"""

from django.db import OperationalError, migrations

TABLE = "patients_patient_search"
COLUMNS = "given_name, family_name, mrn, phone"

CREATE = [
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5({COLUMNS}, content='patients_patient', content_rowid='id', tokenize='trigram')",
    f"""CREATE TRIGGER {TABLE}_insert AFTER INSERT ON patients_patient BEGIN
        INSERT INTO {TABLE}(rowid, {COLUMNS}) VALUES (new.id, new.given_name, new.family_name, new.mrn, new.phone);
    END""",
    f"""CREATE TRIGGER {TABLE}_delete AFTER DELETE ON patients_patient BEGIN
        INSERT INTO {TABLE}({TABLE}, rowid, {COLUMNS}) VALUES ('delete', old.id, old.given_name, old.family_name, old.mrn, old.phone);
    END""",
    f"""CREATE TRIGGER {TABLE}_update AFTER UPDATE OF {COLUMNS} ON patients_patient BEGIN
        INSERT INTO {TABLE}({TABLE}, rowid, {COLUMNS}) VALUES ('delete', old.id, old.given_name, old.family_name, old.mrn, old.phone);
        INSERT INTO {TABLE}(rowid, {COLUMNS}) VALUES (new.id, new.given_name, new.family_name, new.mrn, new.phone);
    END""",
    f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    try:
        schema_editor.execute(CREATE[0])
    except OperationalError:  # "no such module: fts5" or "no such tokenizer: trigram"
        return
    for statement in CREATE[1:]:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for suffix in ("insert", "delete", "update"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{suffix}")
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):

    dependencies = [
        ("patients", "0002_search_trigram_indexes"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
