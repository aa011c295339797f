"""The DPDP consent ledger and the marketing-photograph rule."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from anagen.audit.models import AuditEntry
from anagen.consents.services import ledger, marketing_photo_allowed
from anagen.privacy.services import marketing_photos


def test_the_ledger_lists_every_purpose_granted_withdrawn_and_granted_again_in_time_order(patient, consent_texts, sign, withdraw, practitioner):
    first = sign(patient, "marketing_photographs", practitioner)
    sign(patient, "treatment", practitioner)
    withdraw(first, "Does not want her photos online")
    sign(patient, "marketing_photographs", practitioner)
    entries = ledger(patient)
    assert [(e.purpose, e.kind) for e in entries] == [
        ("marketing_photographs", "granted"),
        ("treatment", "granted"),
        ("marketing_photographs", "withdrawn"),
        ("marketing_photographs", "granted"),
    ]
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    assert entries[2].reason == "Does not want her photos online"
    assert all(e.text_version == 1 for e in entries)


def test_the_ledger_page_shows_each_event_with_its_text_version_and_audits_the_read(client, practitioner, patient, consent_texts, sign, withdraw):
    from anagen.audit.services import Actor
    from anagen.consents.services import publish_text

    record = sign(patient, "reminders", practitioner)
    withdraw(record, "Too many messages")
    publish_text(Actor.system("setup", patient.clinic_id), patient.clinic, "reminders", "en", "Reminders v2", "New text.")
    sign(patient, "reminders", practitioner)
    client.force_login(practitioner)
    response = client.get(reverse("consents:ledger", args=[patient.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<td>Reminders by SMS/WhatsApp</td>") == 3
    assert "version 1 (English)" in body and "version 2 (English)" in body
    assert "Too many messages" in body
    assert AuditEntry.objects.filter(object_type="patient_consent_ledger", patient_id=patient.pk, action="read").exists()


def test_the_ledger_of_another_clinics_patient_does_not_exist(client, other_admin, patient):
    client.force_login(other_admin)
    assert client.get(reverse("consents:ledger", args=[patient.pk])).status_code == 404


def test_the_ledger_needs_a_login(client, patient):
    assert client.get(reverse("consents:ledger", args=[patient.pk])).status_code == 302


def test_marketing_use_needs_a_valid_marketing_consent(patient, consent_texts, sign, withdraw, practitioner):
    assert not marketing_photo_allowed(patient)
    sign(patient, "photographs", practitioner)
    assert not marketing_photo_allowed(patient), "clinical photo consent is not marketing consent"
    record = sign(patient, "marketing_photographs", practitioner)
    assert marketing_photo_allowed(patient)
    withdraw(record)
    assert not marketing_photo_allowed(patient)


def test_withdrawing_marketing_consent_hides_the_photos_from_marketing_at_once(clinic, make_patient, consent_texts, sign, withdraw, practitioner, make_photo):
    today = timezone.localdate()
    asha, ravi = make_patient(clinic), make_patient(clinic, given_name="Ravi")
    asha_photo = make_photo(asha, practitioner, today)
    ravi_photo = make_photo(ravi, practitioner, today - dt.timedelta(days=30))
    record = sign(asha, "marketing_photographs", practitioner)
    sign(ravi, "photographs", practitioner)
    assert list(marketing_photos(clinic)) == [asha_photo]
    withdraw(record, "Changed her mind")
    assert list(marketing_photos(clinic)) == []
    assert ravi_photo.pk not in set(marketing_photos(clinic).values_list("pk", flat=True))


def test_a_new_text_requiring_reconsent_stops_marketing_use(clinic, patient, consent_texts, sign, practitioner, make_photo):
    from anagen.audit.services import Actor
    from anagen.consents.services import publish_text

    make_photo(patient, practitioner, timezone.localdate())
    sign(patient, "marketing_photographs", practitioner)
    assert marketing_photos(clinic).count() == 1
    publish_text(Actor.system("setup", clinic.pk), clinic, "marketing_photographs", "en", "New", "Changed.", requires_reconsent=True)
    assert not marketing_photo_allowed(patient)
    assert marketing_photos(clinic).count() == 0
