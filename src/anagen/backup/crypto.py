"""Passphrase encryption of a backup stream: scrypt for the key, AES-256-GCM in 1 MiB chunks.

File layout (all integers big-endian)::

    magic "ANAGENBK" | version (1 byte) | log2(n) (1) | r (1) | p (1) | salt (16) | nonce prefix (7)
    | key check (16)
    then chunks: length of the ciphertext (4) | ciphertext with its 16-byte GCM tag

Each chunk's nonce is the prefix, a 4-byte chunk counter and a last-chunk flag (the STREAM
construction), and the header is the associated data of every chunk. So a changed byte anywhere,
a reordered, dropped or appended chunk, or a cut-off file fails authentication. The key check
(HMAC-SHA256 of a fixed label, truncated) tells a wrong passphrase apart from a damaged file. There
is no size limit: the stream is processed one chunk at a time.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"ANAGENBK"
VERSION = 1
CHUNK = 1024 * 1024
SCRYPT_LOG2_N = 15  # n = 32768, r = 8: about 32 MiB of memory and a fraction of a second
SCRYPT_R = 8
SCRYPT_P = 1
_HEADER = struct.Struct(">8sBBBB16s7s16s")
_LEN = struct.Struct(">I")
_TAG = 16


class DecryptionError(Exception):
    """The archive cannot be decrypted: wrong passphrase, or the file is damaged."""


def is_encrypted(head: bytes) -> bool:
    return head.startswith(MAGIC)


def _derive(passphrase: bytes, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    if not 10 <= log2_n <= 20 or not 1 <= r <= 16 or not 1 <= p <= 4:
        raise DecryptionError("the archive's key-derivation parameters are out of range (damaged header)")
    return Scrypt(salt=salt, length=32, n=2**log2_n, r=r, p=p).derive(passphrase)


def _key_check(key: bytes) -> bytes:
    return hmac.new(key, b"anagen-backup-key-check", hashlib.sha256).digest()[:16]


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", counter, 1 if last else 0)


class EncryptingWriter:
    """A write-only file object: buffer, and seal each full chunk; ``close()`` seals the last one."""

    def __init__(self, out: BinaryIO, passphrase: bytes):
        salt, prefix = os.urandom(16), os.urandom(7)
        key = _derive(passphrase, salt, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P)
        self._header = _HEADER.pack(MAGIC, VERSION, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P, salt, prefix, _key_check(key))
        self._aead = AESGCM(key)
        self._prefix = prefix
        self._out = out
        self._buffer = bytearray()
        self._counter = 0
        self.closed = False
        out.write(self._header)

    def _seal(self, data: bytes, last: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._prefix, self._counter, last), data, self._header)
        self._out.write(_LEN.pack(len(sealed)) + sealed)
        self._counter += 1

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def flush(self) -> None:
        self._out.flush()

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
            self._out.flush()
            self.closed = True


class DecryptingReader:
    """A read-only, forward-only file object over an encrypted archive; every chunk is
    authenticated before a byte of it is returned."""

    def __init__(self, source: BinaryIO, passphrase: bytes):
        header = source.read(_HEADER.size)
        if len(header) != _HEADER.size or not header.startswith(MAGIC):
            raise DecryptionError("this is not an encrypted Anagen backup (damaged header)")
        _magic, version, log2_n, r, p, salt, prefix, check = _HEADER.unpack(header)
        if version != VERSION:
            raise DecryptionError(f"encrypted archive format {version} is not supported by this Anagen")
        key = _derive(passphrase, salt, log2_n, r, p)
        if not hmac.compare_digest(_key_check(key), check):
            raise DecryptionError("wrong passphrase (or the archive's header is damaged)")
        self._aead = AESGCM(key)
        self._header = header
        self._prefix = prefix
        self._source = source
        self._counter = 0
        self._buffer = b""
        self._done = False

    def _next_chunk(self) -> None:
        raw_len = self._source.read(_LEN.size)
        if len(raw_len) != _LEN.size:
            raise DecryptionError("the archive is cut short (its last chunk is missing)")
        (length,) = _LEN.unpack(raw_len)
        if not _TAG <= length <= CHUNK + _TAG:
            raise DecryptionError(f"the archive is damaged (chunk {self._counter} has an impossible length)")
        sealed = self._source.read(length)
        if len(sealed) != length:
            raise DecryptionError("the archive is cut short")
        for last in (False, True):
            try:
                plain = self._aead.decrypt(_nonce(self._prefix, self._counter, last), sealed, self._header)
            except InvalidTag:
                continue
            self._counter += 1
            self._buffer += plain
            if last:
                if self._source.read(1):
                    raise DecryptionError("the archive is damaged (data after its last chunk)")
                self._done = True
            return
        raise DecryptionError(f"the archive is damaged: chunk {self._counter} fails its authentication check")

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            self._next_chunk()
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def readable(self) -> bool:
        return True
