"""SIGKILL the real server at random moments during a burst of session sign-offs, restart it, and
find every session whole: its lot usage, stock movement, follow-up and completed appointment, or
nothing at all; stock that adds up; and an intact audit chain."""

from __future__ import annotations

import json
import queue
import random
import threading
from decimal import Decimal

import httpx

PATIENTS = 14
ROUNDS = 3
THREADS = 4
SEED = 20261125


def _session_form(lot_id: int) -> dict[str, str]:
    # The form of src/anagen/procedures/forms.py, as tests/web/procedures/conftest.py fills it.
    zones = ["frontal", "mid_scalp", "vertex"]
    injection_map = [{"zone": zones[i % 3], "x": "0.5", "y": str(round(0.2 + 0.05 * (i % 10), 2)), "volume_ml": "0.10"} for i in range(20)]
    return {
        "identity_confirmed": "on", "scalp_cleansed": "on", "technique": "needle", "needle_gauge": "32", "needle_length_mm": "4",
        "depth_mm": "2", "injection_style": "point_by_point", "injection_map": json.dumps(injection_map), "pain_score": "3",
        "aftercare_language": "en", "lots-TOTAL_FORMS": "3", "lots-INITIAL_FORMS": "0",
        "lots-0-lot": str(lot_id), "lots-0-volume_ml": "2.00",
        # The answer to "Sign this session?" (issue 20): without it the form asks and signs nothing.
        "confirm": "yes",
    }


def _burst(server, appointments: list[int], lot_id: int, kill: tuple[int, float] | None) -> list[tuple[int, int]]:
    """Sign off ``appointments`` from several threads. ``kill=(k, delay)``: SIGKILL the server
    ``delay`` seconds after the k-th answer, while the other threads' sign-offs are in flight."""
    nurse = server.client().sign_in("nurse.rao")
    work: queue.Queue[int] = queue.Queue()
    for appointment_id in appointments:
        work.put(appointment_id)
    answered: list[tuple[int, int]] = []
    killed = threading.Event()
    trigger = threading.Event()

    def sign_off() -> None:
        client = nurse.twin()
        try:
            while not killed.is_set():
                try:
                    appointment_id = work.get_nowait()
                except queue.Empty:
                    return
                try:
                    response = client.post(f"/sessions/record/{appointment_id}/", _session_form(lot_id))
                except httpx.TransportError:
                    return  # the server died under this request
                answered.append((appointment_id, response.status_code))
                if kill is not None and len(answered) >= kill[0]:
                    trigger.set()
                if response.status_code == 400:
                    assert "recorded already" in response.text, response.text[:2000]
        finally:
            client.close()

    threads = [threading.Thread(target=sign_off) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    if kill is not None:
        trigger.wait(timeout=120)
        killed.wait(kill[1])
        killed.set()
        server.kill()
    for thread in threads:
        thread.join(timeout=120)
    nurse.close()
    return answered


def _money(value: object) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_a_server_killed_during_session_sign_offs_leaves_no_partial_session_and_a_valid_audit_chain(server):
    ids = server.setup("sessions", PATIENTS)
    appointments, lot_id = ids["appointments"], ids["lot"]
    rng = random.Random(SEED)
    for _round in range(ROUNDS):
        server.start(workers=3)
        done = {row[0] for row in server.query("SELECT appointment_id FROM procedures_treatmentsession")}
        pending = [a for a in appointments if a not in done]
        if not pending:
            break
        kill_at = rng.randint(1, max(1, len(pending) - THREADS - 1))
        _burst(server, pending, lot_id, kill=(kill_at, rng.uniform(0.0, 0.15)))

    server.start(workers=3)
    final = dict(_burst(server, appointments, lot_id, kill=None))
    assert set(final) == set(appointments)
    assert set(final.values()) <= {302, 400}  # signed now, or refused as signed before the kill
    server.stop()

    sessions = server.query("SELECT id, appointment_id FROM procedures_treatmentsession")
    assert sorted(a for _s, a in sessions) == sorted(appointments)
    for session_id, appointment_id in sessions:
        usages = server.query(f"SELECT movement_id, lot_id, volume_ml FROM procedures_lotusage WHERE session_id = {session_id}")
        assert len(usages) == 1, f"session {session_id} has {len(usages)} lot usages"
        movement = server.query(f"SELECT kind, session_ref, lot_id, quantity_ml FROM catalog_stockmovement WHERE id = {usages[0][0]}")
        assert [(kind, ref, lot, _money(q)) for kind, ref, lot, q in movement] == [("used", session_id, lot_id, Decimal("-2.00"))]
        assert server.query(f"SELECT COUNT(*) FROM safety_followuptask WHERE session_id = {session_id}") == [(1,)]
        assert server.query(f"SELECT status FROM scheduling_appointment WHERE id = {appointment_id}") == [("completed",)]
    # No orphan: every "used" movement with a session reference belongs to a session that exists.
    orphans = server.query(
        "SELECT m.id FROM catalog_stockmovement m LEFT JOIN procedures_treatmentsession s ON s.id = m.session_ref "
        "WHERE m.kind = 'used' AND m.session_ref IS NOT NULL AND s.id IS NULL"
    )
    assert orphans == []
    assert server.query("SELECT COUNT(*) FROM catalog_stockmovement WHERE kind = 'used'") == [(PATIENTS,)]
    # Each lot's remaining stock is the sum of its movements.
    for lot, remaining in server.query("SELECT id, remaining_ml FROM catalog_lot"):
        total = server.query(f"SELECT SUM(quantity_ml) FROM catalog_stockmovement WHERE lot_id = {lot}")[0][0]
        assert _money(remaining) == _money(total)
    assert _money(server.query(f"SELECT remaining_ml FROM catalog_lot WHERE id = {lot_id}")[0][0]) == _money(2 * PATIENTS + 10 - 2 * PATIENTS)
    # No appointment completed without its session.
    assert server.query(
        "SELECT a.id FROM scheduling_appointment a LEFT JOIN procedures_treatmentsession s ON s.appointment_id = a.id "
        "WHERE a.status = 'completed' AND s.id IS NULL"
    ) == []
    verified = server.anagen("audit", "verify")
    assert verified.returncode == 0, verified.stderr
    assert "audit trail intact" in verified.stdout
