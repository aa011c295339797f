from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.urls import reverse

from anagen.audit.models import AuditEntry
from anagen.catalog.models import StockMovement
from anagen.core.errors import ImmutableRecord
from anagen.procedures.models import LotUsage, TreatmentSession

from .conftest import session_post

pytestmark = pytest.mark.django_db


def record_url(ready):
    return reverse("procedures:record", args=[ready["appointment"].pk])


def nothing_saved(ready, stock_ml="20.00"):
    ready["lot"].refresh_from_db()
    ready["appointment"].refresh_from_db()
    return (
        not TreatmentSession.objects.exists()
        and not LotUsage.objects.exists()
        and str(ready["lot"].remaining_ml) == stock_ml
        and ready["appointment"].status == "booked"
    )


def test_a_practitioner_records_and_signs_a_session(client, practitioner, ready):
    client.force_login(practitioner)
    response = client.post(record_url(ready), session_post(ready["lot"]))
    assert response.status_code == 302, response.context["form"].errors
    session = TreatmentSession.objects.get()
    assert session.total_volume_ml == Decimal("2.00")
    assert session.drawn_volume_ml == Decimal("2.00")
    assert len(session.injection_map) == 20
    assert session.injection_map[0]["zone"] == "frontal"
    ready["lot"].refresh_from_db()
    assert ready["lot"].remaining_ml == Decimal("18.00")
    assert LotUsage.objects.get().volume_ml == Decimal("2.00")
    ready["appointment"].refresh_from_db()
    assert ready["appointment"].status == "completed"
    follow_up = session.follow_up
    assert (follow_up.due_from - session.signed_at) == dt.timedelta(hours=24)
    assert (follow_up.due_until - session.signed_at) == dt.timedelta(hours=48)
    assert response["Location"] == reverse("procedures:aftercare", args=[session.pk])
    assert AuditEntry.objects.filter(object_type="treatment_session", action="create", patient_id=session.patient_id).exists()


def test_the_aftercare_sheet_opens_in_english_and_hindi(client, practitioner, ready):
    client.force_login(practitioner)
    client.post(record_url(ready), session_post(ready["lot"]))
    session = TreatmentSession.objects.get()
    english = client.get(reverse("procedures:aftercare", args=[session.pk]))
    assert "Do not wash your hair for one day." in english.content.decode()
    hindi = client.get(reverse("procedures:aftercare", args=[session.pk]) + "?lang=hi")
    assert "एक दिन तक बाल न धोएँ।" in hindi.content.decode()


def test_an_expired_lot_blocks_the_session_and_nothing_is_saved(client, practitioner, ready):
    from anagen.catalog.models import Lot

    Lot.objects.filter(pk=ready["lot"].pk).update(expiry_date=ready["today"] - dt.timedelta(days=1))
    client.force_login(practitioner)
    response = client.post(record_url(ready), session_post(ready["lot"]))
    assert response.status_code == 400
    assert nothing_saved(ready)


def test_a_recalled_lot_blocks_the_session(client, practitioner, admin_user, ready):
    from anagen.audit.services import Actor
    from anagen.catalog.services import recall_lot

    recall_lot(Actor.system("test", ready["lot"].product.clinic_id), ready["lot"], "Supplier recall: sterility")
    client.force_login(practitioner)
    response = client.post(record_url(ready), session_post(ready["lot"]))
    assert response.status_code == 400
    assert nothing_saved(ready)


def test_a_volume_over_the_protocol_limit_blocks_the_session(client, practitioner, ready):
    client.force_login(practitioner)
    response = client.post(record_url(ready), session_post(ready["lot"], volume="0.50", points=9, lot_volume="5.00"))
    assert response.status_code == 400
    assert b"protocol limit" in response.content
    assert nothing_saved(ready)


def test_a_volume_over_the_prescription_blocks_the_session(client, practitioner, ready):
    client.force_login(practitioner)
    response = client.post(record_url(ready), session_post(ready["lot"], volume="0.30", points=8, lot_volume="3.00"))
    assert response.status_code == 400
    assert b"prescribed" in response.content
    assert nothing_saved(ready)


def test_a_missing_consent_blocks_the_session(client, practitioner, ready, patient):
    from anagen.audit.services import Actor
    from anagen.consents.models import ConsentRecord
    from anagen.consents.services import withdraw_consent

    withdraw_consent(Actor.system("test", patient.clinic_id), ConsentRecord.objects.get(patient=patient), "Changed her mind")
    client.force_login(practitioner)
    response = client.post(record_url(ready), session_post(ready["lot"]))
    assert response.status_code == 400
    assert b"consent" in response.content
    assert nothing_saved(ready)


def test_an_unreviewed_moderate_event_blocks_the_session(client, practitioner, ready, patient):
    from anagen.safety.models import AdverseEvent

    AdverseEvent.objects.create(clinic=patient.clinic, patient=patient, event_type="swelling", severity="moderate",
                                onset_date=ready["today"] - dt.timedelta(days=3), reported_by=practitioner)
    client.force_login(practitioner)
    response = client.post(record_url(ready), session_post(ready["lot"]))
    assert response.status_code == 400
    assert b"not yet reviewed" in response.content
    assert nothing_saved(ready)


def test_an_active_infection_today_defers_the_session(client, practitioner, ready):
    client.force_login(practitioner)
    response = client.post(record_url(ready), session_post(ready["lot"], scalp_infection_today="on"))
    assert response.status_code == 400
    assert b"Re-screen today" in response.content
    assert nothing_saved(ready)


def test_a_new_anticoagulant_needs_review_before_the_session(client, practitioner, ready):
    client.force_login(practitioner)
    response = client.post(record_url(ready), session_post(ready["lot"], new_medication_codes="anticoagulant"))
    assert response.status_code == 400
    assert b"New caution today" in response.content
    assert nothing_saved(ready)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("identity_confirmed", None, b"identity"),
    ("scalp_cleansed", None, b"Cleanse"),
    ("pain_score", "11", b"less than or equal to 10"),
    ("injection_map", "not json", b"could not be read"),
    ("injection_map", "[]", b"at least one injection point"),
    ("needle_gauge", "", b"Needed for the needle technique"),
])
def test_bad_input_is_refused_naming_the_field(client, practitioner, ready, field, value, message):
    client.force_login(practitioner)
    response = client.post(record_url(ready), session_post(ready["lot"], **{field: value}))
    assert response.status_code == 400
    assert message in response.content
    assert nothing_saved(ready)


def test_the_lots_must_account_for_the_volume_injected(client, practitioner, ready):
    client.force_login(practitioner)
    response = client.post(record_url(ready), session_post(ready["lot"], lot_volume="0.50", volume_discrepancy_reason="any"))
    assert response.status_code == 400
    assert b"lots account for" in response.content
    assert nothing_saved(ready)


def test_another_clinics_lot_is_refused(client, practitioner, ready, other_clinic):
    from anagen.catalog.models import Lot, Product

    product = Product.objects.create(clinic=other_clinic, name="Theirs", vial_type="multi_dose", vial_volume_ml=5, low_stock_threshold_ml=1)
    theirs = Lot.objects.create(product=product, lot_number="X1", expiry_date=ready["today"] + dt.timedelta(days=90), quantity_received_ml=10,
                                remaining_ml=10, supplier="x", received_on=ready["today"])
    client.force_login(practitioner)
    response = client.post(record_url(ready), session_post(theirs))
    assert response.status_code == 400
    assert nothing_saved(ready)


def test_a_signed_session_is_immutable(client, practitioner, ready):
    client.force_login(practitioner)
    client.post(record_url(ready), session_post(ready["lot"]))
    session = TreatmentSession.objects.get()
    session.pain_score = 9
    with pytest.raises(ImmutableRecord):
        session.save()
    with pytest.raises(ImmutableRecord):
        session.delete()
    response = client.post(reverse("procedures:addendum", args=[session.pk]), {"reason": "Pain score typo", "text": "Pain was 4, not 3."})
    assert response.status_code == 302
    assert session.addenda.count() == 1


def test_the_same_appointment_cannot_be_recorded_twice(client, practitioner, ready):
    client.force_login(practitioner)
    client.post(record_url(ready), session_post(ready["lot"]))
    response = client.post(record_url(ready), session_post(ready["lot"]))
    # The re-submit lands on the signed record (issue 20), never on a second session.
    assert response.status_code in (302, 400, 404)
    assert TreatmentSession.objects.count() == 1


@pytest.mark.parametrize("role", ["reception", "clinic_admin"])
def test_only_practitioners_and_trichologists_record_sessions(client, clinic, make_user, ready, role):
    client.force_login(make_user(clinic, role))
    assert client.get(record_url(ready)).status_code == 403


def test_another_clinics_practitioner_gets_404(client, other_clinic, make_user, ready):
    client.force_login(make_user(other_clinic, "practitioner"))
    assert client.get(record_url(ready)).status_code == 404


def test_reception_cannot_read_a_session_but_can_print_its_aftercare(client, practitioner, receptionist, ready):
    client.force_login(practitioner)
    client.post(record_url(ready), session_post(ready["lot"]))
    session = TreatmentSession.objects.get()
    client.force_login(receptionist)
    assert client.get(reverse("procedures:detail", args=[session.pk])).status_code == 403
    assert client.get(reverse("procedures:aftercare", args=[session.pk])).status_code == 200


def test_the_map_is_drawn_again_from_its_data(client, practitioner, ready):
    client.force_login(practitioner)
    client.post(record_url(ready), session_post(ready["lot"]))
    session = TreatmentSession.objects.get()
    page = client.get(reverse("procedures:detail", args=[session.pk])).content.decode()
    assert page.count('class="point"') == 20
    assert 'data-zone="vertex"' in page


def test_a_clinic_admin_edits_the_aftercare_sheet(client, admin_user, practitioner, ready):
    client.force_login(admin_user)
    response = client.post(reverse("procedures:aftercare_edit", args=["en"]), {"title": "After your session", "body": "## Today\n- Rest.\n"})
    assert response.status_code == 302
    client.force_login(practitioner)
    client.post(record_url(ready), session_post(ready["lot"]))
    page = client.get(reverse("procedures:aftercare", args=[TreatmentSession.objects.get().pk])).content.decode()
    assert "Rest." in page and "After your session" in page


@pytest.mark.django_db(transaction=True)
def test_two_sessions_drawing_the_last_stock_at_once_never_go_negative(clinic, practitioner, ready, make_patient, actor):
    """Two practitioners sign sessions at the same moment, each needing the lot's last 2 mL."""
    from django.db import connection

    from anagen.catalog.models import Lot
    from anagen.consents.services import sign_consent
    from anagen.procedures.forms import LotFormSet, SessionForm, session_input
    from anagen.procedures.services import SessionBlocked, record_session
    from anagen.scheduling.models import Appointment
    from anagen.scheduling.services import book_appointment

    Lot.objects.filter(pk=ready["lot"].pk).update(remaining_ml=Decimal("2.00"))
    StockMovement.objects.create(lot=ready["lot"], kind="adjusted", quantity_ml=Decimal("-18.00"), occurred_on=ready["today"],
                                 at=ready["appointment"].starts_at, reason="count correction")
    second_patient = ready["appointment"].patient
    # A second appointment for the same patient's twin visit would be odd: use another consented patient.
    other = make_patient(clinic, given_name="Second")
    from anagen.consultations.services import save_draft, sign_consultation, start_consultation
    from anagen.core.formulation import Component
    from anagen.treatments.services import save_formulation

    consultation = start_consultation(actor, other, practitioner, ready["today"])
    save_draft(actor, consultation, {"presenting_complaint": "x", "diagnosis_primary": "androgenetic_alopecia"}, measurements=None, labs={}, expected_version=None)
    consultation = sign_consultation(actor, consultation, practitioner)
    sign_consent(actor, other, ready["text"], method="typed", typed_name=other.full_name, acknowledged=True, witness=practitioner)
    save_formulation(actor, consultation, [Component("ghk_cu", Decimal("1.0"), Decimal("1")), Component("dexpanthenol", Decimal("1.0"), Decimal("50"))],
                     author=practitioner, signoff=False, consent_documented=False)
    from anagen.accounts.models import User

    colleague = User.objects.create_user("nurse2", password="x" * 12, clinic=clinic, role="practitioner")
    from anagen.scheduling.services import create_room

    second = book_appointment(actor, clinic, patient=other, practitioner=colleague, room=create_room(clinic, "Room B"),
                              kind="mesotherapy_session", starts_at=ready["appointment"].starts_at, duration_minutes=45)
    appointments = [ready["appointment"], second]
    results: list[str] = []
    barrier = threading.Barrier(2)

    def sign(appointment: Appointment, who: User) -> None:
        try:
            form = SessionForm(session_post(ready["lot"]))
            lots = LotFormSet(session_post(ready["lot"]), prefix="lots", form_kwargs={"lot_choices": [(ready["lot"].pk, "lot")]})
            assert form.is_valid() and lots.is_valid()
            barrier.wait()
            record_session(actor, Appointment.objects.get(pk=appointment.pk), session_input(form, lots), practitioner=who, today=ready["today"])
            results.append("signed")
        except SessionBlocked as exc:
            results.append("blocked: " + exc.errors[0].message)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(appointments[0], practitioner)), threading.Thread(target=sign, args=(appointments[1], colleague))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.split(":")[0] for r in results) == ["blocked", "signed"], results
    lot = Lot.objects.get(pk=ready["lot"].pk)
    assert lot.remaining_ml == Decimal("0.00")
    assert TreatmentSession.objects.count() == 1
    assert second_patient is not None


# --- at the chair: allergies through ingredient lists, the prescribed product, reconciled volumes ------


def _allergic_to(ready, trichologist, actor, *codes):
    """A newer signed consultation recording the allergy (the session reads the latest signed one)."""
    from anagen.consultations.services import (
        acknowledge_caution,
        save_draft,
        sign_consultation,
        start_consultation,
    )

    consultation = start_consultation(actor, ready["appointment"].patient, trichologist, ready["today"])
    save_draft(actor, consultation, {"presenting_complaint": "Thinning", "diagnosis_primary": "androgenetic_alopecia",
                                     "allergy_ingredients": list(codes)}, measurements=None, labs={}, expected_version=None)
    consultation = sign_consultation(actor, consultation, trichologist)
    # The screening caution is acknowledged, so what refuses the session is the product check itself.
    acknowledge_caution(actor, consultation, "ingredient_allergy", "Exclude it from every product", trichologist)
    return consultation


def test_a_patient_allergic_to_an_ingredient_of_the_lot_is_refused_even_with_reasons(client, practitioner, trichologist, ready, actor):
    _allergic_to(ready, trichologist, actor, "dexpanthenol")
    client.force_login(practitioner)
    response = client.post(record_url(ready), session_post(ready["lot"], product_substitution_reason="only stock",
                                                            volume_discrepancy_reason="x"))
    assert response.status_code == 400
    assert b"allergic to" in response.content and b"dexpanthenol" in response.content
    assert nothing_saved(ready)


def test_a_biotin_cocktail_is_refused_for_a_biotin_allergic_patient_through_the_api(
    client, practitioner, trichologist, ready, actor,
):
    from anagen.catalog.models import Product
    from anagen.catalog.services import receive_lot

    _allergic_to(ready, trichologist, actor, "biotin")
    cocktail = Product.objects.create(clinic=ready["lot"].product.clinic, name="Biotin cocktail", vial_type="multi_dose",
                                      vial_volume_ml=Decimal("5"), low_stock_threshold_ml=Decimal("0"))
    cocktail.components.create(ingredient_code="biotin", concentration=Decimal("0.5"), concentration_unit="mg/mL")
    lot = receive_lot(actor, cocktail, lot_number="BC-1", expiry_date=ready["today"] + dt.timedelta(days=90),
                      quantity_ml=Decimal("10"), supplier="s", received_on=ready["today"])
    client.force_login(practitioner)
    payload = {
        "appointment_id": ready["appointment"].pk, "identity_confirmed": True, "scalp_cleansed": True, "technique": "needle",
        "needle_gauge": 32, "needle_length_mm": "4", "depth_mm": "2", "injection_style": "nappage", "pain_score": 2,
        "injection_map": [{"zone": "vertex", "x": "0.5", "y": "0.6", "volume_ml": "0.10"}] * 20,
        "lots": [{"lot_id": lot.pk, "volume_ml": "2.00"}], "product_substitution_reason": "the prescribed one ran out",
    }
    response = client.post("/api/v1/sessions", payload, content_type="application/json")
    assert response.status_code in (400, 422), response.content
    assert b"biotin" in response.content
    assert not TreatmentSession.objects.exists()


def test_half_a_millilitre_mapped_against_two_drawn_needs_a_reason_and_keeps_it_for_review(client, practitioner, trichologist, ready):
    from anagen.safety.services import sessions_needing_draw_review

    client.force_login(practitioner)
    blocked = client.post(record_url(ready), session_post(ready["lot"], points=5))
    assert blocked.status_code == 400 and b"give the reason before signing" in blocked.content
    assert nothing_saved(ready)
    reason = "Patient asked to stop after the frontal zone"
    signed = client.post(record_url(ready), session_post(ready["lot"], points=5, volume_discrepancy_reason=reason))
    assert signed.status_code == 302
    session = TreatmentSession.objects.get()
    assert session.volume_discrepancy_reason == reason and session.total_volume_ml == Decimal("0.50")
    assert list(sessions_needing_draw_review(session.clinic)) == [session]
    client.force_login(trichologist)
    queue = client.get(reverse("safety:review_queue")).content.decode()
    assert reason in queue
    reviewed = client.post(reverse("safety:review_session_draw", args=[session.pk]), {"note": "Acceptable; full dose next time"})
    assert reviewed.status_code == 302
    assert list(sessions_needing_draw_review(session.clinic)) == []
    assert AuditEntry.objects.filter(object_type="session_draw_review", patient_id=session.patient_id).exists()


def test_a_practitioner_cannot_review_a_discrepancy(client, practitioner, ready):
    client.force_login(practitioner)
    client.post(record_url(ready), session_post(ready["lot"], points=5, volume_discrepancy_reason="stopped early"))
    session = TreatmentSession.objects.get()
    assert client.post(reverse("safety:review_session_draw", args=[session.pk]), {"note": "fine"}).status_code == 403


def test_a_product_the_formulation_does_not_prescribe_needs_a_reason_a_trichologist_sees(client, practitioner, ready, actor):
    from anagen.catalog.models import Product
    from anagen.catalog.services import receive_lot

    other = Product.objects.create(clinic=ready["lot"].product.clinic, name="Niacinamide serum", vial_type="single_dose",
                                   vial_volume_ml=Decimal("2"), low_stock_threshold_ml=Decimal("0"))
    other.components.create(ingredient_code="niacinamide", concentration=Decimal("20"), concentration_unit="mg/mL")
    lot = receive_lot(actor, other, lot_number="NS-1", expiry_date=ready["today"] + dt.timedelta(days=90),
                      quantity_ml=Decimal("10"), supplier="s", received_on=ready["today"])
    client.force_login(practitioner)
    refused = client.post(record_url(ready), session_post(lot))
    assert refused.status_code == 400 and b"not the prescribed product" in refused.content
    assert not TreatmentSession.objects.exists()
    signed = client.post(record_url(ready), session_post(lot, product_substitution_reason="Trichologist changed it by phone"))
    assert signed.status_code == 302
    session = TreatmentSession.objects.get()
    assert session.product_substitution_reason == "Trichologist changed it by phone"
    assert session.draw_check["problems"][0]["code"] == "product_not_prescribed"
    page = client.get(reverse("procedures:detail", args=[session.pk])).content.decode()
    assert "awaiting a trichologist" in page
