"""The "booked online: check for duplicates" flag (issue 22, online booking).

On SQLite, adding a column rebuilds ``patients_patient``, which drops the search index's triggers
(migration 0003): the index is taken down before and built again after, as in 0005.
"""

from django.db import migrations, models

from anagen.patients.migrations import _search_index


class Migration(migrations.Migration):

    dependencies = [
        ("patients", "0005_patient_name_devanagari"),
    ]

    operations = [
        migrations.RunPython(_search_index.drop, _search_index.create, elidable=False),
        migrations.AddField(
            model_name="patient",
            name="needs_duplicate_check",
            field=models.BooleanField(default=False, verbose_name="booked online: check for duplicates"),
        ),
        migrations.RunPython(_search_index.create, _search_index.drop, elidable=False),
    ]
