"""Backups: one archive holding the database, the patient files and a manifest of checksums.

``anagen.backup.archive`` writes, verifies and restores archives; ``anagen.backup.crypto``
encrypts them with a passphrase. See docs/backups.md.
"""
