"""The staff interface's everyday pages (the Today screens, the calendar, the booking form, the
patient list and the patient page's header and tabs) read in a Hindi- or Marathi-speaking member of
staff's own language.

Each page is rendered for staff whose language is Marathi or Hindi and must carry the Devanagari of
what was marked for translation and none of its English (so a removed marking fails); English staff
still read the English word for word. Every msgid of the web shell, the scheduling app and the
patients app (templates, forms, views, services, models) must be translated, not fuzzy, in ``hi``
and ``mr``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation.template import templatize
from tests.web.i18n.catalogue import unfit_msgids
from tests.web.i18n.reading import page_in, reads
from tests.web.i18n.test_catalogues import LITERAL, python_msgids, template_msgids

from anagen.scheduling.models import Status
from anagen.ui.catalogs import LOCALE_DIR

pytestmark = pytest.mark.django_db

SRC = LOCALE_DIR.parent
APPS = ("web", "scheduling", "patients")
# ``{{ value|default:_("…") }}`` in a template: templatize leaves it as _("…"), which
# template_msgids (gettext calls only) does not see.
TEMPLATE_UNDERSCORE = re.compile(rf"(?<![\w.])_\(\s*({LITERAL})\s*\)")


def staff_files() -> list[Path]:
    files: list[Path] = []
    for app in APPS:
        files += sorted((SRC / app / "templates").rglob("*.html"))
        files += sorted((SRC / app).glob("*.py")) + sorted((SRC / app).glob("templatetags/*.py"))
    return files


def _template_keys(path: Path) -> set[tuple[str | None, str]]:
    keys = template_msgids(path)
    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    keys |= {(None, eval(literal)) for literal in TEMPLATE_UNDERSCORE.findall(code)}  # noqa: S307 (a string literal)
    return keys


def staff_msgids() -> set[tuple[str | None, str]]:
    keys: set[tuple[str | None, str]] = set()
    for path in staff_files():
        keys |= _template_keys(path) if path.suffix == ".html" else python_msgids(path)
    return keys


def test_the_staff_pages_use_msgids_found_in_their_own_files():
    keys = staff_msgids()
    # The extraction itself is checked, or an empty set would pass the test below.
    assert (None, "Ready: treatment consent, screening, formulation and balance. "
                  "A cross is a blocker to clear before the patient reaches the chair.") in keys  # a Today template
    assert (None, "%(count)s appointment") in keys  # a plural, the calendar's count
    assert (None, "Notes for reception") in keys  # the booking form
    assert (None, "In the chair") in keys  # an appointment status (the model)
    assert (None, "Registered %(name)s as %(mrn)s.") in keys  # a view's message
    assert (None, "Only a booked appointment can be moved; this one is %(status)s.") in keys  # a service's refusal
    assert (None, "Course & sessions") in keys  # a patient tab (web/patient_header.py)
    assert (None, "no diagnosis yet") in keys  # default:_("…") in a template
    assert (None, "Set up two-factor sign-in") in keys  # registration templates
    assert len(keys) > 400


@pytest.mark.parametrize("language", ["hi", "mr"])
def test_every_msgid_of_the_staff_pages_is_translated_and_not_fuzzy(language):
    keys = staff_msgids()
    missing, bad = unfit_msgids(language, keys)
    assert not missing, f"not in the {language} catalogue (run makemessages): {missing}"
    assert not bad, f"untranslated or fuzzy in {language}: {bad}"


TODAY = {
    "mr": {"न भरलेली बीजके": "Unpaid invoices", "पोर्टलवरील विनंत्या": "Portal requests",
           "दिनदर्शिकेत हा दिवस": "This day in the calendar", "नवीन रुग्ण": "New patient", "उद्या": "Tomorrow",
           "ठरलेली": "Booked", "तयार: उपचाराची संमती": "Ready: treatment consent",
           "सत्रे शिल्लक असलेली पॅकेजेस": "Packages with sessions left"},
    "hi": {"बिना भुगतान वाले इनवॉइस": "Unpaid invoices", "पोर्टल से आए अनुरोध": "Portal requests",
           "कैलेंडर में यह दिन": "This day in the calendar", "नया मरीज़": "New patient", "कल": "Tomorrow",
           "बुक हुआ": "Booked", "तैयार: उपचार की सहमति": "Ready: treatment consent",
           "बाकी सत्रों वाले पैकेज": "Packages with sessions left"},
}


@pytest.mark.parametrize("language", ["mr", "hi"])
def test_reception_reads_the_today_screen_in_her_own_language(client, receptionist, book, tomorrow, language):
    book()  # tomorrow, so the list has a row whatever the hour
    page = page_in(client, receptionist, language, reverse("home") + f"?day={tomorrow:%Y-%m-%d}")
    reads(page, TODAY[language])


@pytest.mark.parametrize(("language", "words"), [
    ("mr", {"माझ्या सल्लामसलती आणि पुनर्तपासण्या": "My consultations and reviews", "सही न झालेले मसुदे": "Unsigned drafts",
            "फॉर्म्युलेशनच्या प्रतीक्षेत": "Awaiting a formulation", "तुमच्याकडे कोणतीही भेट ठरलेली नाही.": "Nothing booked with you."}),
    ("hi", {"मेरे परामर्श और पुनः जाँच": "My consultations and reviews", "बिना हस्ताक्षर के मसौदे": "Unsigned drafts",
            "फ़ॉर्मूलेशन की प्रतीक्षा में": "Awaiting a formulation", "आपके साथ कुछ भी बुक नहीं है।": "Nothing booked with you."}),
])
def test_a_trichologist_reads_her_today_screen_in_her_own_language(client, trichologist, language, words):
    reads(page_in(client, trichologist, language, reverse("home")), words)


@pytest.mark.parametrize(("language", "words"), [
    ("mr", {"माझे रुग्ण": "My patients", "करायचे पाठपुरावा कॉल": "Follow-up calls due",
            "तुमच्याकडे कोणत्याही रुग्णाची भेट ठरलेली नाही.": "No patients booked with you."}),
    ("hi", {"मेरे मरीज़": "My patients", "बाकी फ़ॉलो-अप कॉल": "Follow-up calls due",
            "आपके साथ कोई मरीज़ बुक नहीं है।": "No patients booked with you."}),
])
def test_a_nurse_reads_her_today_screen_in_her_own_language(client, practitioner, language, words):
    reads(page_in(client, practitioner, language, reverse("home")), words)


CALENDAR = {
    "mr": {"मागचा दिवस": "Previous day", "पुढचा दिवस": "Next day", "वेळा क्लिनिकच्या वेळेनुसार (IST)": "Times in clinic time",
           "1 भेट": "1 appointment", "सर्व खोल्या": "All rooms", "वरून खाली वेळा": "times down", "स्तंभ": "Columns",
           ">भेट ठरवा<": ">Book<"},
    "hi": {"पिछला दिन": "Previous day", "अगला दिन": "Next day", "समय क्लिनिक के समय में (IST)": "Times in clinic time",
           "1 अपॉइंटमेंट": "1 appointment", "सभी कमरे": "All rooms", "ऊपर से नीचे समय": "times down", "कॉलम": "Columns",
           ">बुक करें<": ">Book<"},
}


@pytest.mark.parametrize("language", ["mr", "hi"])
def test_the_calendar_reads_in_the_staff_members_language_its_dates_too(client, receptionist, book, tomorrow, language):
    book()
    page = page_in(client, receptionist, language, reverse("scheduling:day") + f"?date={tomorrow:%Y-%m-%d}")
    reads(page, CALENDAR[language])
    with translation.override(language):
        weekday = translation.gettext(tomorrow.strftime("%a"))  # Django's own catalogue: शनि, सोम …
    assert weekday != tomorrow.strftime("%a") and weekday in page
    week = page_in(client, receptionist, language, reverse("scheduling:week") + f"?date={tomorrow:%Y-%m-%d}")
    assert ("आठवडा" if language == "mr" else "हफ़्ता") in week and "Week of" not in week


BOOKING = {
    "mr": {"भेटीची वेळ ठरवा": "Book an appointment", "भेटीचा प्रकार": "Appointment type",
           "स्वागत कक्षासाठी टिपा": "Notes for reception", "मोकळ्या वेळा": "Free times",
           "सुरू होण्याची वेळ": "Start time", "दिनदर्शिकेकडे परत": "Back to the calendar"},
    "hi": {"अपॉइंटमेंट बुक करें": "Book an appointment", "अपॉइंटमेंट का प्रकार": "Appointment type",
           "रिसेप्शन के लिए टिप्पणियाँ": "Notes for reception", "खाली समय": "Free times",
           "शुरू होने का समय": "Start time", "कैलेंडर पर वापस": "Back to the calendar"},
}


@pytest.mark.parametrize("language", ["mr", "hi"])
def test_reception_books_on_a_form_in_her_own_language_and_reads_its_refusals_in_it(client, receptionist, room, language):
    page = page_in(client, receptionist, language, reverse("scheduling:book"))
    reads(page, BOOKING[language])
    refused = client.post(reverse("scheduling:book"), {"book": "1"}).content.decode()
    refusal = {"mr": "रुग्ण शोधा आणि निकालांमधून निवडा.", "hi": "मरीज़ को खोजें और परिणामों में से चुनें।"}[language]
    assert refusal in refused and "Find the patient and choose them from the results." not in refused


PATIENT_LIST = {
    "mr": {"रुग्णाची नोंदणी करा": "Register a patient", "जन्मतारीख": "Date of birth", ">1 रुग्ण<": "1 patient",
           "रुग्ण शोधा": "Search patients"},
    "hi": {"मरीज़ पंजीकृत करें": "Register a patient", "जन्म तिथि": "Date of birth", ">1 मरीज़<": "1 patient",
           "मरीज़ खोजें": "Search patients"},
}


@pytest.mark.parametrize("language", ["mr", "hi"])
def test_the_patient_list_reads_in_the_staff_members_language(client, receptionist, patient, language):
    page = page_in(client, receptionist, language, reverse("patients:list"))
    reads(page, PATIENT_LIST[language])


PATIENT_PAGE = {
    "mr": {" वर्षे ·": " years ·", ">सारांश<": "Overview", "कोर्स आणि सत्रे": "Course &amp; sessions",
           "नवीन बीजक": "New invoice", "उपचाराची संमती": "Treatment consent", "तपशील बदला": "Edit details",
           "पत्ता आणि ओळख क्रमांक": "Address and identifiers", "येणाऱ्या भेटी": "Upcoming appointments",
           "सल्लामसलत सुरू करा": "Start consultation", "प्रगती आणि छायाचित्रे": "Progress &amp; photos"},
    "hi": {" वर्ष ·": " years ·", ">सारांश<": "Overview", "कोर्स और सत्र": "Course &amp; sessions",
           "नया इनवॉइस": "New invoice", "उपचार की सहमति": "Treatment consent", "विवरण बदलें": "Edit details",
           "पता और पहचान संख्याएँ": "Address and identifiers", "आने वाले अपॉइंटमेंट": "Upcoming appointments",
           "परामर्श शुरू करें": "Start consultation", "प्रगति और तस्वीरें": "Progress &amp; photos"},
}


@pytest.mark.parametrize("language", ["mr", "hi"])
def test_the_patient_pages_header_and_tabs_read_in_the_staff_members_language(client, trichologist, patient, book, language):
    book()
    page = page_in(client, trichologist, language, reverse("patients:detail", args=[patient.pk]))
    reads(page, PATIENT_PAGE[language])


def test_english_staff_still_read_these_pages_in_english(client, receptionist, patient, book, tomorrow):
    book()
    today = page_in(client, receptionist, "en-in", reverse("home") + f"?day={tomorrow:%Y-%m-%d}")
    assert "Unpaid invoices" in today and "This day in the calendar" in today and ">Booked<" in today
    calendar = page_in(client, receptionist, "en-in", reverse("scheduling:day") + f"?date={tomorrow:%Y-%m-%d}")
    assert "Previous day" in calendar and "1 appointment" in calendar and tomorrow.strftime("%a %-d %b %Y") in calendar
    assert "Book an appointment" in page_in(client, receptionist, "en-in", reverse("scheduling:book"))
    assert "Register a patient" in page_in(client, receptionist, "en-in", reverse("patients:list"))
    header = page_in(client, receptionist, "en-in", reverse("patients:detail", args=[patient.pk]))
    assert "Course &amp; sessions" in header and "Upcoming appointments" in header and " years · " in header


def test_an_appointments_status_is_named_in_the_readers_language():
    with translation.override("mr"):
        assert [str(label) for label in Status.labels] == ["ठरलेली", "आले", "खुर्चीत", "पूर्ण झाली", "रद्द", "आले नाहीत"]
    with translation.override("en-in"):
        assert [str(label) for label in Status.labels] == ["Booked", "Arrived", "In the chair", "Completed", "Cancelled", "No-show"]
