"""The staff pages of consents, billing and photographs read in a Hindi- or Marathi-speaking member of
staff's own language, and a refused photograph upload reads in the reader's language on the staff
page and in the portal (issue 21).

Each page is rendered for staff whose language is Marathi or Hindi and must carry the Devanagari of
what was marked for translation and none of the English it replaced (so a removed marking fails);
English staff still read the English. Every msgid of the three apps (templates, forms, views,
services, models) must be translated, not fuzzy, in ``hi`` and ``mr``. The photo limits' refusals
are problem codes (``anagen.core.photos.Problem``) worded through gettext by their callers, so a
Marathi reader reads a file too large, not a photograph, or a day in the future in Marathi on both
upload pages.
"""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from tests.web.i18n.catalogue import unfit_msgids
from tests.web.i18n.reading import page_in, reads
from tests.web.i18n.test_catalogues import python_msgids
from tests.web.i18n.test_staff_pages_language import _template_keys
from tests.web.photos.conftest import consent_to_photographs, jpeg, upload_file

from anagen.audit.services import Actor
from anagen.billing import services as billing
from anagen.photos.models import Photo
from anagen.ui.catalogs import LOCALE_DIR

pytestmark = pytest.mark.django_db

SRC = LOCALE_DIR.parent
APPS = ("consents", "billing", "photos")


def app_msgids() -> set[tuple[str | None, str]]:
    keys: set[tuple[str | None, str]] = set()
    for app in APPS:
        for path in sorted((SRC / app / "templates" / app).glob("*.html")):
            keys |= _template_keys(path)
        for path in sorted((SRC / app).glob("*.py")):
            keys |= python_msgids(path)
    return keys


def test_the_three_apps_msgids_are_read_from_their_own_files():
    keys = app_msgids()
    assert (None, "Consent ledger of %(name)s") in keys  # a consents template
    assert (None, "The patient must tick the box to confirm they have read and agree.") in keys  # a consents refusal
    assert (None, "Redeem one session") in keys  # a billing template
    assert (None, "Sell one package per line.") in keys  # a billing service's refusal
    assert (None, "is larger than the limit of %(limit)s MB (%(size)s MB).") in keys  # a photo limit's wording
    assert (None, "%(count)s photograph") in keys  # a plural
    assert len(keys) > 400


@pytest.mark.parametrize("language", ["hi", "mr"])
def test_every_msgid_of_the_consents_billing_and_photo_pages_is_translated_and_not_fuzzy(language):
    missing, bad = unfit_msgids(language, app_msgids())
    assert not missing, f"not in the {language} catalogue: {missing}"
    assert not bad, f"untranslated or fuzzy in {language}: {bad}"


# ------------------------------------------------------------------------------ consents


@pytest.fixture
def consented(clinic, patient, practitioner):
    consent_to_photographs(clinic, patient, practitioner)
    return patient


CONSENTS = {
    "mr": {"यांच्या संमती": "Consents of", "संमती नोंदवही": "Consent ledger", "प्रत्येक उद्देशाची स्थिती": "Status per purpose",
           "पुन्हा सही करा": "Sign again", ">इतिहास<": ">History<", "आवृत्ती 1": "version 1",
           "रुग्णाकडे परत": "Back to the patient"},
    "hi": {"की सहमतियाँ": "Consents of", "सहमति बहीखाता": "Consent ledger", "हर उद्देश्य की स्थिति": "Status per purpose",
           "फिर से हस्ताक्षर करें": "Sign again", ">इतिहास<": ">History<",
           "संस्करण 1": "version 1", "मरीज़ पर वापस": "Back to the patient"},
}
LEDGER = {
    "mr": {"संमतीच्या घटना, सर्वांत जुनी आधी": "Consent events, oldest first", "मजकूर आवृत्ती": "Text version",
           "नोंदवणारे": "Recorded by", "संमतींकडे परत": "Back to consents"},
    "hi": {"सहमति की घटनाएँ, सबसे पुरानी पहले": "Consent events, oldest first", "पाठ संस्करण": "Text version",
           "दर्ज करने वाले": "Recorded by", "सहमतियों पर वापस": "Back to consents"},
}
TEXTS = {
    "mr": {"संमती मजकूर": "Consent texts", "नवा मजकूर प्रकाशित करा": "Publish a new text",
           "यावरून नवी आवृत्ती": "New version from this", "पुन्हा संमती": "Re-consent"},
    "hi": {"सहमति पाठ": "Consent texts", "नया पाठ प्रकाशित करें": "Publish a new text",
           "इससे नया संस्करण": "New version from this", "फिर से सहमति": "Re-consent"},
}


@pytest.mark.parametrize("language", ["mr", "hi"])
def test_staff_read_a_patients_consents_and_ledger_in_their_own_language(client, receptionist, consented, language):
    reads(page_in(client, receptionist, language, reverse("consents:patient", args=[consented.pk])), CONSENTS[language])
    reads(page_in(client, receptionist, language, reverse("consents:ledger", args=[consented.pk])), LEDGER[language])


@pytest.mark.parametrize("language", ["mr", "hi"])
def test_the_clinic_admin_reads_the_consent_texts_in_her_own_language(client, admin_user, consented, language):
    reads(page_in(client, admin_user, language, reverse("consents:text_list")), TEXTS[language])


@pytest.mark.parametrize(("language", "words"), [
    ("mr", {"संमतीवर सही करा": "Sign consent", "सही पुसा": "Clear signature", "साक्षीदार:": "Witness:"}),
    ("hi", {"सहमति पर हस्ताक्षर करें": "Sign consent", "हस्ताक्षर मिटाएँ": "Clear signature", "गवाह:": "Witness:"}),
])
def test_the_signing_pages_staff_part_reads_in_the_staff_members_language(client, receptionist, consented, language, words):
    reads(page_in(client, receptionist, language, reverse("consents:sign", args=[consented.pk, "photographs"])), words)


# ------------------------------------------------------------------------------ billing


@pytest.fixture
def invoice(items, patient):
    return billing.create_invoice(Actor.system("test", patient.clinic_id), patient, [billing.LineRequest(items["package"])],
                                  today=timezone.localdate(), course=None)


BILLING = {
    "mr": {"rec": {"आजच्या भेटी": "Today's appointments", "न भरलेली बीजके": "Unpaid invoices",
                   "न पोहोचलेली स्मरणपत्रे": "Reminders that failed", ">क्रमांक<": ">Number<", "शिल्लक सत्रे": "Sessions left"},
           "invoice": {"भरणा नोंदवा": "Record payment", "रक्कम (रुपयांत)": "Amount in rupees", ">भरणा<": ">Payments<",
                       "संदर्भ (UPI, कार्ड किंवा बँक)": "Reference (UPI, card or bank)"},
           "new": {"यांच्यासाठी नवीन बीजक": "New invoice for", "बीजक जारी करा": "Issue invoice", "ग्राहकाचे राज्य": "Customer's state",
                   "वस्तू 1": "Item 1", "संख्या 1": "Quantity 1"},
           "prices": {"दरपत्रक": "Price list", "कर वर्ग": "Tax class", "विक्रीस": "On sale", "एक वस्तू जोडा": "Add an item",
                      "कोर्स पॅकेज": "Course package", "वैद्यकीय उपचार, करमुक्त (SAC 9993)": "Medical treatment, exempt"}},
    "hi": {"rec": {"आज के अपॉइंटमेंट": "Today's appointments", "बिना भुगतान वाले इनवॉइस": "Unpaid invoices",
                   "जो रिमाइंडर नहीं पहुँचे": "Reminders that failed", ">संख्या<": ">Number<", "बाकी सत्र": "Sessions left"},
           "invoice": {"भुगतान दर्ज करें": "Record payment", "राशि (रुपये में)": "Amount in rupees", ">भुगतान<": ">Payments<",
                       "संदर्भ (UPI, कार्ड या बैंक)": "Reference (UPI, card or bank)"},
           "new": {"के लिए नया इनवॉइस": "New invoice for", "इनवॉइस जारी करें": "Issue invoice", "ग्राहक का राज्य": "Customer's state",
                   "आइटम 1": "Item 1", "मात्रा 1": "Quantity 1"},
           "prices": {"मूल्य सूची": "Price list", "कर श्रेणी": "Tax class", "बिक्री में": "On sale", "एक आइटम जोड़ें": "Add an item",
                      "कोर्स पैकेज": "Course package", "चिकित्सा उपचार, छूट प्राप्त (SAC 9993)": "Medical treatment, exempt"}},
}


@pytest.mark.parametrize("language", ["mr", "hi"])
def test_reception_reads_the_billing_pages_in_her_own_language(client, receptionist, invoice, language):
    words = BILLING[language]
    reads(page_in(client, receptionist, language, reverse("billing:reception")), words["rec"])
    reads(page_in(client, receptionist, language, reverse("billing:invoice", args=[invoice.pk])), words["invoice"])
    reads(page_in(client, receptionist, language, reverse("billing:new_invoice", args=[invoice.patient_id])), words["new"])


@pytest.mark.parametrize("language", ["mr", "hi"])
def test_the_clinic_admin_reads_the_price_list_in_her_own_language(client, admin_user, items, language):
    reads(page_in(client, admin_user, language, reverse("billing:prices")), BILLING[language]["prices"])


def test_a_refused_payment_reads_in_marathi(client, receptionist, invoice):
    page_in(client, receptionist, "mr", reverse("billing:invoice", args=[invoice.pk]))
    page = client.post(reverse("billing:pay", args=[invoice.pk]), {"amount": "100", "method": "upi"}).content.decode()
    assert "UPI किंवा बँक व्यवहाराचा संदर्भ द्या." in page and "Give the UPI or bank transaction reference." not in page


# ------------------------------------------------------------------------------ photographs


PHOTOS = {
    "mr": {"gallery": {"छायाचित्रे अपलोड करा": "Upload photographs", "रुग्णाकडे परत": "Back to the patient",
                       "अद्याप कोणतेही छायाचित्र नाही.": "No photographs yet."},
           "upload": {"स्वच्छ, कोरडे केस": "Clean, dry hair", "भेटीची तारीख": "Visit date",
                      "प्रत्येकी 20 MB पर्यंत": "up to 20 MB each", "प्रमाणित दृश्ये, या क्रमाने": "The standard views, in order",
                      "ट्रायकोस्कोपीची जागा: भाग": "Trichoscopy site: zone", "छायाचित्रांकडे परत": "Back to the photographs"},
           "compare": {"छायाचित्रांची तुलना": "Compare photographs", "आधीची भेट": "Earlier visit", "नंतरची भेट": "Later visit",
                       "तुलना करा": ">Compare<"}},
    "hi": {"gallery": {"तस्वीरें अपलोड करें": "Upload photographs", "मरीज़ पर वापस": "Back to the patient",
                       "अभी कोई तस्वीर नहीं।": "No photographs yet."},
           "upload": {"साफ़, सूखे बाल": "Clean, dry hair", "विज़िट की तारीख": "Visit date",
                      "हर एक 20 MB तक": "up to 20 MB each", "मानक दृश्य, इस क्रम में": "The standard views, in order",
                      "ट्राइकोस्कोपी का स्थान: क्षेत्र": "Trichoscopy site: zone", "तस्वीरों पर वापस": "Back to the photographs"},
           "compare": {"तस्वीरों की तुलना": "Compare photographs", "पहले की विज़िट": "Earlier visit", "बाद की विज़िट": "Later visit",
                       "तुलना करें": ">Compare<"}},
}


@pytest.mark.parametrize("language", ["mr", "hi"])
def test_a_trichologist_reads_the_photograph_pages_in_her_own_language(client, trichologist, consented, language):
    for page in ("gallery", "upload", "compare"):
        reads(page_in(client, trichologist, language, reverse(f"photos:{page}", args=[consented.pk])), PHOTOS[language][page])


REFUSALS = [
    # (files, form, settings, the Marathi refusal, the English one it replaces)
    (lambda: [upload_file(jpeg(400, 300), "big.jpg")], {}, {"ANAGEN_PHOTO_MAX_BYTES": 600},
     "big.jpg: 0.0 MB मर्यादेपेक्षा मोठी आहे", "is larger than the limit"),
    (lambda: [upload_file(b"just some notes", "notes.txt", "text/plain")], {}, {},
     "notes.txt: JPEG, PNG किंवा WebP प्रतिमा नाही.", "is not a JPEG, PNG or WebP image."),
    (lambda: [upload_file(jpeg(), "scalp.jpg")], {"future": True}, {},
     "भेटीची तारीख भविष्यातील असू शकत नाही.", "The visit date cannot be in the future."),
]


@pytest.mark.parametrize(("files", "form", "settings_", "marathi", "english"), REFUSALS)
def test_a_photograph_refused_on_the_staff_upload_reads_in_marathi(client, trichologist, consented, files, form, settings_, marathi,
                                                                    english):
    page_in(client, trichologist, "mr", reverse("photos:upload", args=[consented.pk]))
    day = timezone.localdate() + dt.timedelta(days=1 if form else 0)
    with override_settings(**settings_):
        response = client.post(reverse("photos:upload", args=[consented.pk]),
                               {"visit_date": day.isoformat(), "view": "vertex", "files": files()})
    page = unescape(response.content.decode())
    assert response.status_code == 400 and marathi in page and english not in page
    assert not Photo.objects.exists()


PORTAL_REFUSALS = [
    (lambda: [upload_file(jpeg(400, 300), "big.jpg")], {}, {"ANAGEN_PHOTO_MAX_BYTES": 600},
     "छायाचित्रे: big.jpg हे 0 MB मर्यादेपेक्षा मोठे आहे.", "is larger than the limit"),
    (lambda: [upload_file(b"just some notes", "notes.txt", "text/plain")], {}, {},
     "छायाचित्रे: notes.txt हे JPEG, PNG किंवा WebP छायाचित्र नाही.", "is not a JPEG"),
    (lambda: [upload_file(jpeg(), "scalp.jpg")], {"future": True}, {},
     "छायाचित्र काढल्याचा दिवस: हा दिवस भविष्यातील असू शकत नाही.", "cannot be in the future"),
]


@pytest.mark.parametrize(("files", "form", "settings_", "marathi", "english"), PORTAL_REFUSALS)
def test_a_photograph_refused_in_the_portal_reads_in_the_patients_marathi(client, consented, patient_user, files, form, settings_,
                                                                          marathi, english):
    consented.preferred_language = "mr"
    consented.save()
    client.force_login(patient_user)
    day = timezone.localdate() + (dt.timedelta(days=1) if form else -dt.timedelta(days=1))
    with override_settings(**settings_):
        response = client.post(reverse("portal:photos"), {"view": "vertex", "day": day.isoformat(), "files": files()})
    page = unescape(response.content.decode())
    assert response.status_code == 400 and marathi in page and english not in page
    assert not Photo.objects.exists()


def test_the_portals_photograph_help_gives_the_size_limit_from_the_setting(client, consented, patient_user):
    client.force_login(patient_user)
    with override_settings(ANAGEN_PHOTO_MAX_BYTES=8 * 1024 * 1024):
        page = unescape(client.get(reverse("portal:photos")).content.decode())
    assert "up to 8 MB each" in page and "20 MB" not in page


def test_english_staff_still_read_these_pages_in_english(client, trichologist, receptionist, consented, invoice):
    assert "Status per purpose" in page_in(client, receptionist, "en-in", reverse("consents:patient", args=[consented.pk]))
    assert "Record payment" in page_in(client, receptionist, "en-in", reverse("billing:invoice", args=[invoice.pk]))
    upload = page_in(client, trichologist, "en-in", reverse("photos:upload", args=[consented.pk]))
    assert "Clean, dry hair" in upload and "up to 20 MB each" in upload
    refused = client.post(reverse("photos:upload", args=[consented.pk]), {
        "visit_date": timezone.localdate().isoformat(), "view": "vertex", "files": [upload_file(b"notes", "notes.txt", "text/plain")]})
    assert "notes.txt: is not a JPEG, PNG or WebP image." in unescape(refused.content.decode())
