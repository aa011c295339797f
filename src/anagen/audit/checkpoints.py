"""Signed checkpoints of the audit trail: its length and head hash, kept outside the database.

A checkpoint is one line of JSON, ``{"v": 1, "seq": N, "head": "<entry N's hash>", "at": "<UTC>",
"key_id": "<key>", "signature": "<Ed25519 over the other fields>"}``, in the spirit of a
Certificate Transparency signed tree head (RFC 6962 §3.5). Lines are appended to
``settings.ANAGEN_AUDIT_CHECKPOINT_FILE`` in the data folder (opened O_APPEND, never rewritten),
written into every backup archive, and optionally sent by ``anagen worker`` to an email address
and a webhook (``CheckpointDelivery``). ``anagen audit verify`` checks the trail against them: a
trail cut back, or rewritten up to a checkpoint, no longer matches one.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from anagen.audit import keys
from anagen.audit.models import AuditChainHead, CheckpointDelivery
from anagen.private_files import FILE_MODE, make_private_dir

VERSION = 1
MAX_DELIVERY_ATTEMPTS = 10
WEBHOOK_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    head: str
    at: str
    key_id: str
    signature: str = ""

    def signed_content(self) -> bytes:
        body = {"v": VERSION, "seq": self.seq, "head": self.head, "at": self.at, "key_id": self.key_id}
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("ascii")

    def to_line(self) -> str:
        body = {"v": VERSION, "seq": self.seq, "head": self.head, "at": self.at, "key_id": self.key_id, "signature": self.signature}
        return json.dumps(body, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_line(cls, line: str) -> Checkpoint:
        """Raises ValueError for anything that is not a checkpoint line of this format."""
        data = json.loads(line)
        if not isinstance(data, dict) or data.get("v") != VERSION:
            raise ValueError("not a version 1 checkpoint")
        seq, head, at, key_id, signature = (data.get(k) for k in ("seq", "head", "at", "key_id", "signature"))
        if not (isinstance(seq, int) and seq >= 0 and all(isinstance(v, str) for v in (head, at, key_id, signature))):
            raise ValueError("a checkpoint field is missing or of the wrong type")
        return cls(seq, head, at, key_id, signature)

    @property
    def moment(self) -> datetime:
        return datetime.fromisoformat(self.at)


def checkpoint_file() -> Path:
    return Path(settings.ANAGEN_AUDIT_CHECKPOINT_FILE)


def sign(seq: int, head: str, now: datetime) -> Checkpoint:
    key = keys.current()
    unsigned = Checkpoint(seq, head, now.astimezone(UTC).isoformat(timespec="seconds"), key.key_id)
    signature = key.signing_key.sign(unsigned.signed_content()).hex()
    return Checkpoint(unsigned.seq, unsigned.head, unsigned.at, unsigned.key_id, signature)


def signature_ok(checkpoint: Checkpoint) -> bool | None:
    """True or False; None when this server does not have the key that signed it."""
    key = keys.get(checkpoint.key_id)
    if key is None:
        return None
    try:
        key.public_key.verify(bytes.fromhex(checkpoint.signature), checkpoint.signed_content())
    except (InvalidSignature, ValueError):
        return False
    return True


def append_line(path: Path, line: str) -> None:
    """Append one line, never rewriting what is there (O_APPEND), private, flushed to disk."""
    make_private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    try:
        os.write(fd, (line + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class FileLine:
    number: int
    checkpoint: Checkpoint | None
    problem: str = ""


def read_file(path: Path) -> list[FileLine]:
    if not path.is_file():
        return []
    lines = []
    with path.open("r", encoding="ascii", errors="replace") as handle:
        for number, text in enumerate(handle, start=1):
            text = text.strip()
            if not text:
                continue
            try:
                lines.append(FileLine(number, Checkpoint.from_line(text)))
            except ValueError as exc:
                lines.append(FileLine(number, None, str(exc) or "not JSON"))
    return lines


def _last(path: Path) -> Checkpoint | None:
    found = [line.checkpoint for line in read_file(path) if line.checkpoint is not None]
    return found[-1] if found else None


def _head() -> tuple[int, str]:
    head = AuditChainHead.objects.filter(pk=1).values_list("seq", "last_hash").first()
    return head if head is not None else (0, "0" * 64)


def write_checkpoint(now: datetime | None = None, *, path: Path | None = None, deliver: bool = True) -> Checkpoint:
    """Sign the trail's current length and head, append it to the checkpoint file and queue it for
    the configured outside addresses."""
    now = now or timezone.now()
    seq, head = _head()
    checkpoint = sign(seq, head, now)
    append_line(path or checkpoint_file(), checkpoint.to_line())
    if deliver:
        _queue(checkpoint, now)
    return checkpoint


def due(now: datetime, path: Path | None = None) -> bool:
    """A checkpoint is due when the trail grew since the last one and the interval has passed
    (or after ``ANAGEN_AUDIT_CHECKPOINT_ENTRIES`` new entries, whichever comes first)."""
    seq, head = _head()
    last = _last(path or checkpoint_file())
    if last is None:
        return seq > 0
    if last.seq == seq and last.head == head:
        return False
    if seq - last.seq >= settings.ANAGEN_AUDIT_CHECKPOINT_ENTRIES:
        return True
    return now - last.moment >= timedelta(minutes=settings.ANAGEN_AUDIT_CHECKPOINT_MINUTES)


def write_if_due(now: datetime | None = None) -> Checkpoint | None:
    now = now or timezone.now()
    return write_checkpoint(now) if due(now) else None


# --- sending copies out --------------------------------------------------------------------


def destinations() -> list[tuple[str, str]]:
    found = []
    if settings.ANAGEN_AUDIT_CHECKPOINT_EMAIL:
        found.append((CheckpointDelivery.Channel.EMAIL.value, settings.ANAGEN_AUDIT_CHECKPOINT_EMAIL))
    if settings.ANAGEN_AUDIT_CHECKPOINT_WEBHOOK_URL:
        found.append((CheckpointDelivery.Channel.WEBHOOK.value, settings.ANAGEN_AUDIT_CHECKPOINT_WEBHOOK_URL))
    return found


def _queue(checkpoint: Checkpoint, now: datetime) -> None:
    rows = [CheckpointDelivery(channel=channel, address=address, checkpoint=checkpoint.to_line(), next_attempt_at=now, created_at=now)
            for channel, address in destinations()]
    if rows:
        CheckpointDelivery.objects.bulk_create(rows)


def _send(delivery: CheckpointDelivery) -> None:
    if delivery.channel == CheckpointDelivery.Channel.EMAIL:
        checkpoint = Checkpoint.from_line(delivery.checkpoint)
        body = ("A signed checkpoint of the Anagen audit trail. Keep this message: `anagen audit verify "
                "--checkpoints FILE` checks the trail against a file of such lines.\n\n" + delivery.checkpoint + "\n")
        send_mail(f"Anagen audit checkpoint: {checkpoint.seq} entries at {checkpoint.at}", body, None, [delivery.address])
        return
    request = urllib.request.Request(
        delivery.address, data=delivery.checkpoint.encode("ascii"), method="POST",
        headers={"Content-Type": "application/json", **(
            {"Authorization": f"Bearer {settings.ANAGEN_AUDIT_CHECKPOINT_WEBHOOK_TOKEN}"}
            if settings.ANAGEN_AUDIT_CHECKPOINT_WEBHOOK_TOKEN else {})},
    )
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310 - operator's URL
        if not 200 <= response.status < 300:
            raise OSError(f"the webhook answered {response.status}")


def deliver_due(now: datetime | None = None, limit: int = 50) -> tuple[int, int]:
    """Send what is due; returns (sent, failed attempts). A failure is retried with a doubling wait,
    up to ``MAX_DELIVERY_ATTEMPTS`` times."""
    now = now or timezone.now()
    sent = failed = 0
    due_ids = list(CheckpointDelivery.objects.filter(status=CheckpointDelivery.State.PENDING, next_attempt_at__lte=now)
                   .order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit])
    for delivery_id in due_ids:
        with transaction.atomic():
            delivery = CheckpointDelivery.objects.select_for_update().filter(pk=delivery_id, status=CheckpointDelivery.State.PENDING).first()
            if delivery is None:
                continue
            try:
                _send(delivery)
            except (OSError, urllib.error.URLError, ValueError) as exc:
                failed += 1
                delivery.attempts += 1
                delivery.last_error = str(exc)[:300]
                delivery.next_attempt_at = now + timedelta(minutes=2 ** min(delivery.attempts, 10))
                if delivery.attempts >= MAX_DELIVERY_ATTEMPTS:
                    delivery.status = CheckpointDelivery.State.FAILED
            else:
                sent += 1
                delivery.status = CheckpointDelivery.State.SENT
                delivery.sent_at = now
                delivery.attempts += 1
            delivery.save()
    return sent, failed


def parse_lines(lines: Iterable[str]) -> list[Checkpoint]:
    """Checkpoints from any text that holds checkpoint lines (a saved email, a webhook log)."""
    found = []
    for text in lines:
        text = text.strip()
        if text.startswith("{"):
            try:
                found.append(Checkpoint.from_line(text))
            except ValueError:
                continue
    return found


def describe(checkpoint: Checkpoint) -> dict[str, Any]:
    return {"seq": checkpoint.seq, "at": checkpoint.at, "key_id": checkpoint.key_id}
