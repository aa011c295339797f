"""The audit trail resists someone who has the database (issue 19, finding 1).

The attack: with database access, delete the last entries and move the head back, or edit an
entry and re-hash everything after it; ``anagen audit verify`` said "intact". Now entries are
chained with an HMAC whose key is outside the database, and signed checkpoints outside the
database record the trail's length and head."""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.management import call_command
from django.db import connection

from anagen.audit import checkpoints, keys
from anagen.audit.chain import entry_hash
from anagen.audit.models import AuditEntry, CheckpointDelivery
from anagen.audit.services import verify_chain

from .tampering import chain_of, tamper

pytestmark = pytest.mark.django_db



def _rehash_from(seq: int, *, as_unkeyed: bool, forged_key: bytes = b"guessed key") -> None:
    """Re-hash every entry from ``seq`` on, as an attacker without the audit key can: with a key of
    their own under the same key id, or as unkeyed plain SHA-256 entries."""
    previous = AuditEntry.objects.get(seq=seq - 1).entry_hash if seq > 1 else "0" * 64
    for entry in AuditEntry.objects.filter(seq__gte=seq).order_by("seq"):
        key_id = "" if as_unkeyed else entry.key_id
        digest = entry_hash(seq=entry.seq, at=entry.at, clinic_id=entry.clinic_id, user_id=entry.user_id, username=entry.username,
                            action=entry.action, object_type=entry.object_type, object_id=entry.object_id, patient_id=entry.patient_id,
                            changes=entry.changes, ip_address=entry.ip_address, prev_hash=previous, key_id=key_id,
                            key=None if as_unkeyed else forged_key)
        tamper("UPDATE audit_auditentry SET prev_hash = %s, entry_hash = %s, key_id = %s WHERE seq = %s",
             [previous, digest, key_id or None, entry.seq])
        previous = digest
    tamper("UPDATE audit_auditchainhead SET last_hash = %s WHERE id = 1", [previous])


def test_new_entries_are_keyed_with_a_key_that_is_not_in_the_database():
    chain_of(3)
    key = keys.current()
    assert set(AuditEntry.objects.values_list("key_id", flat=True)) == {key.key_id}
    assert keys.key_dir().is_dir() and oct(keys.key_dir().stat().st_mode)[-3:] == "700"
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the database itself
            assert key.seed.hex() not in json.dumps(cursor.fetchall(), default=str)


def test_an_entry_edited_and_everything_after_it_rehashed_without_the_key_is_named():
    chain_of(6)
    tamper("UPDATE audit_auditentry SET username = 'nobody' WHERE seq = 3")
    _rehash_from(3, as_unkeyed=False)
    result = verify_chain()
    assert (result.ok, result.first_bad_seq) == (False, 3)
    assert "edited" in result.problem


def test_entries_rewritten_as_unkeyed_after_keyed_ones_are_named():
    chain_of(6)
    tamper("UPDATE audit_auditentry SET username = 'nobody' WHERE seq = 4")
    _rehash_from(4, as_unkeyed=True)
    result = verify_chain()
    assert (result.ok, result.first_bad_seq) == (False, 4)
    assert "no key" in result.problem


def test_the_whole_trail_rewritten_unkeyed_is_caught_by_the_checkpoint():
    chain_of(5)
    checkpoints.write_checkpoint()
    tamper("UPDATE audit_auditentry SET object_id = '999' WHERE seq = 2")
    _rehash_from(1, as_unkeyed=True)
    result = verify_chain()
    assert not result.ok
    assert result.first_bad_seq == 5
    assert "rewritten" in result.problem


def test_entries_cut_from_the_end_with_the_head_moved_back_are_caught_by_the_checkpoint():
    chain_of(6)
    checkpoints.write_checkpoint()
    last_kept = AuditEntry.objects.get(seq=4)
    tamper("DELETE FROM audit_auditentry WHERE seq > 4")
    tamper("UPDATE audit_auditchainhead SET seq = 4, last_hash = %s WHERE id = 1", [last_kept.entry_hash])
    result = verify_chain()
    assert not result.ok
    assert result.first_bad_seq == 5
    assert "entries 5..6 were deleted" in result.problem


def test_an_intact_trail_names_the_checkpoint_it_matched_and_the_entries_since():
    chain_of(3)
    checkpoints.write_checkpoint()
    chain_of(2)
    result = verify_chain()
    assert result.ok, result.problem
    assert any("matches 1 signed checkpoint" in note and "counts 3 entries (2 written since)" in note for note in result.notes)


def test_without_a_checkpoint_verify_says_what_it_cannot_see():
    chain_of(2)
    result = verify_chain()
    assert result.ok
    assert any("no checkpoint" in note for note in result.notes)


def test_an_edited_checkpoint_line_is_refused_as_forged(settings):
    chain_of(3)
    checkpoints.write_checkpoint()
    path = checkpoints.checkpoint_file()
    line = json.loads(path.read_text())
    line["seq"] = 2
    path.write_text(json.dumps(line) + "\n")
    result = verify_chain()
    assert not result.ok and "bad signature" in result.problem


def test_a_checkpoint_file_cut_back_is_still_caught_by_a_copy_kept_elsewhere(tmp_path):
    chain_of(6)
    elsewhere = tmp_path / "mailed-checkpoints.txt"
    elsewhere.write_text("Subject: audit checkpoint\n\n" + checkpoints.write_checkpoint().to_line() + "\n")
    # The attacker has the data folder too: cuts the trail and empties the local checkpoint file.
    last_kept = AuditEntry.objects.get(seq=3)
    tamper("DELETE FROM audit_auditentry WHERE seq > 3")
    tamper("UPDATE audit_auditchainhead SET seq = 3, last_hash = %s WHERE id = 1", [last_kept.entry_hash])
    checkpoints.checkpoint_file().write_text("")
    assert verify_chain().ok  # the local file no longer knows
    copied = [checkpoints.FileLine(1, c) for c in checkpoints.parse_lines(elsewhere.read_text().splitlines())]
    result = verify_chain(copied)
    assert not result.ok and "entries 4..6 were deleted" in result.problem


def test_rotation_keeps_old_entries_verifiable_and_a_missing_key_is_named():
    chain_of(2)
    old = keys.current()
    new = keys.create_key()
    assert keys.current().key_id == new.key_id
    chain_of(2)
    assert list(AuditEntry.objects.order_by("seq").values_list("key_id", flat=True)) == [old.key_id] * 2 + [new.key_id] * 2
    checkpoints.write_checkpoint()
    result = verify_chain()
    assert result.ok and any(f"2 with key {old.key_id}" in n and f"2 with key {new.key_id}" in n for n in result.notes)
    moved = next(keys.key_dir().glob(f"*-{old.key_id}.key"))
    hidden = moved.with_suffix(".away")
    moved.rename(hidden)
    try:
        keys.all_keys(fresh=True)
        result = verify_chain()
        assert not result.ok and result.first_bad_seq == 1
        assert f"audit key {old.key_id}, which this server does not have" in result.problem
    finally:
        hidden.rename(moved)
        keys.all_keys(fresh=True)


def test_entries_from_before_keying_still_verify_and_are_counted_apart():
    chain_of(3)
    _rehash_from(1, as_unkeyed=True)  # what a trail written before this release looks like
    chain_of(2)
    result = verify_chain()
    assert result.ok, result.problem
    assert any("3 entries from before the trail was keyed" in note for note in result.notes)


def test_the_command_names_what_it_finds(capsys):
    from argparse import Namespace

    from anagen.cli import EXIT_ERROR, cmd_audit

    chain_of(4)
    checkpoints.write_checkpoint()
    last_kept = AuditEntry.objects.get(seq=2)
    tamper("DELETE FROM audit_auditentry WHERE seq > 2")
    tamper("UPDATE audit_auditchainhead SET seq = 2, last_hash = %s WHERE id = 1", [last_kept.entry_hash])
    assert cmd_audit(Namespace(checkpoints=None)) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "audit trail BROKEN at entry 3" in err and "entries 3..4 were deleted" in err


# --- checkpoints written by the worker and sent out -----------------------------------------


class _Webhook(BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]] = []

    def do_POST(self) -> None:  # noqa: N802 - the http.server interface
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Webhook.received.append((self.headers.get("Authorization", ""), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook():
    server = HTTPServer(("127.0.0.1", 0), _Webhook)
    _Webhook.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/anagen-checkpoints", _Webhook.received
    finally:
        server.shutdown()
        server.server_close()


def test_the_worker_signs_a_due_checkpoint_and_sends_it_by_email_and_webhook(settings, webhook, mailoutbox):
    url, received = webhook
    settings.ANAGEN_AUDIT_CHECKPOINT_EMAIL = "auditor@example.in"
    settings.ANAGEN_AUDIT_CHECKPOINT_WEBHOOK_URL = url
    settings.ANAGEN_AUDIT_CHECKPOINT_WEBHOOK_TOKEN = "hook-secret"
    settings.ANAGEN_REMINDER_ADAPTERS = {"email": "log", "sms": "log", "whatsapp": "log"}
    chain_of(3)
    call_command("run_worker", once=True)
    written = checkpoints.read_file(checkpoints.checkpoint_file())
    assert [line.checkpoint.seq for line in written] == [3]
    assert CheckpointDelivery.objects.filter(status="sent").count() == 2
    assert [m.to for m in mailoutbox] == [["auditor@example.in"]]
    assert written[0].checkpoint.to_line() in mailoutbox[0].body
    assert received[0][0] == "Bearer hook-secret"
    sent = checkpoints.Checkpoint.from_line(received[0][1].decode())
    assert sent == written[0].checkpoint and checkpoints.signature_ok(sent)
    # Nothing new: no new checkpoint on the next pass.
    call_command("run_worker", once=True)
    assert len(checkpoints.read_file(checkpoints.checkpoint_file())) == 1


def test_a_webhook_that_is_down_is_retried_later(settings):
    settings.ANAGEN_AUDIT_CHECKPOINT_WEBHOOK_URL = "http://127.0.0.1:9/unreachable"
    chain_of(1)
    checkpoints.write_checkpoint()
    sent, failed = checkpoints.deliver_due()
    assert (sent, failed) == (0, 1)
    delivery = CheckpointDelivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 1 and delivery.last_error


def test_the_checkpoint_file_is_append_only_and_private():
    chain_of(1)
    first = checkpoints.write_checkpoint()
    chain_of(1)
    second = checkpoints.write_checkpoint()
    path = checkpoints.checkpoint_file()
    assert path.read_text().splitlines() == [first.to_line(), second.to_line()]
    assert oct(path.stat().st_mode)[-3:] == "600"
    assert hashlib.sha256(first.signed_content()).hexdigest() != hashlib.sha256(second.signed_content()).hexdigest()
