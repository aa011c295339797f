"""The hash of an audit entry: HMAC-SHA256, under a key kept outside the database, over a canonical
JSON of its content, the id of that key and the previous entry's hash.

Entries written before the trail was keyed (``key_id`` empty) keep their plain SHA-256 over the
same JSON without a key id; ``anagen audit verify`` accepts them only before the first keyed entry
and counts them separately, since anyone with the database could recompute them (the checkpoints
are what protect them).
"""

from __future__ import annotations

import hashlib
import hmac
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
    key_id: str = "",
    key: bytes | None = None,
) -> str:
    content: dict[str, Any] = {
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
    if key_id:
        content["key_id"] = key_id
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    if not key_id:
        return hashlib.sha256(canonical).hexdigest()
    if key is None:
        raise ValueError("a keyed entry needs its key")
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()
