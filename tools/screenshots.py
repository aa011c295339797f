"""Take screenshots of the main pages of a fresh demo clinic into docs/screenshots/.

Usage: .venv/bin/python tools/screenshots.py  (starts `anagen demo` on a spare port in a temporary
data folder, signs in with Playwright driving Debian's Chromium, and stops the server after).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PORT = int(os.environ.get("SCREENSHOT_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
CHROMIUM = os.environ.get("ANAGEN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def wait_for_server() -> None:
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{BASE}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the demo server did not start")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    data = tempfile.mkdtemp(prefix="anagen-shots-")
    env = {**os.environ, "ANAGEN_DATA_DIR": data}
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "anagen"), "demo", "--port", str(PORT)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for_server()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900}, base_url=BASE)

            def shot(name: str) -> None:
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
                print("wrote", OUT / f"{name}.png")

            page.goto("/login/")
            shot("01-login")
            page.get_by_label("Username").fill("doctor")
            page.get_by_label("Password").fill("demo")
            page.get_by_role("button", name="Sign in").click()
            shot("02-home")
            page.goto("/patients/")
            shot("03-patients")
            page.goto("/calendar/week/")
            shot("04-calendar-week")
            # A patient in maintenance: the timeline with consultations, course and sessions.
            page.goto("/patients/")
            rows = page.locator("table tbody tr a")
            href = None
            for i in range(rows.count()):
                candidate = rows.nth(i).get_attribute("href")
                page.goto(candidate)
                if page.locator(".sessions-history").count():
                    href = candidate
                    break
                page.go_back()
            if href:
                shot("05-patient-timeline")
                consultation = page.locator("a[href^='/consultations/']").first
                if consultation.count():
                    consultation.click()
                    shot("06-consultation")
                    page.go_back()
                session = page.locator("a[href^='/sessions/']").first
                if session.count():
                    session.click()
                    shot("07-session-record")
                    page.get_by_role("link", name="Aftercare sheet").click()
                    shot("08-aftercare")
                    page.go_back()
                    page.go_back()
                course = page.locator("a[href^='/treatments/courses/']").first
                if course.count():
                    course.click()
                    shot("09-course")
            page.goto("/education/options/")
            shot("10-treatment-options")
            for path, name in [("/outcomes/", "11-clinic-outcomes"), ("/safety/followups/", "12-follow-ups"), ("/stock/", "13-stock")]:
                page.goto(path)
                if not re.search(r"Not found|Not allowed", page.title()):
                    shot(name)
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
