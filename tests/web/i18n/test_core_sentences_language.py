"""The clinical core's sentences reach Hindi- and Marathi-speaking staff in their language.

The core stays pure: it marks its screening reasons, "booking blocked" reasons and the
re-consultation sentence with its own ``gettext_noop`` and returns msgids or Sentences; the pages
word them at display time (anagen.ui.wording). A signed record keeps the English the core wrote,
and is still shown translated, by its finding codes. Every msgid the core marks must be translated,
not fuzzy, in ``hi`` and ``mr``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation
from tests.web.consultations.test_consultation import BASE_FORM
from tests.web.i18n.catalogue import unfit_msgids
from tests.web.i18n.test_catalogues import python_msgids

from anagen.core.eligibility import reconsultation_due
from anagen.core.protocol import Protocol
from anagen.core.screening import FindingCode, finding
from anagen.ui.catalogs import LOCALE_DIR
from anagen.ui.wording import finding_words, words

SRC = LOCALE_DIR.parent
CORE_FILES = [SRC / "core/screening.py", SRC / "core/eligibility.py", SRC / "core/safety.py"]
TODAY = dt.date.today()


def core_msgids() -> set[tuple[str | None, str]]:
    keys: set[tuple[str | None, str]] = set()
    for path in CORE_FILES:
        keys |= python_msgids(path)
    return keys


def test_the_core_marks_every_screening_rule_and_booking_reason_it_writes():
    keys = core_msgids()
    # One msgid per finding rule, the four details and the booking and re-consultation sentences.
    assert len(keys) >= len(FindingCode) + 4 + 5
    assert (None, "Bleeding disorder: scalp micro-injections are contraindicated.") in keys
    assert (None, "Excluded: %(detail)s.") in keys
    assert (None, "Acknowledge every caution with a reason before booking: %(cautions)s.") in keys
    assert all((None, finding(code, Protocol()).message) in keys for code in FindingCode)


@pytest.mark.parametrize("language", ["hi", "mr"])
def test_every_sentence_the_core_marks_is_translated_and_not_fuzzy(language):
    missing, bad = unfit_msgids(language, core_msgids())
    assert not missing, f"not in the {language} catalogue: {missing}"
    assert not bad, f"untranslated or fuzzy in {language}: {bad}"


def test_a_finding_with_its_detail_reads_translated_and_a_message_kept_under_older_wording_reads_as_kept():
    message = "Allergy to a formulation ingredient: it is excluded from formulations. Excluded: Biotin (vitamin B7) (biotin)."
    with translation.override("mr"):
        assert finding_words("ingredient_allergy", message) == (
            "फॉर्म्युलेशनमधील एखाद्या घटकाची ॲलर्जी: तो फॉर्म्युलेशनमधून वगळला जातो. वगळले: Biotin (vitamin B7) (biotin).")
        scarring = "Scarring alopecia: do not inject; refer to a dermatologist. Diagnosis: lichen planopilaris."
        assert finding_words("scarring_alopecia", scarring).endswith(
            "निदान: लायकेन प्लॅनोपायलॅरिस (व्रण सोडणारे: त्वचारोग विभागाकडे पाठवा).")
        older = "Takes warfarin: expect bruising."  # not a sentence this core writes for the code
        assert finding_words("anticoagulant", older) == older
        assert finding_words("no_such_code", "Something.") == "Something."


def test_the_re_consultation_sentence_reads_in_hindi_with_the_one_date_format():
    sentence = reconsultation_due(dt.date(2025, 12, 3), dt.date(2026, 12, 4), Protocol())
    with translation.override("hi"):
        assert words(sentence) == ("अंतिम हस्ताक्षरित परामर्श (3 Dec 2025) 12 महीने से पुराना है: "
                                   "आगे के रखरखाव सत्रों से पहले पूरा परामर्श दोबारा ज़रूरी है।")
    assert str(sentence).startswith("The last signed consultation (3 Dec 2025) is more than 12 months old")


def _sign(client, trichologist, patient, **extra):
    from anagen.audit.services import Actor
    from anagen.consultations.services import start_consultation

    consultation = start_consultation(Actor.system("test", patient.clinic_id), patient, trichologist, TODAY)
    client.force_login(trichologist)
    response = client.post(reverse("consultations:edit", args=[consultation.pk]),
                           {**BASE_FORM, "version": consultation.version, "action": "confirm_sign", **extra})
    assert response.status_code == 302
    return consultation


def _read(client, user, language, url):
    user.language = language
    user.save()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Language"] == language
    return response.content.decode()


CAUTION = {
    "mr": ("रक्त पातळ करणारे औषध (अँटिकोॲग्युलंट) घेतात", "भेट ठरवण्यापूर्वी प्रत्येक सावधगिरी कारण लिहून मान्य करा", "सावधगिरीसह पात्र"),
    "hi": ("खून पतला करने वाली दवा (एंटीकोएगुलेंट) लेते हैं", "बुक करने से पहले हर सावधानी को कारण लिखकर स्वीकार करें", "सावधानियों के साथ पात्र"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["mr", "hi"])
def test_a_trichologist_reads_the_signed_screening_and_why_booking_is_blocked_in_her_language(client, trichologist, patient,
                                                                                            language):
    consultation = _sign(client, trichologist, patient, medication_codes=["anticoagulant"])
    page = _read(client, trichologist, language, reverse("consultations:detail", args=[consultation.pk]))
    finding_text, reason, verdict = CAUTION[language]
    assert finding_text in page and reason in page
    assert "Takes an anticoagulant" not in page and "Acknowledge every caution" not in page
    english = _read(client, trichologist, "en-in", reverse("consultations:detail", args=[consultation.pk]))
    assert ("Acknowledge every caution with a reason before booking: Takes an anticoagulant: expect bruising and bleeding; "
            "consider with the prescriber.") in english


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "words_expected"), [
    ("mr", ["पात्र नाही: रक्तस्त्रावाचा विकार: टाळूमध्ये मायक्रो-इंजेक्शन वर्ज्य आहेत."]),
    ("hi", ["पात्र नहीं: रक्तस्राव विकार: स्कैल्प में माइक्रो-इंजेक्शन वर्जित हैं।"]),
])
def test_a_stop_finding_blocks_booking_in_the_readers_language_on_the_patient_page(client, trichologist, patient, language,
                                                                                   words_expected):
    _sign(client, trichologist, patient, condition_codes=["bleeding_disorder"])
    page = _read(client, trichologist, language, reverse("patients:detail", args=[patient.pk]))
    for text in words_expected:
        assert text in page
    assert "Not eligible: Bleeding disorder" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["mr", "hi"])
def test_the_live_screening_panel_reads_in_the_trichologists_language(client, trichologist, patient, language):
    from anagen.audit.services import Actor
    from anagen.consultations.services import start_consultation

    consultation = start_consultation(Actor.system("test", patient.clinic_id), patient, trichologist, TODAY)
    trichologist.language = language
    trichologist.save()
    client.force_login(trichologist)
    response = client.post(reverse("consultations:screening_preview", args=[consultation.pk]),
                           {**BASE_FORM, "medication_codes": ["anticoagulant"]}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    finding_text, _, verdict = CAUTION[language]
    assert finding_text in page and verdict in page
    assert "Takes an anticoagulant" not in page and "Eligible with cautions" not in page
