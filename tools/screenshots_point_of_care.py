"""Screenshots of issue 20's screens (Today per role, the patient header, the signed consultation,
the four screens of the tablet session) at 1440×900 and 1024×768 into docs/screenshots/.

Usage: start a demo (`ANAGEN_DATA_DIR=/tmp/shots .venv/bin/anagen demo --port 8771`), then
`.venv/bin/python tools/screenshots_point_of_care.py /sessions/record/<a mesotherapy appointment of today>/ /sessions/<a signed course session>/aftercare/`.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = "http://127.0.0.1:8771"
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
SHOTS = [("reception", "/", "20-today-reception"), ("nurse", "/", "21-today-nurse"), ("doctor", "/", "22-today-trichologist"),
         ("doctor", "/patients/17/", "23-patient-header"), ("doctor", "/consultations/1/", "24-consultation-signed")]
# The end of the tablet flow: a signed course session's aftercare sheet (print, PDF, send, next session).
AFTERCARE_SHOT = "29-aftercare-next-session"
MAP_TAPS = ["vertex"] * 6 + ["mid_scalp"] * 4 + ["frontal"] * 5


def signed_in(browser, user: str, width: int, height: int):
    page = browser.new_page(viewport={"width": width, "height": height}, base_url=BASE)
    page.goto("/login/")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")
    return page


def main(session_path: str, aftercare_path: str = "") -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        for width, height in ((1440, 900), (1024, 768)):
            for user, path, name in SHOTS:
                page = signed_in(browser, user, width, height)
                page.goto(path)
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(OUT / f"{name}-{width}x{height}.png"))
                page.close()
            page = signed_in(browser, "nurse", width, height)
            page.goto(session_path)
            page.wait_for_load_state("networkidle")
            for index, step in enumerate(["checkin", "product", "map", "after"]):
                page.locator(".step-tabs button").nth(index).click()
                if step == "map":
                    for zone in MAP_TAPS:
                        page.locator(f'[data-zone-add="{zone}"]').click()
                page.screenshot(path=str(OUT / f"{25 + index}-session-{step}-{width}x{height}.png"))
            page.close()
            if aftercare_path:
                page = signed_in(browser, "nurse", width, height)
                page.goto(aftercare_path)
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(OUT / f"{AFTERCARE_SHOT}-{width}x{height}.png"), full_page=True)
                page.close()
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:3])
