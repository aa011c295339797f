"""The staff pages marked last (the portal's staff side, clinic outcomes and the progress panel,
reminder channels and settings, the aftercare sheet editor, the stage drawings, the session and
consultation forms' labels and errors, the reminders' refusals) read in a Hindi- or
Marathi-speaking member of staff's own language, and their msgids are all translated.

Each page is rendered for staff whose language is Marathi or Hindi and must carry the Devanagari
and none of the English it replaces, so a removed marking fails; English staff still read English.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.web.i18n.catalogue import unfit_msgids
from tests.web.i18n.reading import page_in, reads
from tests.web.i18n.test_catalogues import python_msgids
from tests.web.i18n.test_staff_pages_language import _template_keys

from anagen.ui.catalogs import LOCALE_DIR

SRC = LOCALE_DIR.parent
FILES = [
    SRC / "portal/templates/portal/_panel.html", SRC / "portal/templates/portal/requests.html",
    SRC / "portal/templates/portal/invitation_created.html",
    SRC / "outcomes/templates/outcomes/clinic.html", SRC / "outcomes/templates/outcomes/_non_responders.html",
    SRC / "outcomes/templates/outcomes/_progress_panel.html",
    SRC / "procedures/templates/procedures/aftercare_edit.html",
    SRC / "reminders/templates/reminders/patient.html", SRC / "reminders/templates/reminders/settings.html",
    SRC / "consultations/templates/consultations/_stage_drawings.html",
]


def marked_msgids() -> set[tuple[str | None, str]]:
    keys: set[tuple[str | None, str]] = set()
    for path in FILES:
        keys |= _template_keys(path)
    for path in (SRC / "portal/services.py", SRC / "reminders/views.py", SRC / "outcomes/views.py", SRC / "reminders/services.py",
                 SRC / "procedures/forms.py", SRC / "consultations/forms.py", SRC / "outcomes/forms.py"):
        keys |= python_msgids(path)
    return keys


def test_the_pages_marked_last_use_msgids_found_in_their_own_files():
    keys = marked_msgids()
    assert (None, "Revoke portal access") in keys  # the portal's staff panel
    assert ("portal access", "Not invited") in keys  # its status, worded apart from the API's value
    assert (None, "%(assessed)s course assessed;") in keys  # a plural, clinic outcomes
    assert (None, "Opted in %(day)s (%(language)s)") in keys  # reminder channels
    assert (None, "What the stages look like") in keys
    assert (None, "%(channel)s reminders turned on.") in keys  # a view's message
    assert (None, "Needle gauge (G)") in keys and (None, "The end date must be on or after the start date.") in keys  # forms
    assert (None, "The patient has no phone number on record: add it first.") in keys  # a service's refusal
    assert len(keys) > 100


@pytest.mark.parametrize("language", ["hi", "mr"])
def test_every_msgid_of_the_pages_marked_last_is_translated_and_not_fuzzy(language):
    missing, bad = unfit_msgids(language, marked_msgids())
    assert not missing, f"not in the {language} catalogue: {missing}"
    assert not bad, f"untranslated or fuzzy in {language}: {bad}"


PORTAL = {
    "mr": {"रुग्ण पोर्टलवर आमंत्रित करा": "Invite to the patient portal", "आमंत्रित नाही": "Not invited",
           "पोर्टलवरील सर्व विनंत्या": "All portal requests"},
    "hi": {"मरीज़ पोर्टल पर आमंत्रित करें": "Invite to the patient portal", "आमंत्रित नहीं": "Not invited",
           "पोर्टल से आए सभी अनुरोध": "All portal requests"},
}
REQUESTS = {
    "mr": {"रुग्ण पोर्टलवरील विनंत्या": "Requests from the patient portal", "बदलाची कोणतीही प्रलंबित विनंती नाही.": "No open change requests."},
    "hi": {"मरीज़ पोर्टल से आए अनुरोध": "Requests from the patient portal", "बदलाव का कोई खुला अनुरोध नहीं।": "No open change requests."},
}
REMINDERS = {
    "mr": {"अलीकडील संदेश": "Recent messages", "स्मरणपत्रे सुरू करा": "Turn reminders on", "संमती दिलेली नाही": "Not opted in"},
    "hi": {"हाल के संदेश": "Recent messages", "रिमाइंडर चालू करें": "Turn reminders on", "सहमति नहीं दी": "Not opted in"},
}
SETTINGS = {
    "mr": {"स्मरणपत्रांची सेटिंग्ज": "Reminder settings", "संदेशाचा मजकूर": "Message wording"},
    "hi": {"रिमाइंडर सेटिंग्स": "Reminder settings", "संदेश के शब्द": "Message wording"},
}
OUTCOMES = {
    "mr": {"क्लिनिकचे परिणाम": "Clinic outcomes", "परिणाम दाखवा": "Show outcomes"},
    "hi": {"क्लिनिक के परिणाम": "Clinic outcomes", "परिणाम दिखाएँ": "Show outcomes"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["mr", "hi"])
def test_reception_reads_the_portal_panel_and_the_portal_requests_in_her_own_language(client, receptionist, patient, language):
    reads(page_in(client, receptionist, language, reverse("patients:data", args=[patient.pk])), PORTAL[language])
    reads(page_in(client, receptionist, language, reverse("portal:requests")), REQUESTS[language])


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["mr", "hi"])
def test_reception_reads_a_patients_reminder_channels_in_her_own_language(client, receptionist, patient, language):
    reads(page_in(client, receptionist, language, reverse("reminders:patient", args=[patient.pk])), REMINDERS[language])


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "saved"), [("mr", "स्मरणपत्रांची सेटिंग्ज जतन केली."), ("hi", "रिमाइंडर सेटिंग्स सहेजी गईं।")])
def test_saving_reminder_settings_is_confirmed_in_the_admins_language(client, admin_user, language, saved):
    page = page_in(client, admin_user, language, reverse("reminders:settings"))
    assert "Reminder settings saved." not in page
    response = client.post(reverse("reminders:settings"), {
        "before_hours": "48, 2", "side_effect_check_hours": 24, "maintenance_notice_days": 7, "max_attempts": 5,
        "backoff_base_seconds": 60, "backoff_max_seconds": 3600}, follow=True)
    body = response.content.decode()
    assert saved in body and "Reminder settings saved." not in body


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["mr", "hi"])
def test_the_clinic_admin_reads_reminder_settings_and_clinic_outcomes_in_her_own_language(client, admin_user, language):
    reads(page_in(client, admin_user, language, reverse("reminders:settings")), SETTINGS[language])
    reads(page_in(client, admin_user, language, reverse("outcomes:clinic")), OUTCOMES[language])


@pytest.mark.django_db
def test_english_staff_still_read_the_english_of_those_pages(client, receptionist, admin_user, patient):
    assert "Invite to the patient portal" in page_in(client, receptionist, "en-in", reverse("patients:data", args=[patient.pk]))
    assert "Turn reminders on" in page_in(client, receptionist, "en-in", reverse("reminders:patient", args=[patient.pk]))
    assert "Clinic outcomes" in page_in(client, admin_user, "en-in", reverse("outcomes:clinic"))
