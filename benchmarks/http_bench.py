"""Pages under load: the real server (`anagen serve`, gunicorn, 2 workers, production settings) on a
scaled database, driven by wrk (a compiled load generator) over loopback.

For each page wrk keeps 8 connections busy for a fixed time, each request signed in (8 sessions,
taken in turn; the search is an HTMX POST with the session's CSRF token; benchmarks/wrk_page.lua),
after a warm-up run of the same requests. The table gives wrk's latency distribution (p50, p95,
p99), requests per second, and each page against the framework floor measured in the same run
(/session/ping: a signed-in no-op through the same middleware): its throughput as a share of the
floor's, and its p99 as a multiple of the floor's p99. It also gives the server's CPU per request
and the audit entries each request appended (checked against the count a single request appends:
the audited reads happen under load too).

What wrk cannot do stays in Python (httpx, one request at a time): signing in, and the first view of
a patient's progress after a new measurement (a new patient each time). The Python harness that
drove every page before also measures the floor once, to show the load generator's own cost.

Usage: .venv/bin/python benchmarks/http_bench.py --data-dir var/bench-3000 --patients 3000
(seeds the data folder once with `anagen manage seed_scale` if it has no database yet; needs wrk:
`make bench` installs Debian's package if it is missing).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from bench_pages import FLOOR, Page, discover

ROOT = Path(__file__).resolve().parent.parent
ANAGEN = str(ROOT / ".venv" / "bin" / "anagen")
LUA = str(ROOT / "benchmarks" / "wrk_page.lua")
PASSWORD = "bench-password-doctor"


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


def database_figures(data_dir: Path) -> dict[str, int]:
    """Row counts of the seeded data and the audit chain's length, read by a short `anagen manage
    shell` (the harness itself does not load Django)."""
    script = (
        "from anagen.patients.models import Patient; from anagen.procedures.models import TreatmentSession; "
        "from anagen.audit.models import AuditChainHead; from anagen.scheduling.models import Appointment; "
        "head = AuditChainHead.objects.filter(pk=1).first(); "
        "print('FIGURES', Patient.objects.count(), TreatmentSession.objects.count(), Appointment.objects.count(), head.seq if head else 0)"
    )
    out = subprocess.run([ANAGEN, "manage", "shell", "-c", script], env=server_env(data_dir), capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("FIGURES"))  # the shell may first announce its auto-imports
    patients, sessions, appointments, audit = (int(x) for x in line.split()[1:])
    return {"patients": patients, "sessions": sessions, "appointments": appointments, "audit": audit}


class AuditCounter:
    """The audit chain's length (its head's sequence number), read straight from the database
    between runs: one indexed row, so reading it costs the server nothing."""

    def __init__(self, data_dir: Path):
        url = os.environ.get("DATABASE_URL", "")
        self.postgres = url.startswith("postgres")
        self.url = url
        self.path = data_dir / "anagen.sqlite3"

    def __call__(self) -> int:
        sql = "SELECT seq FROM audit_auditchainhead WHERE id = 1"
        if self.postgres:
            import psycopg  # the PostgreSQL driver the product depends on

            with psycopg.connect(self.url.replace("postgres://", "postgresql://", 1)) as conn:
                row = conn.execute(sql).fetchone()
        else:
            import sqlite3

            with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True) as conn:
                row = conn.execute(sql).fetchone()
        return int(row[0]) if row else 0


@dataclass
class Session:
    cookie: str
    csrf_token: str


def login(base: str, username: str, password: str) -> Session:
    """Sign in as a browser behind the clinic's TLS proxy would: the server sets Secure cookies,
    which this plain-HTTP loopback client then sends back explicitly."""
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.9"}
    with httpx.Client(base_url=base, timeout=60, follow_redirects=False, headers=headers) as client:
        page = client.get("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, "no CSRF token on the login page"
        cookies = dict(page.cookies)
        reply = client.post("/login/", data={"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)},
                            headers={"Referer": "https://127.0.0.1/login/", "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())})
        if reply.status_code != 302:
            raise SystemExit(f"login as {username} failed: {reply.status_code}")
        cookies.update(dict(reply.cookies))
    return Session("; ".join(f"{k}={v}" for k, v in cookies.items()), cookies["csrftoken"])


def client_for(base: str, session: Session) -> httpx.Client:
    return httpx.Client(base_url=base, timeout=60, follow_redirects=False,
                        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.9", "Cookie": session.cookie})


HTMX = {"HX-Request": "true", "HX-Target": "patient-results", "HX-Trigger": "id_q", "HX-Current-URL": "https://127.0.0.1/patients/"}


def fetch(client: httpx.Client, session: Session, spec: str) -> httpx.Response:
    """One request of a page's list ("GET /path" or "POST /path form"), as wrk_page.lua sends it."""
    method, path, *rest = spec.split(" ", 2)
    if method == "POST":
        body = (rest[0] if rest else "") + "&csrfmiddlewaretoken=" + session.csrf_token
        return client.post(path, content=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": session.csrf_token,
            "Referer": f"https://127.0.0.1{path}", **HTMX})
    return client.get(path)


@dataclass
class Measured:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    not_ok: int
    errors: int
    wrk_cpu_s: float
    server_cpu_s: float
    audit_entries: int
    audit_per_request: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def audit_ok(self, connections: int) -> bool:
        """Every completed request appended its entries; requests still in flight when wrk stopped
        may have appended theirs too (at most one per connection)."""
        expected = self.requests * self.audit_per_request
        return expected <= self.audit_entries <= expected + connections * self.audit_per_request


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


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Wrk:
    def __init__(self, base: str, sessions: list[Session], workdir: Path, server_pid: int, audit: AuditCounter):
        self.base, self.workdir, self.server_pid, self.audit = base, workdir, server_pid, audit
        self.sessions_file = workdir / "sessions.txt"
        self.sessions_file.write_text("".join(f"{s.cookie}\t{s.csrf_token}\n" for s in sessions))

    def _run(self, requests_file: Path, connections: int, seconds: float) -> dict[str, float]:
        argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "30s", "-s", LUA, self.base,
                "--", str(requests_file), str(self.sessions_file)]
        completed = subprocess.run(argv, capture_output=True, text=True, check=True)
        line = next((x for x in completed.stdout.splitlines() if x.startswith("WRK_RESULT ")), None)
        if line is None:
            raise SystemExit(f"wrk printed no result:\n{completed.stdout}\n{completed.stderr}")
        return json.loads(line.removeprefix("WRK_RESULT "))

    def measure(self, page: Page, audit_per_request: int, connections: int, seconds: float) -> Measured:
        requests_file = self.workdir / "requests.txt"
        requests_file.write_text("".join(r + "\n" for r in page.requests))
        # Warm-up: the same requests, so that both gunicorn workers have their per-process caches
        # (a forecast is cached per worker with the default local-memory cache; its first
        # computation is measured on its own).
        self._run(requests_file, connections, page.warm_up_s)
        audit_before, server_before, wrk_before = self.audit(), cpu_seconds(self.server_pid), children_cpu_seconds()
        result = self._run(requests_file, connections, seconds)
        wrk_cpu = children_cpu_seconds() - wrk_before
        server_cpu = cpu_seconds(self.server_pid) - server_before
        audit_entries = self.audit() - audit_before
        errors = int(sum(result[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts")))
        return Measured(page.name, int(result["requests"]), result["duration_us"] / 1e6, result["p50_us"] / 1000,
                        result["p95_us"] / 1000, result["p99_us"] / 1000, int(result["not_ok"]), errors, wrk_cpu,
                        server_cpu, audit_entries, audit_per_request)


def python_floor(base: str, sessions: list[Session], requests: int) -> tuple[float, float, float]:
    """The floor as the previous harness measured it (httpx, one thread per client): its p50, p99
    and requests per second, beside wrk's, show what the load generator itself cost."""
    clients = [client_for(base, s) for s in sessions]
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(requests))

    def worker(client: httpx.Client) -> None:
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            started = time.perf_counter()
            reply = client.get("/session/ping")
            elapsed = (time.perf_counter() - started) * 1000
            assert reply.status_code == 200, reply.status_code
            with lock:
                latencies.append(elapsed)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    for c in clients:
        c.close()
    ordered = sorted(latencies)
    return ordered[len(ordered) // 2], ordered[int(0.99 * len(ordered))], len(ordered) / seconds


def probe(base: str, session: Session, page: Page, audit: AuditCounter) -> int:
    """Every request of the page answers 200 with a page (not the sign-in form); returns the audit
    entries one request appends (the first request, after one unmeasured request warmed it)."""
    with client_for(base, session) as client:
        for spec in page.requests:
            reply = fetch(client, session, spec)
            if reply.status_code != 200 or 'name="password"' in reply.text:
                raise SystemExit(f"{page.name}: {spec} answered {reply.status_code}")
        before = audit()
        fetch(client, session, page.requests[0])
        return audit() - before


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default=str(ROOT / "var" / "bench"))
    parser.add_argument("--patients", type=int, default=10000)
    parser.add_argument("--clinics", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per page (after a warm-up)")
    parser.add_argument("--only", default="", help="measure only these pages (comma-separated keys: home,list,search,patient,week,progress,outcomes,api-patients,...) and the floor")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `make bench` installs Debian's package (apt-get install wrk)")
    data_dir = Path(args.data_dir).resolve()
    ensure_seeded(data_dir, args.patients, args.clinics)
    outlooks_built(data_dir)
    audit = AuditCounter(data_dir)

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
        sessions = [login(base, "doctor-1", PASSWORD) for _ in range(args.connections)]
        with client_for(base, sessions[0]) as client:
            pages, later_ids = discover(lambda path: client.get(path).text)
        floor = FLOOR
        if args.only:
            pages = [p for p in pages if p.key in args.only.split(",")]
        figures = database_figures(data_dir)
        print(f"Data: {figures['patients']} patients, {figures['sessions']} recorded sessions, {figures['appointments']} appointments, "
              f"{figures['audit']} audit entries. wrk 1 thread, {args.connections} connections ({args.connections} signed-in sessions "
              f"taken in turn), {args.seconds:g} s per page after a warm-up; gunicorn with 2 workers, production settings.\n")

        # The first view of a patient's progress after a new measurement computes the forecast:
        # measured alone, one request at a time, on patients no page has shown yet.
        first_views = []
        with client_for(base, sessions[0]) as client:
            for pid in later_ids[:10]:
                started = time.perf_counter()
                client.get(f"/outcomes/patients/{pid}/")
                first_views.append((time.perf_counter() - started) * 1000)

        with tempfile.TemporaryDirectory(prefix="anagen-wrk-") as tmp:
            wrk = Wrk(base, sessions, Path(tmp), server.pid, audit)
            per_request = {p.name: probe(base, sessions[0], p, audit) for p in [floor, *pages]}

            def run(page: Page, connections: int = args.connections) -> Measured:
                return wrk.measure(page, per_request[page.name], connections, args.seconds)

            floor_first = run(floor)
            results = [run(p) for p in pages]
            floor_last = run(floor)
            # A receptionist typing a name sends one request at a time.
            search = next((p for p in pages if p.name.startswith("patient search")), None)
            search_alone = run(search, 1) if search else None
            # Do the audited reads serialise page loads? Every patient page request appends to the
            # one hash chain; if the appends made requests wait on each other, two connections
            # would get no more pages a second than one.
            timeline = next((p for p in pages if p.name == "patient page"), None)
            scaling = {n: run(timeline, n) for n in (1, 2)} if timeline else {}
        python_p50, python_p99, python_rps = python_floor(base, sessions, 800)

        floor_rps = (floor_first.rps + floor_last.rps) / 2
        floor_p99 = (floor_first.p99_ms + floor_last.p99_ms) / 2
        print("| page | p50 ms | p95 ms | p99 ms | req/s | share of floor's req/s | p99 ÷ floor's p99 | server CPU ms/req | audit entries/req | non-200 |")
        print("|---|---|---|---|---|---|---|---|---|---|")

        def row(r: Measured, name: str | None = None) -> str:
            share, multiple = r.rps / floor_rps, r.p99_ms / floor_p99
            mark = "" if r.name.startswith("framework floor") else (" ✓" if share >= 0.25 and multiple < 4 else " ✗")
            cpu = 1000 * r.server_cpu_s / max(1, r.requests)
            audit_cell = f"{r.audit_entries / max(1, r.requests):.1f}" + ("" if r.audit_ok(args.connections) else " (expected " + str(r.audit_per_request) + ")")
            return (f"| {name or r.name} | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.p99_ms:.1f} | {r.rps:.0f} | {share:.2f}{mark} | "
                    f"{multiple:.1f}× | {cpu:.1f} | {audit_cell} | {r.not_ok + r.errors} |")

        print(row(floor_first, "framework floor (/session/ping), first"))
        for r in results:
            print(row(r))
        print(row(floor_last, "framework floor (/session/ping), again last"))
        if search_alone:
            print(row(search_alone, "patient search (as typed: HTMX POST), one connection"))
        login_times = []
        for _ in range(10):
            started = time.perf_counter()
            login(base, "doctor-1", PASSWORD)
            login_times.append((time.perf_counter() - started) * 1000)
        print(f"| login (GET form + POST, Argon2), one at a time (Python) | {statistics.median(login_times):.1f} | | | | | | | | 0 |")
        if first_views:
            print(f"| progress chart, first view after a new measurement (forecast computed), one at a time (Python) | "
                  f"{statistics.median(first_views):.1f} | {max(first_views):.1f} | | | | | | | 0 |")
        print(f"\nShares and multiples are against the floor's mean of its two runs ({floor_rps:.0f} req/s, p99 {floor_p99:.1f} ms); "
              "✓ marks a page at ≥ 0.25 of the floor's throughput with its p99 under 4× the floor's (the targets of issue 24). "
              "Audit entries/req: the entries the run appended per completed request, which must match what one request appends "
              "(the harness checks it: a mismatch would print the expected count).")
        all_runs = [floor_first, *results, floor_last]
        if scaling:
            print(f"\nPatient page (each request appends a read to the audit chain): {scaling[1].rps:.1f} pages/s with 1 connection, "
                  f"{scaling[2].rps:.1f} with 2 ({scaling[2].rps / scaling[1].rps:.2f}×), "
                  f"{next(r.rps for r in results if r.name == 'patient page'):.1f} with {args.connections}.")
        total_seconds = sum(r.seconds for r in all_runs)
        print(f"\nThe load generator: wrk used {100 * sum(r.wrk_cpu_s for r in all_runs) / total_seconds:.1f}% of one core over the "
              f"measured runs ({100 * floor_first.wrk_cpu_s / floor_first.seconds:.1f}% during the floor's first run, its busiest), "
              f"while the server used {100 * floor_first.server_cpu_s / floor_first.seconds:.0f}% of one core (of 200%) on the floor. "
              f"The Python harness (httpx, 8 threads) measures the same floor at {python_p50:.1f} ms p50, {python_p99:.1f} ms p99, "
              f"{python_rps:.0f} req/s: wrk {floor_first.p50_ms:.1f} ms p50, {floor_first.rps:.0f} req/s.")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
