"""A real Anagen server for the reliability tests: ``anagen serve`` (gunicorn) as a subprocess on
a free loopback port, with its own data folder and database (SQLite in that folder; a fresh
PostgreSQL database, dropped afterwards, when the suite runs with a PostgreSQL DATABASE_URL).

The server runs with production settings (ANAGEN_ENV=production) behind a pretend TLS proxy:
ANAGEN_BEHIND_PROXY=true, and every request carries ``X-Forwarded-Proto: https`` and a matching
``Origin``, as a TLS-terminating proxy would pass on. Its cookies are marked Secure, so the client
sends them back explicitly instead of leaving that to a cookie jar that would withhold them over
plain HTTP. Accounts are ordinary (non-demo) staff with two-factor off for their roles.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import httpx
import pytest

HERE = Path(__file__).resolve().parent
ANAGEN = [sys.executable, "-m", "anagen.cli"]
PASSWORD = "reliable-scalp-" + secrets.token_hex(4)
REQUEST_TIMEOUT = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def suite_postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


class Client:
    """One signed-in browser session, over plain HTTP to the server behind the pretend proxy."""

    def __init__(self, base: str, cookies: dict[str, str] | None = None):
        self.base = base
        self.cookies = dict(cookies or {})
        self.http = httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT, follow_redirects=False)

    def _headers(self) -> dict[str, str]:
        headers = {"X-Forwarded-Proto": "https", "Origin": self.base.replace("http://", "https://")}
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

    def get(self, path: str) -> httpx.Response:
        return self._keep(self.http.get(path, headers=self._headers()))

    def post(self, path: str, data: dict[str, str]) -> httpx.Response:
        return self._keep(self.http.post(path, data={**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}, headers=self._headers()))

    def sign_in(self, username: str) -> Client:
        page = self.get("/login/")
        assert page.status_code == 200, page.status_code
        response = self.post("/login/", {"username": username, "password": PASSWORD})
        assert response.status_code == 302 and "sessionid" in self.cookies, f"sign-in failed: {response.status_code}"
        return self

    def twin(self) -> Client:
        """Another connection in the same signed-in session (for another thread)."""
        return Client(self.base, self.cookies)

    def close(self) -> None:
        self.http.close()


class Server:
    def __init__(self, data_dir: Path, database_url: str):
        self.data_dir = data_dir
        self.database_url = database_url
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("ANAGEN_", "DJANGO_", "DATABASE_URL"))}
        self.env.update({
            "ANAGEN_ENV": "production", "ANAGEN_SECRET_KEY": secrets.token_urlsafe(60), "ANAGEN_ALLOWED_HOSTS": "127.0.0.1",
            "ANAGEN_BEHIND_PROXY": "true", "ANAGEN_DATA_DIR": str(data_dir), "DATABASE_URL": database_url, "ANAGEN_LOG_LEVEL": "WARNING",
        })

    def anagen(self, *args: str, extra_env: dict[str, str] | None = None, timeout: int = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(ANAGEN + list(args), env={**self.env, **(extra_env or {})}, capture_output=True, text=True, timeout=timeout)

    def migrate(self) -> None:
        migrated = self.anagen("migrate", timeout=600)
        assert migrated.returncode == 0, migrated.stderr

    def setup(self, mode: str, n: int) -> dict[str, Any]:
        script = HERE / "setup_clinic.py"
        result = self.anagen("manage", "shell", "-c", f"exec(open({str(script)!r}).read())",
                             extra_env={"RELIABILITY_SETUP": mode, "RELIABILITY_N": str(n), "RELIABILITY_PASSWORD": PASSWORD}, timeout=300)
        assert result.returncode == 0, result.stderr
        line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))
        return json.loads(line.removeprefix("RESULT "))

    def start(self, workers: int = 4) -> None:
        log = (self.data_dir / "server.log").open("ab")
        self.process = subprocess.Popen(
            ANAGEN + ["serve", "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers)],
            env=self.env, stdout=log, stderr=log, start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited at start: {(self.data_dir / 'server.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.base}/healthz", headers={"X-Forwarded-Proto": "https"}, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.kill()
        raise AssertionError("the server did not answer /healthz within 90 seconds")

    def kill(self) -> None:
        """SIGKILL the whole process group: the gunicorn master and every worker, mid-request."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def client(self) -> Client:
        return Client(self.base)

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Read the server's database directly (plain SQL, placeholders not needed)."""
        if self.database_url.startswith("sqlite"):
            conn = sqlite3.connect(f"file:{self.data_dir / 'anagen.sqlite3'}?mode=ro", uri=True, timeout=30)
            try:
                return conn.execute(sql).fetchall()
            finally:
                conn.close()
        import psycopg

        with psycopg.connect(self.database_url, connect_timeout=10) as conn:
            return conn.execute(sql).fetchall()


# SQLite always; PostgreSQL too when the suite runs against it (nothing is skipped either way).
VENDORS = ["sqlite", "postgresql"] if suite_postgres_url() else ["sqlite"]


def _pg_url(name: str) -> str:
    url = suite_postgres_url()
    assert url is not None
    return re.sub(r"/[^/?]*(\?.*)?$", f"/{name}", url)


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(_pg_url("postgres"), autocommit=True, connect_timeout=10) as admin:
        admin.execute(sql)


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Migrate once per vendor (minutes on a busy machine); each server starts from a copy."""
    templates: dict[str, Any] = {}
    try:
        yield templates
    finally:
        if "postgresql" in templates:
            _pg_admin(f'DROP DATABASE IF EXISTS "{templates["postgresql"]}" WITH (FORCE)')


def _template(vendor: str, migrated: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    if vendor not in migrated:
        folder = tmp_path_factory.mktemp("template")
        if vendor == "sqlite":
            Server(folder, f"sqlite:///{folder / 'anagen.sqlite3'}").migrate()
            migrated[vendor] = folder / "anagen.sqlite3"
        else:
            name = f"anagen_reliability_tmpl_{uuid.uuid4().hex[:10]}"
            _pg_admin(f'CREATE DATABASE "{name}"')
            migrated[vendor] = name
            Server(folder, _pg_url(name)).migrate()
    return migrated[vendor]


@pytest.fixture(params=VENDORS)
def server(request: pytest.FixtureRequest, tmp_path: Path, migrated: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A migrated server on SQLite, and on a fresh PostgreSQL database (dropped afterwards) when
    the suite runs on PostgreSQL."""
    template = _template(request.param, migrated, tmp_path_factory)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    if request.param == "sqlite":
        import shutil

        shutil.copyfile(template, data_dir / "anagen.sqlite3")
        the_server = Server(data_dir, f"sqlite:///{data_dir / 'anagen.sqlite3'}")
        try:
            yield the_server
        finally:
            the_server.stop()
        return
    name = f"anagen_reliability_srv_{uuid.uuid4().hex[:10]}"
    _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    the_server = Server(data_dir, _pg_url(name))
    try:
        yield the_server
    finally:
        the_server.stop()
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
