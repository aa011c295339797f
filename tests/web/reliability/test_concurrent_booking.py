"""Twenty receptionists book one practitioner's slot at the same moment, against the real server."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import httpx

THREADS = 20


def test_twenty_concurrent_bookings_of_one_slot_give_one_success_and_nineteen_clear_refusals(server):
    ids = server.setup("booking", THREADS)
    server.start(workers=4)
    desk = server.client().sign_in("frontdesk")
    tomorrow = dt.datetime.now(ZoneInfo("Asia/Kolkata")).date() + dt.timedelta(days=1)
    barrier = threading.Barrier(THREADS, timeout=30)
    outcomes: list[httpx.Response | Exception | None] = [None] * THREADS

    def book(index: int) -> None:
        client = desk.twin()
        form = {
            "patient_query": "", "patient": str(ids["patients"][index]), "practitioner": str(ids["practitioner"]),
            "room": str(ids["rooms"][index]), "kind": "consultation", "date": tomorrow.isoformat(), "start_time": "10:00",
            "duration_minutes": "45", "notes": "",
        }
        try:
            barrier.wait()
            outcomes[index] = client.post("/calendar/book/", form)
        except Exception as exc:  # noqa: BLE001 - every outcome is inspected below
            outcomes[index] = exc
        finally:
            client.close()

    threads = [threading.Thread(target=book, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    desk.close()

    assert all(isinstance(o, httpx.Response) for o in outcomes), outcomes
    statuses = sorted(o.status_code for o in outcomes)  # type: ignore[union-attr]
    assert statuses == [302] + [400] * (THREADS - 1)
    for refusal in (o for o in outcomes if o.status_code == 400):  # type: ignore[union-attr]
        assert f"{ids['practitioner_name']} is already booked" in refusal.text
    assert server.query(f"SELECT COUNT(*) FROM scheduling_appointment WHERE practitioner_id = {ids['practitioner']}") == [(1,)]
    assert server.query("SELECT COUNT(*) FROM scheduling_practitionerslot")[0][0] == 3  # 45 minutes: three held quarter hours
    verified = server.anagen("audit", "verify")
    assert verified.returncode == 0, verified.stderr
