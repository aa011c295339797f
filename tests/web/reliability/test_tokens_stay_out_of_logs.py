"""Bearer secrets stay out of the server's logs (issue 19, finding 2), against the real server: the
attack read calendar-feed, portal-invitation and password-reset tokens from gunicorn's access log
and claimed a patient's unfinished invitation with one. Also (finding 7) a demo account's API
token copied into a production data folder is refused there."""

from __future__ import annotations

import json

import httpx

SETUP = r"""
import json
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from anagen.accounts.models import Clinic, User
from anagen.api.tokens import issue_token
from anagen.audit.services import Actor
from anagen.interop.services import create_feed
from anagen.patients.services import register_patient
from anagen.portal.services import invite_patient

clinic = Clinic.objects.create(name="Log Clinic, Pune", mrn_prefix="LOG")
actor = Actor.system("log-test", clinic.pk)
desk = User.objects.create_user("desk", email="desk@example.in", password="reliable-desk-42", clinic=clinic, role="reception")
demo = User.objects.create_user("doctor", password="demo", clinic=clinic, role="trichologist", is_demo_account=True)
patient = register_patient(actor, clinic, {"given_name": "Asha", "family_name": "Kulkarni", "date_of_birth": "1985-03-01",
    "sex": "female", "phone": "+919820012345", "email": "", "address": "", "emergency_contact_name": "",
    "emergency_contact_phone": "", "abha_number": "", "abha_address": ""})
_, feed_token = create_feed(actor, clinic, patient=patient)
_, invitation_token = invite_patient(actor, patient, by=desk)
print("RESULT " + json.dumps({
    "feed": feed_token, "invitation": invitation_token,
    "reset": [urlsafe_base64_encode(force_bytes(desk.pk)), default_token_generator.make_token(desk)],
    "desk_token": issue_token(actor, desk, "script", expires_at=None, by=desk).secret,
    "demo_token": issue_token(actor, demo, "demo script", expires_at=None, by=demo).secret,
}))
"""


def test_feed_invitation_and_reset_tokens_never_reach_the_server_log(server):
    made = server.anagen("manage", "shell", "-c", SETUP)
    assert made.returncode == 0, made.stderr
    secrets = json.loads(next(line for line in made.stdout.splitlines() if line.startswith("RESULT ")).removeprefix("RESULT "))
    server.start(workers=2)
    base = {"X-Forwarded-Proto": "https"}
    with httpx.Client(base_url=server.base, headers=base, timeout=30, follow_redirects=False) as http:
        feed = http.get(f"/interop/feeds/{secrets['feed']}.ics")
        assert feed.status_code == 200 and b"BEGIN:VCALENDAR" in feed.content
        unknown_feed = "nosuchfeed" + secrets["feed"][:8]
        assert http.get(f"/interop/feeds/{unknown_feed}.ics").status_code == 404
        opened = http.get(f"/portal/welcome/{secrets['invitation']}/")
        assert opened.status_code == 302 and secrets["invitation"] not in opened.headers["location"]
        uid, reset = secrets["reset"]
        reset_page = http.get(f"/admin-area/password-reset/{uid}/{reset}/")
        assert reset_page.status_code == 302 and reset not in reset_page.headers["location"]
        bearer = {"Authorization": f"Bearer {secrets['desk_token']}"}
        assert http.get("/api/v1/patients?q=Kulkarni", headers=bearer).status_code == 200
        # A demo account's token in a production server: refused like its web sign-in.
        assert http.get("/api/v1/patients", headers={"Authorization": f"Bearer {secrets['demo_token']}"}).status_code == 401
    server.stop()
    log = (server.data_dir / "server.log").read_text()
    assert '"GET /interop/feeds/[token].ics" 200' in log
    assert '"GET /portal/welcome/[token]/" 302' in log
    assert f'"GET /admin-area/password-reset/{uid}/[token]/" 302' in log
    for secret in (secrets["feed"], unknown_feed, secrets["invitation"], reset, secrets["desk_token"], secrets["demo_token"]):
        assert secret not in log
    assert "Kulkarni" not in log
