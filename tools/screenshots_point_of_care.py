"""Screenshots of issue 20's screens (Today per role, the patient header, the signed consultation,
the four screens of the tablet session) at 1440×900 and 1024×768 into docs/screenshots/.

Usage: start a demo (`ANAGEN_DATA_DIR=/tmp/shots .venv/bin/anagen demo --port 8771`), then
`.venv/bin/python tools/screenshots_point_of_care.py /sessions/record/<a mesotherapy appointment of today>/`.
"""
import shutil
import sys

from playwright.sync_api import sync_playwright

BASE="http://127.0.0.1:8771"
from pathlib import Path

OUT = str(Path(__file__).resolve().parent.parent / "docs" / "screenshots")
shots=[("reception","/","20-today-reception"),("nurse","/","21-today-nurse"),("doctor","/","22-today-trichologist"),
       ("doctor","/patients/17/","23-patient-header"),("doctor","/consultations/1/","24-consultation-signed")]
with sync_playwright() as p:
    b=p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",args=["--no-sandbox","--disable-gpu"])
    for w,h in ((1440,900),(1024,768)):
        for user,path,name in shots:
            pg=b.new_page(viewport={"width":w,"height":h},base_url=BASE)
            pg.goto("/login/"); pg.get_by_label("Username").fill(user); pg.get_by_label("Password").fill("demo")
            pg.get_by_role("button",name="Sign in").click(); pg.wait_for_load_state("networkidle")
            pg.goto(path); pg.wait_for_load_state("networkidle")
            pg.screenshot(path=f"{OUT}/{name}-{w}x{h}.png"); pg.close()
        pg=b.new_page(viewport={"width":w,"height":h},base_url=BASE)
        pg.goto("/login/"); pg.get_by_label("Username").fill("nurse"); pg.get_by_label("Password").fill("demo")
        pg.get_by_role("button",name="Sign in").click(); pg.wait_for_load_state("networkidle")
        pg.goto(sys.argv[1]); pg.wait_for_load_state("networkidle")
        for i,step in enumerate(["checkin","product","map","after"]):
            pg.locator(".step-tabs button").nth(i).click()
            if step=="map":
                for z in ["vertex"]*6+["mid_scalp"]*4+["frontal"]*5: pg.locator(f'[data-zone-add="{z}"]').click()
            pg.screenshot(path=f"{OUT}/{25+i}-session-{step}-{w}x{h}.png")
        pg.close()
    b.close()
