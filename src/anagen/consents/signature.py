"""Checking a drawn signature with the standard library only: a real PNG, small, and not blank.

The signature pad sends what ``canvas.toDataURL("image/png")`` produces: an 8-bit, non-interlaced
RGBA PNG. We read the chunk structure (signature, IHDR first, CRCs, IDAT, IEND), inflate the image
data with a ceiling on its size, undo the row filters (PNG specification, section 9) and count the
pixels that differ from the top-left one. A canvas nobody drew on has none, whatever its
background colour.
"""

from __future__ import annotations

import base64
import binascii
import struct
import zlib
from dataclasses import dataclass

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_SIGNATURE_BYTES = 200 * 1024
MAX_WIDTH = 4000
MAX_HEIGHT = 2000
# A stroke of a few millimetres already covers more pixels than this; a stray tap does not.
MIN_INK_PIXELS = 20
DATA_URL_PREFIX = "data:image/png;base64,"

# Colour type -> channels, for bit depth 8 (the only depth canvases write).
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


class InvalidSignature(ValueError):
    """The bytes are not an acceptable signature image; the message says why, for the user."""


@dataclass(frozen=True)
class SignatureImage:
    width: int
    height: int
    ink_pixels: int


def decode_data_url(value: str) -> bytes:
    """The PNG bytes inside a ``data:image/png;base64,...`` URL."""
    value = value.strip()
    if not value:
        raise InvalidSignature("The signature is empty: ask the patient to sign in the box.")
    if not value.startswith(DATA_URL_PREFIX):
        raise InvalidSignature("The signature must be a PNG image drawn in the signature box.")
    encoded = value[len(DATA_URL_PREFIX):]
    if len(encoded) > (MAX_SIGNATURE_BYTES * 4) // 3 + 8:
        raise InvalidSignature(f"The signature image is larger than {MAX_SIGNATURE_BYTES // 1024} KB.")
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidSignature("The signature could not be read: clear the box and sign again.") from exc


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks = []
    pos = len(PNG_SIGNATURE)
    while True:
        if pos + 8 > len(data):
            raise InvalidSignature("The signature image is cut short (no end marker).")
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body_end = pos + 8 + length
        if body_end + 4 > len(data):
            raise InvalidSignature("The signature image is cut short.")
        body = data[pos + 8:body_end]
        (crc,) = struct.unpack(">I", data[body_end:body_end + 4])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            raise InvalidSignature("The signature image is damaged (a checksum does not match).")
        chunks.append((kind, body))
        pos = body_end + 4
        if kind == b"IEND":
            return chunks


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _unfilter(kind: int, row: bytes, prior: bytes, bpp: int) -> bytes:
    if kind == 0:
        return row
    if not any(row):
        # Shortcuts for the empty rows that make up most of a signature box.
        if kind == 1:
            return row
        if kind == 2 or not any(prior):
            return prior
    out = bytearray(row)
    n = len(out)
    if kind == 1:
        for i in range(bpp, n):
            out[i] = (out[i] + out[i - bpp]) & 0xFF
    elif kind == 2:
        for i in range(n):
            out[i] = (out[i] + prior[i]) & 0xFF
    elif kind == 3:
        for i in range(n):
            left = out[i - bpp] if i >= bpp else 0
            out[i] = (out[i] + ((left + prior[i]) >> 1)) & 0xFF
    elif kind == 4:
        for i in range(n):
            left = out[i - bpp] if i >= bpp else 0
            upper_left = prior[i - bpp] if i >= bpp else 0
            out[i] = (out[i] + _paeth(left, prior[i], upper_left)) & 0xFF
    else:
        raise InvalidSignature("The signature image uses an unknown row filter.")
    return bytes(out)


def inspect_png(data: bytes) -> SignatureImage:
    """Validate a signature PNG and count its ink; raises InvalidSignature with a readable reason."""
    if len(data) > MAX_SIGNATURE_BYTES:
        raise InvalidSignature(f"The signature image is larger than {MAX_SIGNATURE_BYTES // 1024} KB.")
    if not data.startswith(PNG_SIGNATURE):
        raise InvalidSignature("The signature is not a PNG image.")
    chunks = _chunks(data)
    if chunks[0][0] != b"IHDR" or len(chunks[0][1]) != 13:
        raise InvalidSignature("The signature image has no valid header (IHDR).")
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    if not (1 <= width <= MAX_WIDTH and 1 <= height <= MAX_HEIGHT):
        raise InvalidSignature(f"The signature image is {width}×{height} pixels; at most {MAX_WIDTH}×{MAX_HEIGHT} is accepted.")
    if depth != 8 or colour not in _CHANNELS or compression != 0 or filtering != 0 or interlace != 0:
        raise InvalidSignature("The signature image format is not supported: draw it in the signature box.")
    bpp = _CHANNELS[colour]
    stride = width * bpp
    expected = height * (stride + 1)
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"), expected + 1)
    except zlib.error as exc:
        raise InvalidSignature("The signature image data is damaged.") from exc
    if len(raw) != expected:
        raise InvalidSignature("The signature image data does not match its size.")
    background = blank_row = b""
    prior = bytes(stride)
    ink = 0
    for y in range(height):
        start = y * (stride + 1)
        row = _unfilter(raw[start], raw[start + 1:start + 1 + stride], prior, bpp)
        if y == 0:
            background = row[:bpp]
            blank_row = background * width
        if row != blank_row:
            ink += sum(1 for x in range(0, stride, bpp) if row[x:x + bpp] != background)
        prior = row
    if ink < MIN_INK_PIXELS:
        raise InvalidSignature("The signature box is blank: ask the patient to sign in the box.")
    return SignatureImage(width=width, height=height, ink_pixels=ink)
