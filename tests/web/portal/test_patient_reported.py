"""The patient's record between visits in the portal (issue 22, item 7): the shedding diary and the
questionnaire at each visit. The patient's own data only, bad input refused naming the field with
nothing written, every read and write audited as the patient."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from anagen.audit.models import AuditEntry
from anagen.outcomes import patient_reported
from anagen.outcomes.models import ReportedOutcome, SheddingDiaryEntry

pytestmark = pytest.mark.django_db


def _joined(patient: Any, days_ago: int = 30) -> None:
    """The patient was registered ``days_ago`` days ago (the diary opens on that day)."""
    type(patient).objects.filter(pk=patient.pk).update(created_at=timezone.now() - dt.timedelta(days=days_ago))
    patient.refresh_from_db()


def _entry(day: dt.date, hairs: Any = "40", comb: Any = "", **extra: str) -> dict[str, Any]:
    return {"day": day.isoformat(), "hairs_shed": hairs, "comb_count": comb, **extra}


def _errors(response: Any) -> str:
    return unescape(response.content.decode())


def _visit(patient: Any, practitioner: Any, room: Any, days_ago: int, status: str = "completed") -> Any:
    """A visit ``days_ago`` days ago (negative: ahead) at 10:00 clinic time, in the given state."""
    from anagen.scheduling.models import Appointment
    from anagen.scheduling.services import local_datetime

    starts = local_datetime(timezone.localdate() - dt.timedelta(days=days_ago), dt.time(10, 0))
    return Appointment.objects.create(clinic=patient.clinic, patient=patient, practitioner=practitioner, room=room, kind="review",
                                      starts_at=starts, ends_at=starts + dt.timedelta(minutes=30), status=status,
                                      status_reason="did not come" if status == "no_show" else "")


# ------------------------------------------------------------------------------ the diary


def test_a_patient_records_a_day_of_the_diary_and_sees_it_listed(client, patient, patient_user):
    _joined(patient)
    client.force_login(patient_user)
    day = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(reverse("portal:diary"), _entry(day, "55", "12"))
    assert response.status_code == 302
    entry = SheddingDiaryEntry.objects.get(patient=patient)
    assert (entry.day, entry.hairs_shed, entry.comb_count, entry.clinic_id) == (day, 55, 12, patient.clinic_id)
    page = client.get(reverse("portal:diary")).content.decode()
    assert f"{day.day} {day:%b %Y}" in page and ">55<" in page and ">12<" in page  # the one date format
    written = AuditEntry.objects.get(object_type="shedding_diary_entry", action="create")
    assert (written.patient_id, written.user_id, written.object_id) == (patient.pk, patient_user.pk, str(entry.pk))
    assert AuditEntry.objects.filter(object_type="shedding_diary", action="read", patient_id=patient.pk, user_id=patient_user.pk).exists()


def test_the_comb_count_is_optional_and_the_page_explains_the_60_second_comb_test(client, patient, patient_user):
    client.force_login(patient_user)
    page = client.get(reverse("portal:diary")).content.decode()
    assert "How to do the 60-second comb count" in page and "60 seconds" in page and "pillowcase" in page
    assert "Standardizing the 60-second hair count" in page
    assert client.post(reverse("portal:diary"), _entry(timezone.localdate(), "30")).status_code == 302
    assert SheddingDiaryEntry.objects.get(patient=patient).comb_count is None


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"hairs_shed": "abc"}, "hairs_shed", "Hairs shed: write a whole number from 0 to 1000."),
    ({"hairs_shed": "12.5"}, "hairs_shed", "Hairs shed: write a whole number from 0 to 1000."),
    ({"hairs_shed": "1001"}, "hairs_shed", "Hairs shed: write a whole number from 0 to 1000."),
    ({"hairs_shed": "-1"}, "hairs_shed", "Hairs shed: write a whole number from 0 to 1000."),
    ({"hairs_shed": ""}, "hairs_shed", "Hairs shed: write the number of hairs, 0 if none."),
    ({"comb_count": "2000"}, "comb_count", "60-second comb count: write a whole number from 0 to 1000."),
    ({"day": "2026-02-30"}, "day", "Date: write a date such as 3 Dec 2026."),
    ({"day": ""}, "day", "Date: choose the day you counted."),
])
def test_bad_input_is_refused_naming_the_field_and_writes_nothing(client, patient, patient_user, data, field, message):
    client.force_login(patient_user)
    response = client.post(reverse("portal:diary"), {**_entry(timezone.localdate()), **data})
    assert response.status_code == 400
    assert message in _errors(response)
    tag = re.search(rf'<input[^>]*id="id_{field}"[^>]*>', response.content.decode())
    assert tag and 'aria-invalid="true"' in tag.group(0)  # the message sits beside its field
    assert not SheddingDiaryEntry.objects.exists()
    assert not AuditEntry.objects.filter(object_type="shedding_diary_entry").exists()


def test_a_day_in_the_future_or_before_registration_is_refused(client, patient, patient_user):
    _joined(patient, days_ago=10)
    client.force_login(patient_user)
    future = client.post(reverse("portal:diary"), _entry(timezone.localdate() + dt.timedelta(days=1)))
    assert future.status_code == 400 and "Date: a day in the future cannot be recorded." in _errors(future)
    early = client.post(reverse("portal:diary"), _entry(timezone.localdate() - dt.timedelta(days=11)))
    joined = timezone.localdate(patient.created_at)
    assert early.status_code == 400
    assert f"Date: the day cannot be before you joined the clinic ({joined.day} {joined:%b %Y})." in _errors(early)
    assert not SheddingDiaryEntry.objects.exists()


def test_a_second_entry_for_the_same_day_is_refused_naming_the_day_and_offering_to_replace_it(client, patient, patient_user):
    client.force_login(patient_user)
    today = timezone.localdate()
    client.post(reverse("portal:diary"), _entry(today, "40"))
    again = client.post(reverse("portal:diary"), _entry(today, "90", "20"))
    assert again.status_code == 400
    assert (f"Date: you have already recorded {today.day} {today:%b %Y} (40 hairs shed). To change it, tick “Replace my entry for that day” "
            "and save again.") in _errors(again)
    assert SheddingDiaryEntry.objects.get(patient=patient).hairs_shed == 40
    replaced = client.post(reverse("portal:diary"), _entry(today, "90", "20", replace="on"))
    assert replaced.status_code == 302
    entry = SheddingDiaryEntry.objects.get(patient=patient)
    assert (entry.hairs_shed, entry.comb_count) == (90, 20) and entry.changed_at is not None
    change = AuditEntry.objects.get(object_type="shedding_diary_entry", action="update")
    assert change.changes["hairs_shed"] == {"old": "40", "new": "90"}  # what the day said before stays in the trail
    assert "Your entry for" in client.get(reverse("portal:diary")).content.decode()


def test_a_patient_sees_only_their_own_diary(client, patient, patient_user, other_patient, enrol):
    today = timezone.localdate()
    SheddingDiaryEntry.objects.create(clinic=other_patient.clinic, patient=other_patient, day=today, hairs_shed=777, recorded_at=timezone.now())
    client.force_login(patient_user)
    assert ">777<" not in client.get(reverse("portal:diary")).content.decode()
    client.post(reverse("portal:diary"), _entry(today, "41"))
    assert SheddingDiaryEntry.objects.get(patient=other_patient).hairs_shed == 777  # their day is not "already recorded" for this patient
    assert SheddingDiaryEntry.objects.get(patient=patient).hairs_shed == 41


def test_the_diary_and_the_questionnaire_need_the_patients_sign_in(client, receptionist):
    for name in ("portal:diary", "portal:questionnaire"):
        assert client.get(reverse(name)).status_code == 302
    client.force_login(receptionist)
    for name in ("portal:diary", "portal:questionnaire"):
        assert client.get(reverse(name)).status_code == 403


def test_the_portal_navigation_links_to_the_diary_and_the_questionnaire(client, patient_user):
    client.force_login(patient_user)
    page = client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("portal:diary")}"' in page and f'href="{reverse("portal:questionnaire")}"' in page


def test_recording_a_recorded_day_again_without_replacing_keeps_the_one_entry(patient, actor):
    today = timezone.localdate()
    patient_reported.record_diary_entry(actor, patient, today, 10, None, today=today)
    with pytest.raises(Exception, match="already recorded"):
        patient_reported.record_diary_entry(actor, patient, today, 11, None, today=today)
    assert SheddingDiaryEntry.objects.filter(patient=patient).count() == 1


# ------------------------------------------------------------------------------ the questionnaire


def test_before_any_visit_the_patient_answers_once(client, patient, patient_user):
    client.force_login(patient_user)
    page = client.get(reverse("portal:questionnaire")).content.decode()
    assert "Before your first visit" in page and "Much better" in page and "Very satisfied" in page
    response = client.post(reverse("portal:questionnaire"), {"visit": "none", "change": "0", "satisfaction": "4"})
    assert response.status_code == 302
    answer = ReportedOutcome.objects.get(patient=patient)
    assert (answer.appointment_id, answer.visit_on, answer.change, answer.satisfaction) == (None, None, 0, 4)
    assert AuditEntry.objects.filter(object_type="reported_outcome", action="create", patient_id=patient.pk, user_id=patient_user.pk).exists()
    again = client.post(reverse("portal:questionnaire"), {"visit": "none", "change": "2", "satisfaction": "5"})
    assert again.status_code == 400
    assert "You have already answered. The next questionnaire opens after your next visit." in _errors(again)
    assert ReportedOutcome.objects.count() == 1


def test_the_answer_is_tied_to_the_latest_completed_visit_once(client, patient, patient_user, practitioner, room):
    _joined(patient, days_ago=60)
    _visit(patient, practitioner, room, days_ago=40)
    latest = _visit(patient, practitioner, room, days_ago=5)
    _visit(patient, practitioner, room, days_ago=-3, status="booked")  # not completed: not a visit yet
    _visit(patient, practitioner, room, days_ago=2, status="no_show")
    client.force_login(patient_user)
    day = timezone.localdate(latest.starts_at)
    page = client.get(reverse("portal:questionnaire")).content.decode()
    assert f"After your visit of {day.day} {day:%b %Y}" in page
    assert AuditEntry.objects.filter(object_type="reported_outcomes", action="read", patient_id=patient.pk).exists()
    assert client.post(reverse("portal:questionnaire"), {"visit": str(latest.pk), "change": "2", "satisfaction": "4"}).status_code == 302
    answer = ReportedOutcome.objects.get(patient=patient)
    assert (answer.appointment_id, answer.visit_on, answer.change) == (latest.pk, day, 2)
    page = client.get(reverse("portal:questionnaire")).content.decode()
    assert "You have answered for this visit." in page and "Moderately better" in page and "Satisfied" in page
    again = client.post(reverse("portal:questionnaire"), {"visit": str(latest.pk), "change": "3", "satisfaction": "5"})
    assert again.status_code == 400
    assert f"You have already answered for your visit of {day.day} {day:%b %Y}." in _errors(again)
    assert ReportedOutcome.objects.count() == 1


def test_an_answer_for_a_visit_the_patient_did_not_see_is_refused(client, patient, patient_user, practitioner, room):
    _joined(patient, days_ago=60)
    _visit(patient, practitioner, room, days_ago=5)
    client.force_login(patient_user)
    response = client.post(reverse("portal:questionnaire"), {"visit": "none", "change": "1", "satisfaction": "3"})
    assert response.status_code == 400
    assert "Your latest visit has changed since this page opened: please answer again." in _errors(response)
    assert not ReportedOutcome.objects.exists()


@pytest.mark.parametrize(("data", "message"), [
    ({"satisfaction": "4"}, "Change in your hair: choose one of the answers."),
    ({"change": "4", "satisfaction": "4"}, "Change in your hair: choose one of the answers."),
    ({"change": "1"}, "Satisfaction: choose one of the answers."),
    ({"change": "1", "satisfaction": "0"}, "Satisfaction: choose one of the answers."),
    ({"change": "x", "satisfaction": "11"}, "Satisfaction: choose one of the answers."),
])
def test_a_missing_or_unknown_answer_is_refused_naming_the_question_and_writes_nothing(client, patient_user, data, message):
    client.force_login(patient_user)
    response = client.post(reverse("portal:questionnaire"), {"visit": "none", **data})
    assert response.status_code == 400 and message in _errors(response)
    assert not ReportedOutcome.objects.exists()
    assert not AuditEntry.objects.filter(object_type="reported_outcome").exists()


def test_the_patients_access_log_names_the_diary_and_the_answers_in_words(client, patient, patient_user):
    client.force_login(patient_user)
    client.post(reverse("portal:diary"), _entry(timezone.localdate()))
    client.get(reverse("portal:questionnaire"))
    log = client.get(reverse("portal:access_log")).content.decode()
    assert "a day of your shedding diary" in log and "your questionnaire answers" in log
    assert "shedding_diary" not in log and "reported_outcome" not in log


@pytest.mark.parametrize("language", ["hi", "mr"])
def test_a_patient_who_prefers_hindi_or_marathi_reads_no_english_interface_word_on_these_pages(client, patient, patient_user, language):
    patient.preferred_language = language
    patient.save()
    client.force_login(patient_user)
    client.post(reverse("portal:diary"), _entry(timezone.localdate(), "40", "9"))
    client.post(reverse("portal:questionnaire"), {"visit": "none", "change": "1", "satisfaction": "4"})
    bad = client.post(reverse("portal:diary"), _entry(timezone.localdate() + dt.timedelta(days=3), "5000"))
    allowed = {"Wasko", "CA", "et", "al", "Standardizing", "the", "second", "hair", "count", "Arch", "Dermatol", "Dec"}
    for response in (client.get(reverse("portal:diary")), client.get(reverse("portal:questionnaire")), bad):
        page = response.content.decode()
        text = page[page.index("<h1"):page.index("</main>")]
        text = re.sub(r"<svg.*?</svg>|<[^>]+>", " ", text, flags=re.S)
        assert [w for w in re.findall(r"[A-Za-z][A-Za-z'-]+", unescape(text)) if w not in allowed] == [], response.request["PATH_INFO"]
