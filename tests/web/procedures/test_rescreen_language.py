"""The day's re-screen at the chair says why a session cannot go ahead in the practitioner's own
language: the core's reasons are marked sentences, worded with the finding's rule (issue 21)."""

from __future__ import annotations

import pytest

from .conftest import session_post
from .test_session_record import nothing_saved, record_url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "deferred", "caution"), [
    ("mr", "आजची पुन्हा स्क्रीनिंग: आज ताप किंवा तीव्र आजार: इंजेक्शन देऊ नका; बरे झाल्यावर पुन्हा भेट ठरवा.",
     "आज नवी सावधगिरी: सत्रापूर्वी ट्रायकोलॉजिस्टनी तिचा आढावा घेणे आवश्यक आहे."),
    ("hi", "आज की दोबारा स्क्रीनिंग: आज बुखार या तीव्र बीमारी: इंजेक्शन न दें; ठीक होने पर फिर से बुक करें।",
     "आज नई सावधानी: सत्र से पहले ट्राइकोलॉजिस्ट को इसका पुनरावलोकन करना होगा।"),
])
def test_the_re_screen_at_the_chair_reads_in_the_practitioners_language(client, practitioner, ready, language, deferred, caution):
    practitioner.language = language
    practitioner.save()
    client.force_login(practitioner)
    fever = client.post(record_url(ready), session_post(ready["lot"], fever_today="on"))
    assert fever.status_code == 400
    page = fever.content.decode()
    assert deferred in page and "Re-screen today" not in page
    gauge = {"mr": "सुईचा गेज (G)", "hi": "सुई का गेज (G)"}[language]  # the session form's own labels too
    assert gauge in page and "Needle gauge (G)" not in page
    anticoagulant = client.post(record_url(ready), session_post(ready["lot"], new_medication_codes="anticoagulant"))
    assert anticoagulant.status_code == 400
    page = anticoagulant.content.decode()
    assert caution in page and "New caution today" not in page and "(anticoagulant)" not in page
    assert nothing_saved(ready)
