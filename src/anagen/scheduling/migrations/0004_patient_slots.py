"""Patient slot holds: one patient cannot hold two overlapping appointments (issue 19, finding 11).

Existing active appointments get their holds in start order; where a patient already had two
overlapping bookings the earlier one keeps the hold and the later is left as it is (both stay
in the calendar for reception to sort out; no new overlap can be booked).
"""

from datetime import timedelta

import django.db.models.deletion
from django.db import migrations, models

SLOT = timedelta(minutes=15)
HOLDING = ("booked", "arrived", "completed")


def hold_existing(apps, schema_editor):
    Appointment = apps.get_model("scheduling", "Appointment")
    PatientSlot = apps.get_model("scheduling", "PatientSlot")
    batch = []
    for appointment in Appointment.objects.filter(status__in=HOLDING).order_by("starts_at", "id").iterator(chunk_size=2000):
        unit = appointment.starts_at
        while unit < appointment.ends_at:
            batch.append(PatientSlot(patient_id=appointment.patient_id, slot_start=unit, appointment_id=appointment.pk))
            unit += SLOT
        if len(batch) >= 5000:
            PatientSlot.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    PatientSlot.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ('patients', '0003_sqlite_search_index'),
        ('scheduling', '0003_appointment_appt_clinic_course_start'),
    ]

    operations = [
        migrations.CreateModel(
            name='PatientSlot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slot_start', models.DateTimeField()),
                ('appointment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='patient_slots', to='scheduling.appointment')),
                ('patient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='patients.patient')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('patient', 'slot_start'), name='patient_slot_taken_once')],
            },
        ),
        migrations.RunPython(hold_existing, migrations.RunPython.noop),
    ]
