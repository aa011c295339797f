"""The progress report is printed in the patient's language without anyone choosing it; staff may
print another for a relative. Read back with poppler's pdftotext, an extractor independent of the
writer, so shaped Devanagari (conjuncts, matras) must come out as the words themselves."""

from __future__ import annotations

import subprocess

from django.urls import reverse


def pdftotext(data: bytes, tmp_path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True).stdout


def holds(text: str, words: str) -> bool:
    """``words`` in ``text``, letter for letter in order, spaces aside: pdftotext puts a space where
    a glyph is drawn left of its place in the text (the vowel sign ि before its consonant: "बि ल"
    for "बिल"), so spaces are not compared; every letter and its order are."""
    return "".join(words.split()) in "".join(text.split())


def _report_text(client, patient, tmp_path, **post) -> str:
    response = client.post(reverse("outcomes:generate_report", args=[patient.pk]), post)
    assert response.status_code == 302
    return pdftotext(b"".join(client.get(response["Location"]).streaming_content), tmp_path)


def test_a_marathi_reading_patients_report_is_in_marathi_without_anyone_choosing(client, trichologist, clinic, make_patient,
                                                                                 make_programme, tmp_path):
    patient = make_patient(clinic, given_name="सुनीता", family_name="पाटील", preferred_language="mr")
    make_programme(patient, gains=(2.0, 6.0))
    client.force_login(trichologist)  # the trichologist's own pages stay English
    text = _report_text(client, patient, tmp_path)
    for words in ("प्रगती अहवाल", "आतापर्यंतचा कोर्स", "मोजमापे", "आतापर्यंतचा तुमचा प्रतिसाद", "पुढील पावले",
                  "उपचारानंतरची काळजी", "टाळूच्या मेसोथेरपी सत्रानंतर", "एक दिवस केस धुऊ नका", "सुनीता पाटील"):
        assert holds(text, words), words
    for english in ("Progress report", "Course so far", "Next steps", "Aftercare"):
        assert english not in text
    assert "140.0" in text  # digits stay Latin


def test_staff_print_the_report_in_hindi_for_a_relative(client, trichologist, clinic, make_patient, make_programme, tmp_path):
    patient = make_patient(clinic, preferred_language="mr")
    make_programme(patient, gains=(2.0, 6.0))
    client.force_login(trichologist)
    text = _report_text(client, patient, tmp_path, language="hi")
    assert holds(text, "प्रगति रिपोर्ट") and holds(text, "स्कैल्प मेसोथेरेपी सत्र के बाद")
    assert not holds(text, "प्रगती अहवाल")


def test_the_progress_page_offers_the_report_in_the_patients_language_first(client, trichologist, clinic, make_patient):
    patient = make_patient(clinic, preferred_language="mr")
    client.force_login(trichologist)
    page = client.get(reverse("outcomes:progress", args=[patient.pk])).content.decode()
    assert '<option value="mr" lang="mr" selected>' in page
