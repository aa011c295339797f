"""Package redemption: one session per attended appointment, never below zero."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from anagen.billing import services
from anagen.billing.models import PatientPackage
from anagen.core.errors import Duplicate, InvalidInput, InvalidState


def _sell(actor, patient, item):
    services.create_invoice(actor, patient, [services.LineRequest(item)], today=date(2026, 6, 1))
    return PatientPackage.objects.get(patient=patient, name=item.name)


def test_a_package_is_redeemed_one_session_at_a_time_and_never_below_zero(actor, items, make_patient, billing_clinic, visit):
    patient = make_patient(billing_clinic)
    package = _sell(actor, patient, items["small_package"])
    first, second, third = visit(patient, 3), visit(patient, 2), visit(patient, 1, complete=False)
    services.redeem_session(actor, package, first)
    with pytest.raises(Duplicate) as twice:
        services.redeem_session(actor, package, first)
    assert twice.value.errors[0].field == "appointment"
    services.redeem_session(actor, package, second)
    assert package.sessions_left == 0
    with pytest.raises(InvalidState) as empty:
        services.redeem_session(actor, package, third)
    assert "no sessions left" in empty.value.errors[0].message
    assert package.redemptions.count() == 2


def test_the_database_refuses_more_sessions_used_than_sold(actor, items, make_patient, billing_clinic):
    package = _sell(actor, make_patient(billing_clinic), items["small_package"])
    with pytest.raises(IntegrityError), transaction.atomic():
        PatientPackage.objects.filter(pk=package.pk).update(sessions_used=3)


def test_it_refuses_another_patients_or_a_booked_appointment(actor, items, make_patient, billing_clinic, visit, room, trichologist):
    package = _sell(actor, make_patient(billing_clinic), items["small_package"])
    with pytest.raises(InvalidInput):
        services.redeem_session(actor, package, visit(make_patient(billing_clinic)))


@pytest.mark.django_db(transaction=True)
def test_two_desks_redeeming_the_last_session_at_once_use_it_only_once(items, make_patient, billing_clinic, visit):
    from anagen.audit.services import Actor

    actor = Actor.system("t", billing_clinic.pk)
    patient = make_patient(billing_clinic)
    package = _sell(actor, patient, items["small_package"])
    services.redeem_session(actor, package, visit(patient, 5))
    appointments = [visit(patient, 2), visit(patient, 1)]
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def redeem(index):
        try:
            barrier.wait(timeout=10)
            results[index] = services.redeem_session(actor, PatientPackage.objects.get(pk=package.pk), appointments[index])
        except Exception as exc:  # noqa: BLE001
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=redeem, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(isinstance(r, InvalidState) for r in results) == 1, results
    package.refresh_from_db()
    assert package.sessions_used == 2
