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

from django.db import migrations

from anagen.patients.migrations._search_index import create, drop  # noqa: E402


class Migration(migrations.Migration):

    dependencies = [
        ("patients", "0002_search_trigram_indexes"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
