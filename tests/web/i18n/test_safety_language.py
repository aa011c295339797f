"""The safety pages (follow-ups, adverse events, lot recalls, infection clusters) and the Today
screen's readiness wording read in a Hindi- or Marathi-speaking member of staff's own language.

The pages are rendered for staff whose language is Marathi or Hindi and must carry the Devanagari
of the headings, labels and sentences marked for translation, and none of their English; every
msgid the safety app, the Today readiness (``web/today.py``) and the facts behind it
(``web/facts.py``) use must be translated, not fuzzy, in ``hi`` and ``mr``.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from tests.web.i18n.catalogue import unfit_msgids
from tests.web.i18n.test_catalogues import python_msgids, template_msgids

from anagen.scheduling.models import Kind
from anagen.ui.catalogs import LOCALE_DIR
from anagen.web.facts import facts_for
from anagen.web.today import _readiness

SRC = LOCALE_DIR.parent
STAFF_FILES = [
    *sorted((SRC / "safety/templates/safety").glob("*.html")),
    *sorted((SRC / "safety").glob("*.py")),
    SRC / "web/today.py",
    SRC / "web/facts.py",
]
# Shown on these pages through anagen.ui.labels (the event severities of the form and the lists).
SHOWN_LABELS = {(None, "Mild"), (None, "Moderate"), (None, "Severe")}


def staff_msgids() -> set[tuple[str | None, str]]:
    keys = set(SHOWN_LABELS)
    for path in STAFF_FILES:
        keys |= template_msgids(path) if path.suffix == ".html" else python_msgids(path)
    return keys


def test_the_safety_pages_and_the_readiness_use_msgids_found_in_their_own_files():
    keys = staff_msgids()
    # The extraction itself is checked, or an empty set would pass the test below.
    assert (None, "Record the follow-up") in keys  # a template
    assert (None, "%(counter)s overdue follow-up") in keys  # a plural, from the home page's panel
    assert (None, "How the follow-up was made") in keys  # a form
    assert ("follow-up status", "Open") in keys  # a model's choice, with a context
    assert (None, "Erythema (redness)") in keys  # gettext_noop in the model
    assert (None, "Keep the notes under %(limit)d characters.") in keys  # a service's refusal
    assert (None, "Treatment consent signed") in keys and (None, "%(amount)s due") in keys  # the readiness
    assert len(keys) > 150


@pytest.mark.parametrize("language", ["hi", "mr"])
def test_every_msgid_of_the_safety_pages_and_the_readiness_is_translated_and_not_fuzzy(language):
    missing, bad = unfit_msgids(language, staff_msgids())
    assert not missing, f"not in the {language} catalogue (run makemessages): {missing}"
    assert not bad, f"untranslated or fuzzy in {language}: {bad}"


FOLLOW_UPS = {
    # language: the Devanagari of the page's marked words, and the English each one replaces.
    "mr": {"प्रत्येक सत्रानंतर 24-48 तासांनी": "24-48 hours after each session", "कालावधी": "Window",
           "मुदत उलटली": "Overdue", "पाठपुरावा नोंदवा": "Record the follow-up",
           "सत्रानंतर 24 ते 48 तासांच्या दरम्यान रुग्णाला फोन करा": "Call the patient"},
    "hi": {"हर सत्र के 24-48 घंटे बाद": "24-48 hours after each session", "समय-सीमा": "Window",
           "विलंबित": "Overdue", "फ़ॉलो-अप दर्ज करें": "Record the follow-up",
           "सत्र के 24 से 48 घंटे के बीच मरीज़ को कॉल करें": "Call the patient"},
}


@pytest.mark.parametrize("language", ["mr", "hi"])
def test_a_receptionist_reads_the_follow_ups_in_her_own_language(client, receptionist, session, language):
    receptionist.language = language
    receptionist.save()
    client.force_login(receptionist)
    response = client.get(reverse("safety:followups"))
    assert response.status_code == 200 and response["Content-Language"] == language
    page = response.content.decode()
    # The session was ten days ago: its follow-up is overdue, so the badge shows too.
    for devanagari, english in FOLLOW_UPS[language].items():
        assert devanagari in page, devanagari
        assert english not in page, english


def test_a_marathi_speaking_nurse_records_a_follow_up_on_a_marathi_form(client, practitioner, session):
    practitioner.language = "mr"
    practitioner.save()
    client.force_login(practitioner)
    url = reverse("safety:record_followup", args=[session.follow_up.pk])
    page = client.get(url).content.decode()
    assert "पाठपुरावा कसा केला" in page and "How the follow-up was made" not in page  # the form's label
    assert "क्लिनिककडून फोन कॉल" in page and "Phone call by the clinic" not in page  # the method's choice
    assert "पाठपुरावा जतन करा" in page and "Save the follow-up" not in page  # the button
    refused = client.post(url, {"method": "call", "side_effects": "yes", "outcome": ""}).content.decode()
    assert "रुग्णाने जे सांगितले ते लिहा." in refused and "Note what the patient reported." not in refused


def test_a_hindi_speaking_trichologist_reads_a_patients_adverse_events_and_what_blocks_the_next_session_in_hindi(
    client, trichologist, session, report
):
    event = report(session.patient, session=session, severity="moderate")
    trichologist.language = "hi"
    trichologist.save()
    client.force_login(trichologist)
    page = client.get(reverse("safety:patient_events", args=[session.patient.pk])).content.decode()
    assert "प्रतिकूल घटनाएँ" in page and "Adverse events" not in page  # the heading
    assert "एरिथीमा (लालिमा)" in page and "Erythema (redness)" not in page  # the event type
    assert "अगला सत्र रुका हुआ है:" in page and "The next session is blocked:" not in page
    # The blocker, written by the safety app from the core's decision.
    assert f"प्रतिकूल घटना {event.pk} (मध्यम) अभी ठीक नहीं हुई है" in page
    assert "is unresolved and not yet reviewed" not in page

    event_page = client.get(reverse("safety:event", args=[event.pk])).content.decode()
    assert "पुनरावलोकन दर्ज करें" in event_page and "Record the review" not in event_page
    assert "ठीक हुई के रूप में दर्ज करें" in event_page and "Mark as resolved" not in event_page


def test_the_home_pages_safety_panel_reads_in_marathi(client, trichologist, session, report):
    report(session.patient, session=session, severity="moderate")
    trichologist.language = "mr"
    trichologist.save()
    client.force_login(trichologist)
    page = client.get(reverse("home")).content.decode()
    assert "रुग्ण सुरक्षा" in page and "Patient safety" not in page
    assert "मुदत उलटलेला 1 पाठपुरावा" in page and "1 overdue follow-up" not in page
    assert "ट्रायकोलॉजिस्टच्या आढाव्याच्या प्रतीक्षेत 1 मध्यम किंवा तीव्र घटना" in page


@pytest.mark.parametrize(("language", "words"), [
    ("mr", ["उपचारासाठी सही केलेली संमती नाही", "स्क्रीनिंग झालेले नाही", "कोणतेही फॉर्म्युलेशन लिहून दिलेले नाही", "काहीही देय नाही"]),
    ("hi", ["उपचार की कोई हस्ताक्षरित सहमति नहीं", "स्क्रीनिंग नहीं हुई", "कोई फ़ॉर्मूलेशन निर्धारित नहीं", "कुछ बकाया नहीं"]),
])
def test_the_today_readiness_and_the_session_blockers_are_written_in_the_readers_language(
    clinic, make_patient, language, words
):
    patient = make_patient(clinic)  # nothing in place yet: no consent, no consultation, no formulation
    with translation.override(language):
        facts = facts_for(clinic, [patient.pk], timezone.localdate())[patient.pk]
        readiness = _readiness(SimpleNamespace(kind=Kind.MESOTHERAPY_SESSION), facts)
        blockers = facts.session_blockers()
    texts = [r.text for r in readiness]
    assert [r.key for r in readiness] == ["consent", "screening", "formulation", "balance"]
    for text, word in zip(texts, words, strict=True):
        assert word in text, (text, word)
    assert len(blockers) == 3 and all(b.startswith(w) for b, w in zip(blockers, words, strict=False))
    assert not any(ch.isascii() and ch.isalpha() for text in texts + blockers for ch in text), texts + blockers


def test_the_readiness_still_reads_in_english_for_english_staff(clinic, make_patient):
    patient = make_patient(clinic)
    with translation.override("en-in"):
        facts = facts_for(clinic, [patient.pk], timezone.localdate())[patient.pk]
        readiness = _readiness(SimpleNamespace(kind=Kind.MESOTHERAPY_SESSION), facts)
        blockers = facts.session_blockers()
    assert [r.text for r in readiness] == ["No signed treatment consent", "Not screened: no signed consultation",
                                          "No formulation prescribed", "Nothing due"]
    assert blockers == ["No signed treatment consent", "Not screened: no signed consultation.", "No formulation prescribed."]
