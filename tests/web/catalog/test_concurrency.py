"""Two sessions drawing the last of a lot at the same moment: real threads, real transactions.

On SQLite the suite's test database lives in memory with a shared cache, whose table locks fail at
once ("database table is locked") instead of waiting as the file database of a real deployment
does (WAL, BEGIN IMMEDIATE, a 20 s busy timeout). So these tests copy the test database to a file
and point every connection at it for the duration; on PostgreSQL they run as they are.
"""

from __future__ import annotations

import sqlite3
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

from anagen.audit.services import Actor
from anagen.catalog import services
from anagen.catalog.models import Lot, StockMovement

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 2


@pytest.fixture
def file_database(transactional_db, tmp_path):
    if connection.vendor != "sqlite":
        yield
        return
    memory = connections["default"]
    memory.ensure_connection()
    settings_dict = memory.settings_dict  # shared with every connection a thread opens
    path = tmp_path / "race.sqlite3"
    target = sqlite3.connect(path)
    memory.connection.backup(target)
    target.close()
    test_name = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)
    connections["default"] = connections.create_connection("default")
    try:
        yield
    finally:
        connections["default"].close()
        settings_dict["NAME"] = test_name
        connections["default"] = memory


def _race(lot_id: int, clinic_id: int, quantity: Decimal, today, *, patient_id=None, outer_atomic=False):
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            actor = Actor.system("session", clinic_id)
            lot = Lot.objects.get(pk=lot_id)
            barrier.wait(timeout=10)
            try:
                if outer_atomic:
                    with transaction.atomic():
                        services.draw_stock(actor, lot, quantity, on=today, patient_id=patient_id, session_ref=1)
                else:
                    services.draw_stock(actor, lot, quantity, on=today, patient_id=patient_id, session_ref=1)
            except services.InsufficientStock:
                result = "refused"
            except Exception as exc:  # anything else is a bug the test must show
                result = f"error: {exc!r}"
            else:
                result = "drawn"
            with lock:
                outcomes.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


@pytest.mark.parametrize("outer_atomic", [False, True], ids=["alone", "inside-an-outer-transaction"])
def test_two_threads_drawing_the_last_millilitres_leave_exactly_one_success(file_database, product, make_lot, today, outer_atomic):
    lot = make_lot(product, quantity_ml="1.50")
    outcomes = _race(lot.pk, product.clinic_id, Decimal("1.00"), today, outer_atomic=outer_atomic)
    assert outcomes == ["drawn", "refused"]
    lot.refresh_from_db()
    assert lot.remaining_ml == Decimal("0.50")
    assert services.movements_total(lot) == lot.remaining_ml
    assert StockMovement.objects.filter(lot=lot, kind="used").count() == 1


def test_racing_draws_for_patients_are_audited_once_and_never_deadlock(file_database, product, make_lot, today):
    lot = make_lot(product, quantity_ml="2.00")
    outcomes = _race(lot.pk, product.clinic_id, Decimal("2.00"), today, patient_id=77)
    assert outcomes == ["drawn", "refused"]
    lot.refresh_from_db()
    assert lot.remaining_ml == Decimal("0.00")
    assert services.movements_total(lot) == Decimal("0.00")
    from anagen.audit.models import AuditEntry

    assert AuditEntry.objects.filter(object_type="stock_movement", patient_id=77).count() == 1
