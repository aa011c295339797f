"""The language the patient reads (issue 21).

On SQLite, adding a column rebuilds ``patients_patient``, which drops the search index's triggers
(migration 0003): the index is taken down before and built again after, in step with the table.
"""

from django.db import migrations, models

from anagen.patients.migrations import _search_index


class Migration(migrations.Migration):

    dependencies = [
        ("patients", "0003_sqlite_search_index"),
    ]

    operations = [
        migrations.RunPython(_search_index.drop, _search_index.create, elidable=False),
        migrations.AddField(
            model_name="patient",
            name="preferred_language",
            field=models.CharField(choices=[("en-in", "English"), ("hi", "हिन्दी"), ("mr", "मराठी")], default="en-in", max_length=8, verbose_name="preferred language"),
        ),
        migrations.RunPython(_search_index.create, _search_index.drop, elidable=False),
    ]
