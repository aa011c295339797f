"""The Hindi and Marathi catalogues cannot drift from what the patient reads.

Every msgid the portal uses (its templates, the page frame and sign-in page around them, the portal's
forms, messages and errors, and the labels of choices it shows) must be in ``hi`` and ``mr``,
translated and not fuzzy. So must every msgid of what the clinic hands the patient: the consent text
as shown and signed (page and PDF), the aftercare sheet PDF, the reminder opt-out pages the
messages link to, the progress report PDF and the invoice and receipt PDFs. The wordings those
carry as stored content (consent texts, aftercare sheets, reminder messages) must exist in both
languages too. A string added to a portal template without running makemessages fails
here too, because the msgids are read from the templates themselves, not from the catalogue.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import polib
import pytest
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation.template import templatize
from tests.web.i18n.catalogue import unfit_msgids

from anagen.accounts.models import Role
from anagen.billing.models import Method as PaymentMethod
from anagen.consents.default_texts import TEXTS as CONSENT_TEXTS
from anagen.consents.models import EventKind, Purpose
from anagen.consents.models import Method as SignMethod
from anagen.consents.services import STATE_LABELS
from anagen.core.aftercare import DEFAULT_SHEETS, five_ari_languages
from anagen.core.reminders import DEFAULT_TEMPLATES, ReminderKind
from anagen.patients.models import Sex
from anagen.scheduling.models import Kind
from anagen.ui.catalogs import LOCALE_DIR, compile_catalogues

SRC = LOCALE_DIR.parent
PATIENT_TEMPLATES = [
    *sorted((SRC / "portal/templates/portal").glob("*.html")),
    # The portal pages of apps above the portal (the patient's bills: billing.portal_views).
    *sorted((SRC / "billing/templates/portal").glob("*.html")),
    # ... and the waiting list's (waitlist.portal_views).
    *sorted((SRC / "waitlist/templates/portal").glob("*.html")),
    SRC / "web/templates/base.html",
    SRC / "web/templates/_language_switch.html",
    SRC / "web/templates/registration/login.html",
]
# The portal's staff-side panels and pages are staff interface, not read by the patient.
STAFF_SIDE = {"_panel.html", "_patient_panel.html", "invitation_created.html", "requests.html"}
PORTAL_PYTHON = [SRC / "portal/forms.py", SRC / "portal/services.py", SRC / "portal/views.py",
                 SRC / "billing/portal.py", SRC / "billing/portal_views.py",
                 SRC / "waitlist/services.py", SRC / "waitlist/portal_views.py",
                 # What the patient reports between visits: the use cases word their refusals and answers.
                 SRC / "outcomes/patient_reported.py"]
# What the clinic hands the patient, by document: the files whose msgids the patient reads.
PATIENT_DOCUMENTS = {
    "consent": [SRC / "consents/templates/consents/_text.html", SRC / "consents/templates/consents/sign.html",
                SRC / "consents/forms.py", SRC / "consents/pdf.py"],
    "aftercare": [SRC / "procedures/pdf.py"],
    "reminder": [SRC / "reminders/templates/reminders/opt_out.html", SRC / "reminders/templates/reminders/opt_out_done.html"],
    "report": [SRC / "outcomes/pdf.py", SRC / "outcomes/reports.py"],
    "invoice": [SRC / "billing/pdf.py"],
}
GETTEXT_NAMES = {"gettext_noop", "_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext", "ngettext_lazy"}
# templatize writes a msgid holding an apostrophe in double quotes ("the clinic's"), others in single.
LITERAL = r"""u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
TEMPLATE_CALL = re.compile(rf"\b(n?p?gettext)\(\s*({LITERAL}(?:\s*,\s*{LITERAL})*)")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _key(function: str, args: tuple[str, ...]) -> tuple[str | None, str]:
    return (args[0], args[1]) if function.startswith(("p", "np")) else (None, args[0])


def template_msgids(path: Path) -> set[tuple[str | None, str]]:
    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    keys = set()
    for function, args in TEMPLATE_CALL.findall(code):
        keys.add(_key(function, ast.literal_eval(f"({args},)")))
    return keys


def python_msgids(path: Path) -> set[tuple[str | None, str]]:
    keys = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in GETTEXT_NAMES:
            args = tuple(a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
            if args:
                keys.add(_key(node.func.id, args))
    return keys


def shown_labels() -> set[tuple[str | None, str]]:
    """The choice labels the portal shows (consent purposes and states, appointment kinds, roles)."""
    with translation.override("en-in"):
        labels = [*Purpose.labels, *Kind.labels, *Role.labels, *STATE_LABELS.values()]
        return {(None, str(label)) for label in labels}


def portal_msgids() -> set[tuple[str | None, str]]:
    keys = shown_labels()
    for path in PATIENT_TEMPLATES:
        if path.name not in STAFF_SIDE:
            keys |= template_msgids(path)
    for path in PORTAL_PYTHON:
        keys |= python_msgids(path)
    return keys


def test_the_portal_uses_a_good_number_of_msgids_found_in_its_own_files():
    keys = portal_msgids()
    # The extraction itself is checked: a broken regex finding nothing would pass everything below.
    assert (None, "My care") in keys
    assert ("navigation", "Main") in keys
    assert (None, "The latest entry") in keys
    assert (None, "Keep the message under %(limit)d characters.") in keys
    assert (None, "Mesotherapy session") in keys
    assert (None, "You have no bills from the clinic.") in keys  # the bills, a page billing adds to the portal
    assert ("bill status", "Partly paid") in keys
    assert (None, "Pay at the clinic's reception.") in keys  # an apostrophe: templatize quotes it with "
    assert len(keys) > 120


@pytest.mark.parametrize("language", ["hi", "mr"])
def test_every_msgid_of_the_portal_is_translated_and_not_fuzzy(language):
    missing, bad = unfit_msgids(language, portal_msgids())
    assert not missing, f"not in the {language} catalogue (run makemessages): {missing}"
    assert not bad, f"untranslated or fuzzy in {language}: {bad}"


def document_msgids(document: str) -> set[tuple[str | None, str]]:
    keys: set[tuple[str | None, str]] = set()
    for path in PATIENT_DOCUMENTS[document]:
        keys |= template_msgids(path) if path.suffix == ".html" else python_msgids(path)
    # The labels of choices the document prints (names such as "UPI" are not translated).
    labels = {"consent": [*SignMethod.labels, *EventKind.labels, *Purpose.labels],
              "report": [*Sex.labels], "invoice": [*PaymentMethod.labels]}.get(document, [])
    with translation.override("en-in"):
        keys |= {(None, str(label)) for label in labels if isinstance(label, Promise)}
    return keys


def test_each_patient_document_uses_msgids_found_in_its_own_files():
    # The extraction is checked per document, or an empty list would pass the test below.
    assert (None, "I have read and agree to this consent") in document_msgids("consent")
    assert (None, "Questions or worries: call %(phone)s") in document_msgids("aftercare")
    assert (None, "Stop %(channel)s reminders?") in document_msgids("reminder")
    assert (None, "Your response so far") in document_msgids("report")
    assert (None, "Continue maintenance sessions") in document_msgids("report")
    assert (None, "Amount in words") in document_msgids("invoice")
    assert (None, "Bank transfer") in document_msgids("invoice")
    assert len(document_msgids("report")) > 40 and len(document_msgids("invoice")) > 30


@pytest.mark.parametrize("document", sorted(PATIENT_DOCUMENTS))
@pytest.mark.parametrize("language", ["hi", "mr"])
def test_every_msgid_of_what_the_patient_is_handed_is_translated_and_not_fuzzy(language, document):
    keys = document_msgids(document)
    missing, bad = unfit_msgids(language, keys)
    assert not missing, f"{document}: not in the {language} catalogue (run makemessages): {missing}"
    assert not bad, f"{document}: untranslated or fuzzy in {language}: {bad}"


@pytest.mark.parametrize("language", ["hi", "mr"])
def test_the_stored_wordings_the_patient_reads_exist_in_each_language(language):
    # Consent texts for every purpose, the aftercare sheet (with the 5-ARI instructions), every
    # reminder message: written in the language itself, not fallen back to English.
    for purpose in Purpose.values:
        title, body = CONSENT_TEXTS[(purpose, language)]
        assert all("\u0900" <= ch <= "\u097f" for ch in title if ch.isalpha()), (purpose, title)
        assert body.count("\n\n") == CONSENT_TEXTS[(purpose, "en")][1].count("\n\n"), purpose  # paragraph for paragraph
    assert language in DEFAULT_SHEETS and language in five_ari_languages()
    assert len(DEFAULT_SHEETS[language].sections) == len(DEFAULT_SHEETS["en"].sections)
    for kind in ReminderKind:
        subject, body = DEFAULT_TEMPLATES[(kind, language)]
        english = DEFAULT_TEMPLATES[(kind, "en")][1]
        assert set(re.findall(r"{(\w+)}", body)) == set(re.findall(r"{(\w+)}", english)), kind


@pytest.mark.parametrize("language", ["hi", "mr"])
def test_every_translation_keeps_the_placeholders_of_its_english(language):
    catalogue = polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES/django.po"))
    for entry in catalogue.translated_entries():
        expected = set(PLACEHOLDER.findall(entry.msgid)) | set(PLACEHOLDER.findall(entry.msgid_plural or ""))
        translations = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        for text in translations:
            # A plural's singular may leave the count out ("one entry"); nothing may be invented.
            found = set(PLACEHOLDER.findall(text))
            assert found <= expected, (entry.msgid, text)
            if not entry.msgid_plural:
                assert found == expected, (entry.msgid, text)


def test_the_compiled_catalogues_say_what_the_po_files_say(tmp_path):
    # The same compiler as `make install`, into a copy: every translated, non-fuzzy entry of the
    # .po is in the .mo Django reads, and no fuzzy one.
    for language in ("hi", "mr"):
        folder = tmp_path / language / "LC_MESSAGES"
        folder.mkdir(parents=True)
        po_path = folder / "django.po"
        po_path.write_bytes((LOCALE_DIR / language / "LC_MESSAGES/django.po").read_bytes())
    written = compile_catalogues(tmp_path, force=True)
    assert len(written) == 2
    for language in ("hi", "mr"):
        po = polib.pofile(str(tmp_path / language / "LC_MESSAGES/django.po"))
        mo = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(tmp_path / language / "LC_MESSAGES/django.mo"))}
        for entry in po.translated_entries():
            if not entry.msgid_plural:
                assert mo[(entry.msgctxt, entry.msgid)] == entry.msgstr


def test_a_marathi_request_reads_marathi_and_digits_stay_latin():
    with translation.override("mr"):
        assert translation.gettext("My care") == "माझी काळजी"
        text = translation.gettext("Keep the message under %(limit)d characters.") % {"limit": 1000}
    assert "1000" in text
    with translation.override("hi"):
        assert translation.gettext("My care") == "मेरी देखभाल"
