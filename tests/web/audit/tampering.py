"""What the audit tests do to the trail: fill it, and change it behind the application's back as
someone with direct database access could."""

from __future__ import annotations

from django.db import connection

from anagen.audit.services import Actor, append


def chain_of(n: int) -> None:
    actor = Actor(user_id=7, username="tester", clinic_id=1, ip_address="10.1.2.3")
    for index in range(n):
        append(actor, "read", object_type="patient", object_id=index, patient_id=index)


def tamper(sql: str, params: list[object] | None = None) -> None:
    """Bypass the application and the trigger, as someone with direct database access could."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
        else:
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_no_update")
        cursor.execute(sql, params or [])
