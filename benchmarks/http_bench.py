"""Page latency under load: the real server (`anagen serve`, gunicorn, 2 workers) on a scaled
database, driven from this separate process over loopback at fixed concurrency with a bounded
number of requests per page. Prints a markdown table: p50/p95/p99 latency and requests per second
per page, and each page's p50 as a multiple of the framework floor (a trivial logged-in view
through the same middleware: /session/ping).

Usage: .venv/bin/python benchmarks/http_bench.py --data-dir var/bench --patients 10000
(seeds the data folder once with `anagen manage seed_scale` if it has no database yet).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
ANAGEN = str(ROOT / ".venv" / "bin" / "anagen")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANAGEN_")}
    env.update({
        "ANAGEN_ENV": "production", "ANAGEN_DATA_DIR": str(data_dir), "ANAGEN_SECRET_KEY": "bench-" + "k" * 60,
        "ANAGEN_ALLOWED_HOSTS": "127.0.0.1", "ANAGEN_LOG_LEVEL": "WARNING",
        # As behind a TLS-terminating proxy: the client sends X-Forwarded-Proto: https.
        "ANAGEN_BEHIND_PROXY": "true", "ANAGEN_CSRF_TRUSTED_ORIGINS": "https://127.0.0.1",
        # The benchmark signs in with a password only: the second factor is a sign-in step, not a
        # page cost (the OTP middleware still runs on every request). See benchmarks/NOTES.md.
        "ANAGEN_TWO_FACTOR_REQUIRED_ROLES": "",
        # The API's per-user rate limit (300/min) would answer most of the benchmark's requests
        # with 429: it is a policy, not a page cost.
        "ANAGEN_API_RATE": "100000/min",
    })
    return env


def ensure_seeded(data_dir: Path, patients: int, clinics: int) -> None:
    env = server_env(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    marker = data_dir / "seeded"
    # Always: a kept data folder may predate the latest migrations (new indexes).
    subprocess.run([ANAGEN, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
    if marker.exists():
        return
    print(f"seeding {patients} patients (once; kept in {data_dir})", file=sys.stderr)
    subprocess.run([ANAGEN, "manage", "seed_scale", "--patients", str(patients), "--clinics", str(clinics)], env=env, check=True)
    marker.write_text(str(patients))


def outlooks_built(data_dir: Path) -> None:
    """As an operator does after an upgrade: build the outlooks the migrations left pending (the
    pages would otherwise build them a batch at a time while being measured)."""
    subprocess.run([ANAGEN, "manage", "refresh_outlooks"], env=server_env(data_dir), check=True, stdout=subprocess.DEVNULL)


@dataclass
class Result:
    name: str
    latencies_ms: list[float]
    errors: int
    seconds: float

    def pct(self, p: float) -> float:
        data = sorted(self.latencies_ms)
        if not data:
            return float("nan")
        index = min(len(data) - 1, max(0, round(p / 100 * len(data) + 0.5) - 1))
        return data[index]

    @property
    def rps(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0


def login(base: str, username: str, password: str) -> httpx.Client:
    """Sign in as a browser behind the clinic's TLS proxy would: the server sets Secure cookies,
    which this plain-HTTP loopback client then sends back explicitly."""
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.9"}
    client = httpx.Client(base_url=base, timeout=60, follow_redirects=False, headers=headers)
    page = client.get("/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the login page"
    cookies = {c.name: c.value for c in client.cookies.jar}
    cookies.update(dict(page.cookies))
    reply = client.post("/login/", data={"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)},
                        headers={"Referer": "https://127.0.0.1/login/", "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())})
    if reply.status_code != 302:
        raise SystemExit(f"login as {username} failed: {reply.status_code}")
    cookies.update(dict(reply.cookies))
    client.headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    client.cookies.clear()
    return client


HTMX = {"HX-Request": "true", "HX-Target": "patient-results", "HX-Trigger": "id_q", "HX-Current-URL": "https://127.0.0.1/patients/"}


def drive(name: str, clients: list[httpx.Client], make_path: Callable[[int], Any], requests: int) -> Result:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(requests))

    def worker(client: httpx.Client) -> None:
        nonlocal errors
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            target = make_path(n)
            started = time.perf_counter()
            try:
                if isinstance(target, tuple):  # (path, form): the search as typed, an HTMX POST with the CSRF token
                    path, form = target
                    token = re.search(r"csrftoken=([^;]+)", client.headers.get("Cookie", ""))
                    reply = client.post(path, data={**form, "csrfmiddlewaretoken": token.group(1) if token else ""},
                                        headers={"Referer": "https://127.0.0.1/patients/", **HTMX})
                else:
                    reply = client.get(target)
            except httpx.HTTPError:
                with lock:
                    errors += 1
                continue
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if reply.status_code == 200:
                    latencies.append(elapsed)
                else:
                    errors += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Result(name, latencies, errors, time.perf_counter() - started)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children so far (Linux /proc), in seconds."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for child in [pid, *children(pid)]:
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default=str(ROOT / "var" / "bench"))
    parser.add_argument("--patients", type=int, default=10000)
    parser.add_argument("--clinics", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--requests", type=int, default=400, help="requests per page")
    args = parser.parse_args()
    data_dir = Path(args.data_dir).resolve()
    ensure_seeded(data_dir, args.patients, args.clinics)
    outlooks_built(data_dir)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([ANAGEN, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"], env=server_env(data_dir),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        for _ in range(120):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                if server.poll() is not None:
                    raise SystemExit(f"anagen serve exited with status {server.returncode}") from None
                time.sleep(0.5)
        else:
            raise SystemExit("anagen serve did not answer /healthz within 60 s")
        clients = [login(base, "doctor-1", "bench-password-doctor") for _ in range(args.concurrency)]
        probe = clients[0]
        listing = probe.get("/patients/?page=3").text
        patient_ids = [int(x) for x in re.findall(r'href="/patients/(\d+)/"', listing)] or [1]
        later_ids = [int(x) for x in re.findall(r'href="/patients/(\d+)/"', probe.get("/patients/?page=7").text)]
        # The busiest diary: a nurse's week (the trichologist signed in books few sessions of their own).
        week_form = probe.get("/calendar/week/").text
        nurse = re.search(r'<option value="(\d+)"[^>]*>Nurse', week_form)
        week_path = f"/calendar/week/?practitioner={nurse.group(1)}" if nurse else "/calendar/week/"
        names = re.findall(r'<a href="/patients/\d+/">([^<]+)</a>', listing)
        family = [n.split()[-1] for n in names] or ["Patil"]
        pages: list[tuple[str, Callable[[int], Any]]] = [
            ("framework floor (/session/ping)", lambda n: "/session/ping"),
            ("home (dashboard, likely non-responders)", lambda n: "/"),
            ("patient list (GET, page of 25)", lambda n: f"/patients/?page={1 + n % 20}"),
            ("patient search (as typed: HTMX POST)", lambda n: ("/patients/", {"q": family[n % len(family)]})),
            ("patient timeline", lambda n: f"/patients/{patient_ids[n % len(patient_ids)]}/"),
            ("calendar week (a nurse's diary)", lambda n: week_path),
            ("progress chart", lambda n: f"/outcomes/patients/{patient_ids[n % len(patient_ids)]}/"),
            ("clinic outcomes (last 365 days)", lambda n: "/outcomes/clinic/"),
            ("API patients list", lambda n: f"/api/v1/patients?page={1 + n % 20}"),
            ("API appointments list", lambda n: f"/api/v1/appointments?page={1 + n % 20}"),
            ("API sessions list", lambda n: f"/api/v1/sessions?page={1 + n % 20}"),
            ("API courses list", lambda n: f"/api/v1/courses?page={1 + n % 20}"),
        ]
        counts = subprocess.run(
            [ANAGEN, "manage", "shell", "-c",
             "from anagen.patients.models import Patient; from anagen.procedures.models import TreatmentSession; "
             "from anagen.audit.models import AuditEntry; from anagen.scheduling.models import Appointment; "
             "print(Patient.objects.count(), TreatmentSession.objects.count(), Appointment.objects.count(), AuditEntry.objects.count())"],
            env=server_env(data_dir), capture_output=True, text=True, check=True,
        ).stdout.strip().splitlines()[-1].split()  # the shell may first announce its auto-imports
        print(f"Data: {counts[0]} patients, {counts[1]} recorded sessions, {counts[2]} appointments, {counts[3]} audit entries; "
              f"{args.concurrency} concurrent clients, {args.requests} requests per page, gunicorn with 2 workers, production settings.\n")
        # The first view of a patient's progress after a new measurement computes the forecast:
        # measured alone, one request at a time, on patients no page has shown yet.
        first_views = []
        for pid in later_ids[:10]:
            started = time.perf_counter()
            probe.get(f"/outcomes/patients/{pid}/")
            first_views.append((time.perf_counter() - started) * 1000)
        results = []
        server_cpu: dict[str, float] = {}
        client_cpu: dict[str, float] = {}
        for name, path in pages:
            # Warm-up: every distinct URL a few times, so that both gunicorn workers have their
            # per-process caches (a forecast is cached per worker with the default local-memory
            # cache; its first computation is measured on its own below), then measure.
            drive(name, clients[:2], path, (4 if name == "progress chart" else 2) * max(20, len(patient_ids)))
            server_before, client_before = cpu_seconds(server.pid), time.process_time()
            results.append(drive(name, clients, path, args.requests))
            server_cpu[name] = cpu_seconds(server.pid) - server_before
            client_cpu[name] = time.process_time() - client_before
        floor = results[0].pct(50)
        print("| page | p50 ms | p95 ms | p99 ms | req/s | p50 ÷ floor | server CPU ms/req | errors |")
        print("|---|---|---|---|---|---|---|---|")
        for r in results:
            per_request = 1000 * server_cpu[r.name] / max(1, len(r.latencies_ms))
            print(f"| {r.name} | {r.pct(50):.1f} | {r.pct(95):.1f} | {r.pct(99):.1f} | {r.rps:.0f} | {r.pct(50) / floor:.1f}× | {per_request:.1f} | {r.errors} |")
        login_times = []
        for _ in range(20):
            started = time.perf_counter()
            login(base, "doctor-1", "bench-password-doctor").close()
            login_times.append((time.perf_counter() - started) * 1000)
        print(f"| login (GET form + POST, Argon2), sequential | {statistics.median(login_times):.1f} | | | | | | 0 |")
        print(f"| progress chart, first view after a new measurement (forecast computed), sequential | "
              f"{statistics.median(first_views):.1f} | {max(first_views):.1f} | | | | | 0 |")
        # A receptionist typing a name is one request at a time: the search alone on the server,
        # beside its figure above among 8 clients' requests.
        alone = drive("search, one client", clients[:1], pages[3][1], 200)
        print(f"| patient search (as typed: HTMX POST), one client | {alone.pct(50):.1f} | {alone.pct(95):.1f} | {alone.pct(99):.1f} | "
              f"{alone.rps:.0f} | {alone.pct(50) / floor:.1f}× | | {alone.errors} |")
        # Do the audited reads serialise page loads? Every timeline request appends to the one
        # hash chain; if the appends made requests wait on each other, two clients would get no
        # more pages a second than one. (2 workers on 2 cores, with this process on them too.)
        timeline = pages[4][1]
        scaling = {n: drive("timeline scaling", clients[:n], timeline, 60 * n).rps for n in (1, 2)}
        print(f"\nPatient timeline (each request appends a read to the audit chain): {scaling[1]:.1f} pages/s with 1 client, "
              f"{scaling[2]:.1f} with 2 ({scaling[2] / scaling[1]:.2f}×), {results[4].rps:.1f} with {args.concurrency}.")
        total_client = sum(client_cpu.values())
        total_wall = sum(r.seconds for r in results)
        print(f"\nThe load generator (this process, {args.concurrency} threads) used {100 * total_client / total_wall:.0f}% of one core "
              "while measuring: it shares the machine's 2 cores with the server, as every figure above does.")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
