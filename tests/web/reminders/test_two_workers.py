"""Two workers (threads with their own connections) process one outbox: no reminder goes twice.
Runs on SQLite (conditional UPDATE claim) and on PostgreSQL (SKIP LOCKED) alike."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection

from anagen.reminders import services
from anagen.reminders.models import OutboxMessage

from .conftest import local

PATIENTS = 12


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_the_same_reminder_twice(clinic, make_patient, opted_in, book, day, provider):
    start = local(day, "09:00")
    patients = [opted_in(make_patient(clinic), "sms") for _ in range(PATIENTS)]
    for index, patient in enumerate(patients):
        book(patient, start + timedelta(hours=index))
    now = start + timedelta(hours=PATIENTS - 1) - timedelta(hours=48)
    services.schedule_reminders(clinic, now)
    services.schedule_reminders(clinic, now)  # idempotent
    due = OutboxMessage.objects.filter(status="pending").count()
    assert due >= PATIENTS

    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def work(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = services.run_once(now + timedelta(hours=1), worker=f"worker-{index}", schedule=False)
        except Exception as exc:  # noqa: BLE001 - inspected below
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(isinstance(r, services.RunResult) for r in results), results
    references = Counter(r["reference"] for r in provider.requests)
    assert references and max(references.values()) == 1
    assert len(references) == OutboxMessage.objects.filter(status="sent").count()
    assert sum(r.sent for r in results) == len(references)  # type: ignore[union-attr]
