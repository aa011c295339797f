"""Two real application servers against one database serve one clinic consistently (issue 11,
item 4: the scale path in docs/deployment.md).

Two ``anagen serve`` processes (gunicorn, production settings, the same ANAGEN_SECRET_KEY) run on
two free loopback ports, each with its OWN data folder: they share nothing but the database. With
a PostgreSQL DATABASE_URL the test creates a fresh database for them (dropped afterwards); in the
default SQLite run both open one SQLite file in a shared folder (one machine only).

The servers believe they sit behind a TLS-terminating proxy (ANAGEN_BEHIND_PROXY=true, every
request carries ``X-Forwarded-Proto: https``), so their cookies are Secure; this plain-HTTP
loopback client sends them back explicitly, as benchmarks/http_bench.py ``login()`` does.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from django.core.management import CommandError, call_command

REQUEST_TIMEOUT = 30
START_TIMEOUT = 120
PASSWORD = "shared-scalp-" + secrets.token_hex(6)
SECRET_KEY = secrets.token_urlsafe(60)  # the SAME on every instance: sessions and signed cookies
_console_script = Path(sys.executable).with_name("anagen")
ANAGEN = [str(_console_script)] if _console_script.exists() else [sys.executable, "-m", "anagen.cli"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _suite_postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def _pg_url(name: str) -> str:
    url = _suite_postgres_url()
    assert url is not None
    return re.sub(r"/[^/?]*(\?.*)?$", f"/{name}", url)


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(_pg_url("postgres"), autocommit=True, connect_timeout=10) as admin:
        admin.execute(sql)


def _server_env(data_dir: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANAGEN_", "DJANGO_", "DATABASE_URL"))}
    env.update({
        "ANAGEN_ENV": "production", "ANAGEN_SECRET_KEY": SECRET_KEY, "ANAGEN_ALLOWED_HOSTS": "127.0.0.1",
        "ANAGEN_BEHIND_PROXY": "true", "ANAGEN_DATA_DIR": str(data_dir), "DATABASE_URL": database_url,
        "ANAGEN_LOG_LEVEL": "WARNING",
        # The audit key folder is shared by every server, like the secret key (docs/deployment.md).
        "ANAGEN_AUDIT_KEY_DIR": str(data_dir.parent / "shared-secrets" / "audit-keys"),
    })
    return env


def _anagen(env: dict[str, str], *args: str, timeout: int = 300, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(ANAGEN + list(args), env={**env, **(extra or {})}, capture_output=True, text=True, timeout=timeout)


class Instance:
    """One ``anagen serve`` process group on a free loopback port with its own data folder."""

    def __init__(self, name: str, data_dir: Path, database_url: str):
        self.name = name
        self.data_dir = data_dir
        data_dir.mkdir(parents=True)
        self.env = _server_env(data_dir, database_url)
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(ANAGEN + ["serve", "--bind", f"127.0.0.1:{self.port}", "--workers", "2"],
                                            env=self.env, stdout=log, stderr=log, start_new_session=True)

    def healthy(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"instance {self.name} exited at start: {self.log.read_text()[-2000:]}")
        try:
            return httpx.get(f"{self.base}/healthz", headers={"X-Forwarded-Proto": "https"}, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


class Browser:
    """A signed-in session's cookies, sent explicitly to whichever instance is asked."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        self.http = httpx.Client(timeout=REQUEST_TIMEOUT, follow_redirects=False)

    def _headers(self, at: Instance) -> dict[str, str]:
        headers = {"X-Forwarded-Proto": "https", "Origin": at.base.replace("http://", "https://")}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def _keep(self, response: httpx.Response) -> httpx.Response:
        for header in response.headers.get_list("set-cookie"):
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value
        return response

    def get(self, at: Instance, path: str) -> httpx.Response:
        return self._keep(self.http.get(at.base + path, headers=self._headers(at)))

    def post(self, at: Instance, path: str, data: dict[str, str]) -> httpx.Response:
        form = {**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
        return self._keep(self.http.post(at.base + path, data=form, headers=self._headers(at)))

    def sign_in(self, at: Instance, username: str) -> None:
        assert self.get(at, "/login/").status_code == 200
        response = self.post(at, "/login/", {"username": username, "password": PASSWORD})
        assert response.status_code == 302 and "sessionid" in self.cookies, f"sign-in on {at.name} failed: {response.status_code}"


@pytest.fixture
def shared_database(tmp_path: Path) -> Iterator[str]:
    """A fresh PostgreSQL database when the suite runs on PostgreSQL, else one SQLite file in a shared folder."""
    if _suite_postgres_url() is None:
        shared = tmp_path / "shared"
        shared.mkdir()
        yield f"sqlite:///{shared / 'anagen.sqlite3'}"
        return
    name = f"anagen_deploy_two_{uuid.uuid4().hex[:10]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield _pg_url(name)
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def two_instances(tmp_path: Path, shared_database: str) -> Iterator[tuple[Instance, Instance, dict[str, Any]]]:
    a = Instance("A", tmp_path / "data-a", shared_database)
    b = Instance("B", tmp_path / "data-b", shared_database)
    migrated = _anagen(a.env, "migrate", timeout=600)
    assert migrated.returncode == 0, migrated.stderr
    provisioned = _anagen(a.env, "manage", "provision_clinic", "--name", "Lotus Hair Clinic, Mumbai", "--city", "Mumbai",
                          "--mrn-prefix", "LOT", "--staff", "frontdesk:reception:Rohan:Desai", "--staff", "nurse.rao:practitioner:Sunita:Rao",
                          "--room", "Room 1", extra={"ANAGEN_PROVISION_PASSWORD": PASSWORD}, timeout=120)
    assert provisioned.returncode == 0, provisioned.stderr
    ids = json.loads(provisioned.stdout.strip().splitlines()[-1])
    try:
        a.start()
        b.start()
        deadline = time.monotonic() + START_TIMEOUT
        waiting = [a, b]
        while waiting and time.monotonic() < deadline:
            waiting = [i for i in waiting if not i.healthy()]
            if waiting:
                time.sleep(0.3)
        assert not waiting, f"instance(s) {[i.name for i in waiting]} did not answer /healthz within {START_TIMEOUT} s"
        yield a, b, ids
    finally:
        a.stop()
        b.stop()


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, f"no {name} field on the page"
    return match.group(1)


PATIENT_FORM = {
    "given_name": "Kavya", "family_name": "Deshpande", "date_of_birth": "1991-08-14", "sex": "female", "phone": "+919820055501",
    "email": "", "address": "", "emergency_contact_name": "", "emergency_contact_phone": "", "abha_number": "", "abha_address": "",
}


def test_two_servers_on_one_database_serve_the_same_clinic_consistently(two_instances):
    a, b, ids = two_instances
    desk = Browser()
    try:
        desk.sign_in(a, "frontdesk")

        # Register on A: the patient exists for B, in the same signed-in session (sessions live in the database).
        assert desk.get(a, "/patients/new/").status_code == 200
        created = desk.post(a, "/patients/new/", PATIENT_FORM)
        assert created.status_code == 302, created.text[-1500:]
        patient_id = int(re.fullmatch(r"/patients/(\d+)/", created.headers["location"]).group(1))  # type: ignore[union-attr]
        on_b = desk.get(b, f"/patients/{patient_id}/")
        assert on_b.status_code == 200
        assert "Kavya Deshpande" in on_b.text and "LOT-" in on_b.text

        # Edit on B, read on A.
        form_on_b = desk.get(b, f"/patients/{patient_id}/edit/")
        assert form_on_b.status_code == 200
        edited = desk.post(b, f"/patients/{patient_id}/edit/",
                           {**PATIENT_FORM, "address": "14 Carter Road, Bandra West", "version": _hidden(form_on_b.text, "version")})
        assert edited.status_code == 302, edited.text[-1500:]
        on_a = desk.get(a, f"/patients/{patient_id}/data/")  # the address lives on the Data tab (issue 20)
        assert on_a.status_code == 200 and "14 Carter Road, Bandra West" in on_a.text

        # Book a slot on A; the same slot on B is refused with the clash, not double-booked.
        tomorrow = dt.datetime.now(ZoneInfo("Asia/Kolkata")).date() + dt.timedelta(days=1)
        booking = {"patient_query": "", "patient": str(patient_id), "practitioner": str(ids["staff"]["nurse.rao"]),
                   "room": str(ids["rooms"]["Room 1"]), "kind": "consultation", "date": tomorrow.isoformat(), "start_time": "10:00",
                   "duration_minutes": "45", "notes": ""}
        assert desk.get(a, "/calendar/book/").status_code == 200
        booked = desk.post(a, "/calendar/book/", booking)
        assert booked.status_code == 302, booked.text[-1500:]
        clash = desk.post(b, "/calendar/book/", booking)
        assert clash.status_code == 400
        # The same patient at the same time: the refusal names the patient's booking and its practitioner.
        assert "Kavya Deshpande is already booked at 10:00 (consultation with Sunita Rao)" in clash.text
        day_on_b = desk.get(b, f"/calendar/?date={tomorrow.isoformat()}")
        assert day_on_b.status_code == 200 and day_on_b.text.count("Kavya Deshpande") >= 1
    finally:
        desk.http.close()

    # Each instance kept its own data folder: only the database (and object storage, when configured) is shared.
    for instance in (a, b):
        assert (instance.data_dir / "static").is_dir()
        assert not (instance.data_dir / "anagen.sqlite3").exists()

    verified = _anagen(a.env, "audit", "verify", timeout=120)
    assert verified.returncode == 0, verified.stderr
    assert re.match(r"audit trail intact: [1-9]\d* entries verified", verified.stdout)


# --- provision_clinic, the setup command the two-server test (and a scripted deployment) uses ----


@pytest.mark.django_db
def test_provision_clinic_creates_the_clinic_its_staff_and_rooms(capsys, monkeypatch):
    from anagen.accounts.models import Clinic, User
    from anagen.scheduling.models import Room

    monkeypatch.setenv("ANAGEN_PROVISION_PASSWORD", PASSWORD)
    call_command("provision_clinic", "--name", "Lotus Hair Clinic, Pune", "--mrn-prefix", "pun", "--staff", "admin.mehta:clinic_admin:Anita:Mehta",
                 "--room", "Room 1")
    printed = json.loads(capsys.readouterr().out.strip())
    clinic = Clinic.objects.get(pk=printed["clinic"])
    assert clinic.mrn_prefix == "PUN"
    admin = User.objects.get(pk=printed["staff"]["admin.mehta"])
    assert (admin.clinic_id, admin.role, admin.get_full_name()) == (clinic.pk, "clinic_admin", "Anita Mehta")
    assert admin.check_password(PASSWORD)
    assert Room.objects.get(pk=printed["rooms"]["Room 1"]).clinic_id == clinic.pk


@pytest.mark.django_db
def test_provision_clinic_refuses_a_weak_or_missing_password_and_an_unknown_role(monkeypatch):
    from anagen.accounts.models import Clinic

    monkeypatch.delenv("ANAGEN_PROVISION_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="initial password is needed"):
        call_command("provision_clinic", "--name", "A Clinic", "--staff", "desk:reception")
    monkeypatch.setenv("ANAGEN_PROVISION_PASSWORD", "short")
    with pytest.raises(CommandError, match="the initial password: .*too short"):
        call_command("provision_clinic", "--name", "A Clinic", "--staff", "desk:reception")
    with pytest.raises(CommandError, match="the role must be one of"):
        call_command("provision_clinic", "--name", "A Clinic", "--staff", "desk:receptionist")
    assert not Clinic.objects.filter(name="A Clinic").exists()


@pytest.mark.django_db
def test_provision_clinic_writes_nothing_when_a_later_step_fails(monkeypatch):
    from anagen.accounts.models import Clinic, User

    monkeypatch.setenv("ANAGEN_PROVISION_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match="already has a room of that name"):
        call_command("provision_clinic", "--name", "Half Clinic", "--staff", "half.admin:clinic_admin", "--room", "Room 1", "--room", "room 1")
    assert not Clinic.objects.filter(name="Half Clinic").exists()
    assert not User.objects.filter(username="half.admin").exists()
