"""The stock pages, the treatment options page, staff and clinic administration, the calendar
feeds and registry CSV pages and the erasure requests read in a Hindi- or Marathi-speaking member of
staff's own language.

Each page is rendered for staff whose language is Hindi or Marathi and must carry the Devanagari of
what was marked and none of the English it replaces (so a removed marking fails). The treatment
options page is printed for patients: every msgid of its templates, form and view, and every text of
the core's options table and default answers it shows, must be translated and not fuzzy in ``hi``
and ``mr``; so must every msgid of the staff apps marked here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from tests.web.i18n.catalogue import unfit_msgids
from tests.web.i18n.reading import page_in, reads
from tests.web.i18n.test_catalogues import python_msgids, template_msgids

from anagen.core.education import ARTICLE_FAQ, TREATMENT_OPTIONS
from anagen.ui.catalogs import LOCALE_DIR
from anagen.ui.labels import readable_source

pytestmark = pytest.mark.django_db

SRC = LOCALE_DIR.parent


def _msgids(files: list[Path]) -> set[tuple[str | None, str]]:
    keys: set[tuple[str | None, str]] = set()
    for path in files:
        keys |= template_msgids(path) if path.suffix == ".html" else python_msgids(path)
    return keys


# ---------------------------------------------------------------------------------- education

EDUCATION_FILES = [*sorted((SRC / "education/templates").rglob("*.html")), SRC / "education/forms.py",
                   SRC / "education/views.py", SRC / "education/services.py"]


def education_msgids() -> set[tuple[str | None, str]]:
    keys = _msgids(EDUCATION_FILES)
    for option in TREATMENT_OPTIONS:  # the core's English, translated by education.services at request time
        keys |= {(None, option.name), (None, option.best_published_effect), (None, option.evidence_quality), (None, option.notes)}
    for answer in ARTICLE_FAQ:
        keys |= {(None, answer.question), (None, answer.honest_answer)}
    for text in TREATMENT_OPTIONS + ARTICLE_FAQ:  # worded sources ("clinic protocol"); citations carry a year
        source = readable_source(text.source)
        if not re.search(r"\b(19|20)\d\d\b", source):
            keys.add((None, source))
    return keys


def test_the_education_pages_use_msgids_found_in_their_own_files_and_the_core():
    keys = education_msgids()
    assert (None, "Treatment options for thinning hair") in keys  # options.html
    assert (None, "Question %(number)s") in keys  # faq_form.html, a blocktranslate
    assert (None, "A question needs an answer, and an answer a question.") in keys  # the form
    assert (None, "Is mesotherapy painful?") in keys  # the core's default answers
    assert (None, "source article; clinic protocol") in keys  # a worded source
    assert len(keys) > 60


@pytest.mark.parametrize("language", ["hi", "mr"])
def test_every_msgid_of_the_education_pages_is_translated_and_not_fuzzy(language):
    missing, bad = unfit_msgids(language, education_msgids())
    assert not missing, f"not in the {language} catalogue: {missing}"
    assert not bad, f"untranslated or fuzzy in {language}: {bad}"


OPTIONS = {
    "mr": {"विरळ होणाऱ्या केसांसाठी उपचारांचे पर्याय": "Treatment options for thinning hair",
           "मिनॉक्सिडिल 5% (लावण्याचे)": "Minoxidil 5% (topical)", "रुग्णांचे प्रश्न": "Questions patients ask",
           "मेसोथेरपीत वेदना होतात का?": "Is mesotherapy painful?", "मायकोबॅक्टेरियल संसर्गासह": "mycobacterial",
           "प्रकाशित सर्वोत्तम परिणाम": "Best published effect"},
    "hi": {"पतले होते बालों के लिए उपचार के विकल्प": "Treatment options for thinning hair",
           "मिनॉक्सिडिल 5% (लगाने वाली)": "Minoxidil 5% (topical)", "मरीज़ों के सवाल": "Questions patients ask",
           "क्या मेसोथेरेपी में दर्द होता है?": "Is mesotherapy painful?", "माइकोबैक्टीरियल संक्रमण सहित": "mycobacterial",
           "प्रकाशित सबसे अच्छा असर": "Best published effect"},
}


@pytest.mark.parametrize("language", ["mr", "hi"])
def test_reception_shows_a_patient_the_treatment_options_in_the_patients_language(client, receptionist, language):
    page = page_in(client, receptionist, language, reverse("education:options"))
    reads(page, OPTIONS[language])
    assert "Gajjar 2019" in page  # citations as written
    assert {"mr": "स्रोत लेख; क्लिनिकचा प्रोटोकॉल", "hi": "स्रोत लेख; क्लिनिक का प्रोटोकॉल"}[language] in page
    assert "clinic protocol" not in page


def test_the_clinics_own_answers_are_shown_as_the_clinic_wrote_them(client, admin_user):
    client.force_login(admin_user)
    client.post(reverse("education:edit_faq"), {
        "faq-TOTAL_FORMS": "1", "faq-INITIAL_FORMS": "0",
        "faq-0-question": "Do you offer payment plans?", "faq-0-answer": "Yes.", "faq-0-source": "",
    })
    page = page_in(client, admin_user, "hi", reverse("education:options"))
    assert "Do you offer payment plans?" in page and "क्या मेसोथेरेपी में दर्द होता है?" not in page


@pytest.mark.parametrize(("language", "refusal"), [
    ("mr", "प्रत्येक प्रश्नाला उत्तर हवे, आणि प्रत्येक उत्तराला प्रश्न."), ("hi", "हर प्रश्न का उत्तर चाहिए, और हर उत्तर का प्रश्न।")])
def test_the_clinic_admin_edits_the_answers_on_a_form_in_her_language(client, admin_user, language, refusal):
    page = page_in(client, admin_user, language, reverse("education:edit_faq"))
    reads(page, {"mr": {"उत्तरे जतन करा": "Save answers", "क्लिनिकची उत्तरे बदला": "Edit the clinic's answers"},
                  "hi": {"उत्तर सहेजें": "Save answers", "क्लिनिक के उत्तर बदलें": "Edit the clinic"}}[language])
    refused = client.post(reverse("education:edit_faq"), {
        "faq-TOTAL_FORMS": "1", "faq-INITIAL_FORMS": "0", "faq-0-question": "Why?", "faq-0-answer": ""}).content.decode()
    assert refusal in refused and "A question needs an answer" not in refused


# -------------------------------------------------------------------------------------- stock

STOCK = {
    "mr": {"कमी स्टॉकची मर्यादा": "Low-stock threshold", "वापरण्यायोग्य स्टॉक": "Usable stock", ">उत्पादने<": ">Products<",
           "उत्पादन जोडा": "Add a product", "इशारे": "Alerts", "(20.0 व्हायल)": "vials)"},
    "hi": {"कम स्टॉक की सीमा": "Low-stock threshold", "उपयोग योग्य स्टॉक": "Usable stock", ">उत्पाद<": ">Products<",
           "उत्पाद जोड़ें": "Add a product", "चेतावनियाँ": "Alerts", "(20.0 वायल)": "vials)"},
}
PRODUCT = {
    "mr": {"उत्पादक": "Manufacturer", "मल्टी-डोस व्हायल: मेसोथेरपीनंतर": "Multi-dose vial: mycobacterial",
           "लॉट स्वीकारा": "Receive a lot", "वापरण्यायोग्य": ">usable<", "स्टॉककडे परत": "Back to stock"},
    "hi": {"निर्माता": "Manufacturer", "मल्टी-डोज़ वायल: मेसोथेरेपी के बाद": "Multi-dose vial: mycobacterial",
           "लॉट प्राप्त करें": "Receive a lot", "उपयोग योग्य": ">usable<", "स्टॉक पर वापस": "Back to stock"},
}
LOT = {
    "mr": {"स्टॉकमधील हालचाली": "Movements", "रुग्णांशी जोडलेले वापर": "Uses linked to patients", "पुरवठादार": "Supplier",
           "हा लॉट रिकॉल करा": "Recall this lot", ">मिळाले<": ">Received<"},
    "hi": {"स्टॉक की आवाजाही": "Movements", "मरीज़ों से जुड़े उपयोग": "Uses linked to patients", "आपूर्तिकर्ता": "Supplier",
           "यह लॉट रिकॉल करें": "Recall this lot", ">प्राप्त<": ">Received<"},
}


@pytest.mark.parametrize("language", ["mr", "hi"])
def test_the_clinic_admin_reads_the_stock_pages_in_her_own_language(client, admin_user, lot, language):
    reads(page_in(client, admin_user, language, reverse("catalog:home")), STOCK[language])
    reads(page_in(client, admin_user, language, reverse("catalog:product_detail", args=[lot.product_id])), PRODUCT[language])
    reads(page_in(client, admin_user, language, reverse("catalog:lot_detail", args=[lot.pk])), LOT[language])


@pytest.mark.parametrize(("language", "words"), [
    ("mr", {"व्हायलचा प्रकार": "Vial type", "सिंगल-डोस व्हायल": "Single-dose vial", "घटक 1": "Ingredient 1",
            "हा घटक काढा": "Remove this ingredient", "घटक निवडा": "Choose an ingredient"}),
    ("hi", {"वायल का प्रकार": "Vial type", "सिंगल-डोज़ वायल": "Single-dose vial", "घटक 1": "Ingredient 1",
            "यह घटक हटाएँ": "Remove this ingredient", "घटक चुनें": "Choose an ingredient"}),
])
def test_the_product_form_and_its_refusals_read_in_the_staff_members_language(client, admin_user, lot, language, words):
    url = reverse("catalog:product_edit", args=[lot.product_id])
    reads(page_in(client, admin_user, language, url), words)
    refused = client.post(reverse("catalog:product_create"), {
        "name": "Thin", "vial_type": "single_dose", "vial_volume_ml": "0", "low_stock_threshold_ml": "0",
        "components-TOTAL_FORMS": "1", "components-INITIAL_FORMS": "0",
        "components-0-ingredient_code": "biotin", "components-0-concentration": "99"}).content.decode()
    assert {"mr": "व्हायलचे आकारमान 0 mL पेक्षा जास्त असले पाहिजे.", "hi": "वायल की मात्रा 0 mL से अधिक होनी चाहिए।"}[language] in refused
    assert "must be more than 0 mL" not in refused and "(ingredient catalogue); got" not in refused


@pytest.mark.parametrize(("language", "words"), [
    ("mr", {"रिकॉल कायमचा असतो": "A recall is permanent", "रिकॉलचे कारण": "Reason for the recall", "लॉट रिकॉल करा": "Recall the lot"}),
    ("hi", {"रिकॉल स्थायी है": "A recall is permanent", "रिकॉल का कारण": "Reason for the recall", "लॉट रिकॉल करें": "Recall the lot"}),
])
def test_the_recall_and_adjust_forms_read_in_the_staff_members_language(client, admin_user, lot, language, words):
    reads(page_in(client, admin_user, language, reverse("catalog:lot_recall", args=[lot.pk])), words)
    adjust = page_in(client, admin_user, language, reverse("catalog:lot_adjust", args=[lot.pk]))
    reads(adjust, {"mr": {"मोजणीतील दुरुस्ती: नोंदीपेक्षा कमी स्टॉक": "Count correction: less"},
                    "hi": {"गिनती में सुधार: दर्ज से कम स्टॉक": "Count correction: less"}}[language])
    refused = client.post(reverse("catalog:lot_adjust", args=[lot.pk]),
                          {"action": "remove", "quantity_ml": "900", "reason": "count"}).content.decode()
    assert {"mr": "शिल्लक आहे; त्यातून 900.00 mL घेता येणार नाही.", "hi": "इससे 900.00 mL नहीं लिया जा सकता।"}[language] in refused


# ------------------------------------------------------------------ staff and clinic settings

STAFF_LIST = {
    "mr": {"कर्मचारी जोडा": "Add a staff member", "द्वि-स्तरीय साइन इन": "Two-factor sign-in", "पासवर्ड सेट करा": "Set password",
           "रुग्ण नोंदवहीची CSV आयात आणि निर्यात": "Patient registry CSV import", "चे कर्मचारी": "Staff of"},
    "hi": {"स्टाफ़ सदस्य जोड़ें": "Add a staff member", "दो-चरणीय साइन इन": "Two-factor sign-in", "पासवर्ड सेट करें": "Set password",
           "मरीज़ रजिस्टर का CSV आयात और निर्यात": "Patient registry CSV import", "का स्टाफ़": "Staff of"},
}


@pytest.mark.parametrize("language", ["mr", "hi"])
def test_the_clinic_admin_manages_staff_in_her_own_language(client, admin_user, receptionist, language):
    reads(page_in(client, admin_user, language, reverse("accounts:staff_list")), STAFF_LIST[language])
    edit = page_in(client, admin_user, language, reverse("accounts:staff_edit", args=[receptionist.pk]))
    reads(edit, {"mr": {"खाते सक्रिय": "Account active", "भूमिका": ">Role<"},
                  "hi": {"खाता सक्रिय": "Account active", "भूमिका": ">Role<"}}[language])
    password = page_in(client, admin_user, language, reverse("accounts:staff_password", args=[receptionist.pk]))
    reads(password, {"mr": {"साठी नवीन पासवर्ड सेट करा": "Set a new password for"},
                      "hi": {"के लिए नया पासवर्ड सेट करें": "Set a new password for"}}[language])
    refused = client.post(reverse("accounts:staff_edit", args=[admin_user.pk]), {
        "first_name": "A", "last_name": "B", "email": "", "role": "reception", "is_active": "on", "language": language}).content.decode()
    assert {"mr": "तुम्ही स्वतःची ॲडमिन भूमिका काढू शकत नाही", "hi": "आप अपनी एडमिन भूमिका नहीं हटा सकते"}[language] in refused
    assert "You cannot remove your own admin role" not in refused


@pytest.mark.parametrize(("language", "words"), [
    ("mr", {"क्लिनिकचे नाव": "Clinic name", "नोंद क्रमांकाचा उपसर्ग": "Record number prefix",
            "नोंद क्रमांक AN-000123 असे दिसतात.": "Medical record numbers look like"}),
    ("hi", {"क्लिनिक का नाम": "Clinic name", "रिकॉर्ड संख्या का उपसर्ग": "Record number prefix",
            "रिकॉर्ड संख्याएँ AN-000123 जैसी दिखती हैं।": "Medical record numbers look like"}),
])
def test_the_clinic_settings_form_reads_in_the_staff_members_language(client, admin_user, language, words):
    reads(page_in(client, admin_user, language, reverse("accounts:clinic_settings")), words)


# ------------------------------------------------------------------------- interop and api

@pytest.mark.parametrize(("language", "words"), [
    ("mr", {"रुग्ण नोंदवही: CSV निर्यात आणि आयात": "Patient registry: CSV export", "नोंदवही डाउनलोड करा (CSV)": "Download the registry",
            "तपासा आणि आयात करा": "Check and import", "आवश्यक:": "Required:", "CSV फाइल": "CSV file"}),
    ("hi", {"मरीज़ रजिस्टर: CSV निर्यात और आयात": "Patient registry: CSV export", "रजिस्टर डाउनलोड करें (CSV)": "Download the registry",
            "जाँचें और आयात करें": "Check and import", "ज़रूरी:": "Required:", "CSV फ़ाइल": "CSV file"}),
])
def test_the_registry_csv_page_and_its_row_problems_read_in_the_staff_members_language(client, admin_user, language, words):
    page = page_in(client, admin_user, language, reverse("interop:registry"))
    reads(page, words)
    assert "<code>given_name</code>" in page  # the import format's column names stay as the format defines them
    upload = SimpleUploadedFile("p.csv", b"given_name,family_name,date_of_birth,sex,phone\nAsha,Rao,31/02/1990,F,9820012345\n")
    refused = client.post(reverse("interop:registry"), {"file": upload}).content.decode()
    reads(refused, {"mr": {"काहीही आयात झाले नाही: 1 समस्या": "Nothing was imported",
                            "जन्मतारीख YYYY-MM-DD किंवा DD/MM/YYYY अशी लिहा.": "Write the date of birth"},
                     "hi": {"कुछ भी आयात नहीं हुआ: 1 समस्या": "Nothing was imported",
                            "जन्म तिथि YYYY-MM-DD या DD/MM/YYYY के रूप में लिखें।": "Write the date of birth"}}[language])


@pytest.mark.parametrize(("language", "words"), [
    ("mr", {"माझी दिनदर्शिका फीड": "My calendar feed", "फीड पत्ता तयार करा": "Create a feed address", "माझी फीड": "My feeds"}),
    ("hi", {"मेरी कैलेंडर फ़ीड": "My calendar feed", "फ़ीड पता बनाएँ": "Create a feed address", "मेरी फ़ीड": "My feeds"}),
])
def test_the_calendar_feed_pages_read_in_the_staff_members_language(client, trichologist, patient, language, words):
    reads(page_in(client, trichologist, language, reverse("interop:my_feeds")), words)
    feeds = page_in(client, trichologist, language, reverse("interop:patient_feeds", args=[patient.pk]))
    reads(feeds, {"mr": {"रुग्णाकडे परत": "Back to the patient"}, "hi": {"मरीज़ पर वापस": "Back to the patient"}}[language])


@pytest.mark.parametrize(("language", "words"), [
    ("mr", {"API टोकन": "API tokens", "टोकन तयार करा": "Create a token", "अजून कोणतेही टोकन नाही.": "No tokens yet."}),
    ("hi", {"API टोकन": "API tokens", "टोकन बनाएँ": "Create a token", "अभी कोई टोकन नहीं।": "No tokens yet."}),
])
def test_the_api_tokens_page_reads_in_the_staff_members_language(client, trichologist, language, words):
    reads(page_in(client, trichologist, language, reverse("api_tokens:list")), words)


# ---------------------------------------------------------------------------------- privacy

@pytest.mark.parametrize("language", ["mr", "hi"])
def test_the_clinic_admin_records_an_erasure_request_in_her_own_language(client, admin_user, patient, language):
    new = page_in(client, admin_user, language, reverse("privacy:erasure_new", args=[patient.pk]))
    reads(new, {"mr": {"रुग्णाची विनंती": "The patient&#x27;s request", "विनंती नोंदवा": "Record the request"},
                 "hi": {"मरीज़ का अनुरोध": "The patient&#x27;s request", "अनुरोध दर्ज करें": "Record the request"}}[language])
    client.post(reverse("privacy:erasure_new", args=[patient.pk]), {"reason": "Email of 18 Nov"})
    listing = page_in(client, admin_user, language, reverse("privacy:erasure_list"))
    reads(listing, {"mr": {"माहिती पुसण्याच्या विनंत्या": "Erasure requests", "विनंती केली": "Requested"},
                     "hi": {"डेटा मिटाने के अनुरोध": "Erasure requests", "अनुरोध किया गया": "Requested"}}[language])
    request = patient.erasure_requests.get()
    detail = page_in(client, admin_user, language, reverse("privacy:erasure_detail", args=[request.pk]))
    reads(detail, {"mr": {"वैयक्तिक माहिती पुसून टाका": "Erase personal data", "खात्री करण्यासाठी नोंद क्रमांक लिहा": "Type the record number"},
                    "hi": {"व्यक्तिगत डेटा मिटाएँ": "Erase personal data", "पुष्टि के लिए रिकॉर्ड संख्या लिखें": "Type the record number"}}[language])


# ------------------------------------------------------------------------------- staff apps

STAFF_APPS = ("catalog", "interop", "accounts", "privacy", "api")


def staff_app_files() -> list[Path]:
    files: list[Path] = []
    for app in STAFF_APPS:
        files += sorted((SRC / app / "templates").rglob("*.html"))
        files += sorted((SRC / app).glob("*.py")) + sorted((SRC / app).glob("templatetags/*.py"))
    return files


def test_the_staff_apps_use_msgids_found_in_their_own_files():
    keys = _msgids(staff_app_files())
    assert (None, "Usable stock") in keys  # a stock template
    assert ("lot status", "expiring soon") in keys  # a view's label
    assert (None, "Lot %(lot)s of %(product)s expired on %(day)s: do not use it.") in keys  # a service's refusal
    assert len(keys) > 150


@pytest.mark.parametrize("language", ["hi", "mr"])
def test_every_msgid_of_the_staff_apps_is_translated_and_not_fuzzy(language):
    missing, bad = unfit_msgids(language, _msgids(staff_app_files()))
    assert not missing, f"not in the {language} catalogue: {missing}"
    assert not bad, f"untranslated or fuzzy in {language}: {bad}"
