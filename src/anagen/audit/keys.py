"""The audit trail's keys: kept in files outside the database, beside the secret key.

Each key is one file ``<created UTC>-<id>.key`` in ``settings.ANAGEN_AUDIT_KEY_DIR`` holding 32
random bytes in hex. The newest key signs new entries; older keys stay to verify the entries
they signed (rotation: ``anagen audit rotate-key``). From one key's secret two keys are derived,
so one file is all an operator copies between servers:

- an HMAC-SHA256 key that chains the entries (someone with only the database cannot recompute a
  keyed entry, so an edit or a cut-and-rehash shows);
- an Ed25519 key that signs checkpoints; its public half may be given to anyone who keeps copies
  of the checkpoints, so they can check them without being able to make one.

With no key yet, the first write creates one (0600, in a 0700 folder). Key ids are random, so two
servers that each made their own key are told apart and ``anagen audit verify`` names the key it
lacks instead of calling the entries edited.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings

from anagen.private_files import make_private_dir, open_private

_FILE = re.compile(r"^(?P<created>\d{8}T\d{6}Z)-(?P<id>[0-9a-f]{8})\.key$")
ENTRY_LABEL = b"anagen audit entry v1"
CHECKPOINT_LABEL = b"anagen audit checkpoint v1"
# A long-running process notices a rotation within this many seconds.
RELOAD_SECONDS = 30.0


class AuditKeyError(RuntimeError):
    pass


@dataclass(frozen=True)
class AuditKey:
    key_id: str
    created: str
    seed: bytes

    @property
    def entry_key(self) -> bytes:
        return hmac.new(self.seed, ENTRY_LABEL, hashlib.sha256).digest()

    @property
    def signing_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(hmac.new(self.seed, CHECKPOINT_LABEL, hashlib.sha256).digest())

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.signing_key.public_key()

    @property
    def public_key_hex(self) -> str:
        return self.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def key_dir() -> Path:
    return Path(settings.ANAGEN_AUDIT_KEY_DIR)


def _read(path: Path) -> AuditKey | None:
    match = _FILE.match(path.name)
    if match is None:
        return None
    try:
        seed = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None
    if len(seed) != 32:
        return None
    return AuditKey(match.group("id"), match.group("created"), seed)


_cache: dict[str, tuple[float, dict[str, AuditKey]]] = {}


def all_keys(*, fresh: bool = False) -> dict[str, AuditKey]:
    """Every key in the folder by id, oldest first (dicts keep insertion order)."""
    folder = key_dir()
    cached = _cache.get(str(folder))
    if cached is not None and not fresh and time.monotonic() - cached[0] < RELOAD_SECONDS:
        return cached[1]
    keys: dict[str, AuditKey] = {}
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            key = _read(path)
            if key is not None:
                keys[key.key_id] = key
    _cache[str(folder)] = (time.monotonic(), keys)
    return keys


def get(key_id: str) -> AuditKey | None:
    key = all_keys().get(key_id)
    return key if key is not None else all_keys(fresh=True).get(key_id)


def create_key(now: datetime | None = None) -> AuditKey:
    """A new key, which from now on signs new entries and checkpoints (the old ones still verify)."""
    folder = key_dir()
    make_private_dir(folder)
    created = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    key_id = secrets.token_hex(4)
    seed = secrets.token_bytes(32)
    with open_private(folder / f"{created}-{key_id}.key") as handle:
        handle.write(seed.hex().encode("ascii") + b"\n")
    all_keys(fresh=True)
    return AuditKey(key_id, created, seed)


def current() -> AuditKey:
    """The newest key; made on first use when the folder has none."""
    keys = all_keys()
    if not keys:
        keys = all_keys(fresh=True)
    if not keys:
        return create_key()
    return list(keys.values())[-1]
