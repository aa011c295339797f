"""The patient's name in Devanagari (issue 20).

On SQLite, adding a column rebuilds ``patients_patient``, which drops the search index's triggers
(migration 0003): the index is taken down before and built again after, in step with the table.
"""

from django.db import migrations, models

from anagen.patients.migrations import _search_index


class Migration(migrations.Migration):

    dependencies = [
        ("patients", "0004_patient_preferred_language"),
    ]

    operations = [
        migrations.RunPython(_search_index.drop, _search_index.create, elidable=False),
        migrations.AddField(
            model_name="patient",
            name="name_devanagari",
            field=models.CharField(blank=True, max_length=200, verbose_name="name in Devanagari"),
        ),
        migrations.RunPython(_search_index.create, _search_index.drop, elidable=False),
    ]
