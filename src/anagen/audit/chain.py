"""The hash of an audit entry: SHA-256 over a canonical JSON of its content and the previous hash."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64


def entry_hash(
    *,
    seq: int,
    at: datetime,
    clinic_id: int | None,
    user_id: int | None,
    username: str,
    action: str,
    object_type: str,
    object_id: str,
    patient_id: int | None,
    changes: dict[str, Any],
    ip_address: str | None,
    prev_hash: str,
) -> str:
    content = {
        "seq": seq,
        # UTC with microseconds: both SQLite and PostgreSQL store the instant to the microsecond.
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "clinic_id": clinic_id,
        "user_id": user_id,
        "username": username,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "patient_id": patient_id,
        "changes": changes,
        "ip_address": ip_address,
        "prev_hash": prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
