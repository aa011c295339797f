"""Issue 22 item 5: a package sold for a course counts its sessions as they are signed."""

from __future__ import annotations

import pytest
from django.utils import timezone
from tests import builders

from anagen.audit.models import AuditEntry
from anagen.billing import services
from anagen.billing.models import PatientPackage, Redemption
from anagen.procedures.services import SessionBlocked
from anagen.treatments.services import course_appointments


@pytest.fixture
def course_world(billing_clinic, trichologist, practitioner, patient, actor):
    """A patient with a signed consultation, consent, formulation, a lot and a course of 8 sessions."""
    consultation = builders.signed_consultation(patient, trichologist, actor=actor)
    builders.consent(patient, practitioner, title="Mesotherapy treatment", body="I consent to scalp mesotherapy.", actor=actor)
    formulation = builders.formulation(consultation, trichologist, actor=actor)
    room = builders.room(billing_clinic)
    lot = builders.lot_in_stock(billing_clinic, actor=actor)
    course = builders.course(consultation, formulation, practitioner, room, trichologist, start=timezone.localdate(),
                             intensive_sessions=8, actor=actor)
    return {"patient": patient, "course": course, "lot": lot, "appointments": course_appointments(course), "room": room,
            "consultation": consultation, "formulation": formulation}


def _sell(actor, patient, item, **kwargs):
    invoice = services.create_invoice(actor, patient, [services.LineRequest(item)], today=timezone.localdate(), **kwargs)
    return invoice, PatientPackage.objects.get(invoice_line__invoice=invoice)


def test_a_package_sold_to_a_patient_in_a_course_is_linked_to_the_active_course(actor, items, course_world):
    _, package = _sell(actor, course_world["patient"], items["package"])
    assert package.course == course_world["course"]


def test_a_signed_session_of_the_course_redeems_one_package_session_and_is_audited(actor, items, course_world, practitioner):
    _, package = _sell(actor, course_world["patient"], items["package"])
    first = course_world["appointments"][0]
    session = builders.signed_session(first, practitioner, course_world["lot"], actor=actor)
    package.refresh_from_db()
    assert package.sessions_left == 5
    redemption = Redemption.objects.get(package=package)
    assert redemption.appointment_id == first.pk and redemption.treatment_session_id == session.pk
    entry = AuditEntry.objects.filter(object_type="package", object_id=str(package.pk), action="update").get()
    assert entry.changes["sessions_used"] == {"old": "0", "new": "1"}


def test_signing_the_same_appointment_again_does_not_count_twice(actor, items, course_world, practitioner):
    _, package = _sell(actor, course_world["patient"], items["package"])
    first = course_world["appointments"][0]
    builders.signed_session(first, practitioner, course_world["lot"], actor=actor)
    with pytest.raises(SessionBlocked):
        builders.signed_session(first, practitioner, course_world["lot"], actor=actor)
    first.refresh_from_db()
    session = first.treatment_session
    assert services.redeem_for_signed_session(actor, session) is None
    package.refresh_from_db()
    assert package.sessions_used == 1


def test_an_appointment_redeemed_at_the_desk_is_not_counted_again_when_signed(actor, items, course_world, practitioner):
    from anagen.scheduling import services as scheduling

    _, package = _sell(actor, course_world["patient"], items["package"])
    first = scheduling.mark_arrived(actor, course_world["appointments"][0])
    services.redeem_session(actor, package, first)
    builders.signed_session(first, practitioner, course_world["lot"], actor=actor)
    package.refresh_from_db()
    assert package.sessions_used == 1


def test_a_used_up_package_does_not_block_signing_and_leaves_the_session_unredeemed(actor, items, course_world, practitioner, visit):
    _, package = _sell(actor, course_world["patient"], items["small_package"])
    services.redeem_session(actor, package, visit(course_world["patient"], 3))
    services.redeem_session(actor, package, visit(course_world["patient"], 2))
    first = course_world["appointments"][0]
    session = builders.signed_session(first, practitioner, course_world["lot"], actor=actor)
    assert session.pk is not None
    assert not Redemption.objects.filter(appointment=first).exists()
    package.refresh_from_db()
    assert package.sessions_left == 0


def test_a_session_outside_the_packages_course_is_not_redeemed_by_it(actor, items, course_world, practitioner):
    _, package = _sell(actor, course_world["patient"], items["package"], course=None)
    assert package.course is None
    builders.signed_session(course_world["appointments"][0], practitioner, course_world["lot"], actor=actor)
    package.refresh_from_db()
    assert package.sessions_used == 0


def test_a_course_of_another_patient_is_refused_with_the_field_named(actor, items, course_world, make_patient, billing_clinic):
    from anagen.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        _sell(actor, make_patient(billing_clinic), items["package"], course=course_world["course"])
    assert refused.value.errors[0].field == "course"
    assert not PatientPackage.objects.exists()


def test_the_invoice_page_says_the_course_plans_more_sessions_than_the_package_covers(client, receptionist, actor, items, course_world):
    invoice, _ = _sell(actor, course_world["patient"], items["package"])
    client.force_login(receptionist)
    page = client.get(f"/billing/invoices/{invoice.pk}/").content.decode()
    assert "The course plans 8 sessions; this package covers 6." in page


def test_reception_and_the_patient_panel_show_the_sessions_left_after_a_signed_session(client, receptionist, actor, items, course_world,
                                                                                        practitioner):
    _, package = _sell(actor, course_world["patient"], items["package"])
    builders.signed_session(course_world["appointments"][0], practitioner, course_world["lot"], actor=actor)
    client.force_login(receptionist)
    reception = client.get("/billing/reception/").content.decode()
    assert "5 of 6 left" in reception
    billing_page = client.get(f"/billing/patients/{course_world['patient'].pk}/").content.decode()
    assert "5 of 6 left" in billing_page
    today = client.get("/").content.decode()
    assert "5 of 6 left" in today


def test_the_invoice_form_offers_the_active_course_and_sells_the_package_for_the_course_chosen(client, receptionist, items, course_world):
    patient = course_world["patient"]
    client.force_login(receptionist)
    form = client.get(f"/billing/patients/{patient.pk}/invoices/new/").content.decode()
    assert "Course the package pays for" in form
    response = client.post(f"/billing/patients/{patient.pk}/invoices/new/", {"item_1": items["package"].pk, "quantity_1": 1, "course": ""})
    assert response.status_code == 302
    assert PatientPackage.objects.get(patient=patient).course is None
    client.post(f"/billing/patients/{patient.pk}/invoices/new/", {"item_1": items["small_package"].pk, "quantity_1": 1,
                                                                 "course": str(course_world["course"].pk)})
    assert PatientPackage.objects.get(patient=patient, name=items["small_package"].name).course == course_world["course"]
    bad = client.post(f"/billing/patients/{patient.pk}/invoices/new/", {"item_1": items["package"].pk, "quantity_1": 1, "course": "999999"})
    assert bad.status_code == 400 and "course" in bad.content.decode()
