"""The upload attack against the real server (issue 19, finding 6): twenty 49-megapixel PNGs, small
in bytes, in one request made gunicorn kill the worker (a 500 to the client); two such requests
took the server down. Now each is refused from the files' headers, the workers live on and the
server keeps answering. (How fast is measured in ``make bench``, never here.)"""

from __future__ import annotations

import json
import struct
import threading
import zlib

import httpx

SETUP = r"""
import json
from anagen.accounts.models import Clinic, User
from anagen.api.tokens import issue_token
from anagen.audit.services import Actor
from anagen.consents.services import publish_text, sign_consent
from anagen.patients.services import register_patient

clinic = Clinic.objects.create(name="Upload Clinic, Nashik", mrn_prefix="UPL")
actor = Actor.system("upload-test", clinic.pk)
doctor = User.objects.create_user("dr.upload", password="reliable-doctor-42", clinic=clinic, role="trichologist")
patient = register_patient(actor, clinic, {"given_name": "Meera", "family_name": "Joshi", "date_of_birth": "1990-01-01",
    "sex": "female", "phone": "+919820054321", "email": "", "address": "", "emergency_contact_name": "",
    "emergency_contact_phone": "", "abha_number": "", "abha_address": ""})
text = publish_text(actor, clinic, "photographs", "en", "Consent: photographs", "I consent.")
sign_consent(actor, patient, text, method="typed", typed_name="Meera Joshi", acknowledged=True, witness=doctor)
print("RESULT " + json.dumps({"patient": patient.pk, "token": issue_token(actor, doctor, "x", expires_at=None, by=doctor).secret}))
"""


def _png_claiming(width: int, height: int) -> bytes:
    """A valid one-colour PNG: a few kilobytes on the wire, ``width × height`` pixels decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def test_two_requests_of_twenty_49_megapixel_pngs_are_refused_and_the_server_stays_up(server):
    made = server.anagen("manage", "shell", "-c", SETUP)
    assert made.returncode == 0, made.stderr
    ids = json.loads(next(line for line in made.stdout.splitlines() if line.startswith("RESULT ")).removeprefix("RESULT "))
    server.start(workers=2)
    bomb = _png_claiming(7000, 7000)
    headers = {"X-Forwarded-Proto": "https", "Authorization": f"Bearer {ids['token']}"}
    url = f"{server.base}/api/v1/patients/{ids['patient']}/photos"
    results: list[httpx.Response | Exception | None] = [None, None, None]

    def attack(index: int, count: int) -> None:
        files = [("files", (f"scalp-{i}.png", bomb, "image/png")) for i in range(count)]
        try:
            results[index] = httpx.post(url, headers=headers, data={"visit_date": "2026-01-05", "view": "vertex"}, files=files, timeout=120)
        except Exception as exc:  # noqa: BLE001 - inspected below
            results[index] = exc

    threads = [threading.Thread(target=attack, args=(0, 20)), threading.Thread(target=attack, args=(1, 20)),
               threading.Thread(target=attack, args=(2, 3))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)

    assert all(isinstance(r, httpx.Response) for r in results), results
    assert [r.status_code for r in results] == [422, 422, 422]  # type: ignore[union-attr]
    assert "at most 12 photographs" in results[0].json()["errors"][0]["message"]  # type: ignore[union-attr]
    assert "megapixels one upload may carry" in results[2].json()["errors"][0]["message"]  # type: ignore[union-attr]
    assert httpx.get(f"{server.base}/healthz", headers={"X-Forwarded-Proto": "https"}, timeout=10).status_code == 200
    server.stop()
    log = (server.data_dir / "server.log").read_text()
    assert "WORKER TIMEOUT" not in log and "Worker was sent SIGKILL" not in log
    assert server.query("SELECT COUNT(*) FROM photos_photo") == [(0,)]
