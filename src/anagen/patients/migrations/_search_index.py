"""The SQLite search index of migration 0003, shared by the migrations that must take it down
and build it again around a rebuild of ``patients_patient`` (SQLite remakes the table to add a
column, and the remade table has lost the index's triggers)."""

from django.db import OperationalError

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
