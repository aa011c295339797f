"""Consent fixtures: published texts, and PNG images built with the standard library."""

from __future__ import annotations

import base64
import struct
import zlib
from typing import Any

import pytest

from anagen.consents.signature import PNG_SIGNATURE


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def _filter(kind: int, row: bytes, prior: bytes, bpp: int) -> bytes:
    out = bytearray()
    for i, value in enumerate(row):
        left = row[i - bpp] if i >= bpp else 0
        up = prior[i]
        upper_left = prior[i - bpp] if i >= bpp else 0
        predictor = [0, left, up, (left + up) >> 1, _paeth(left, up, upper_left)][kind]
        out.append((value - predictor) & 0xFF)
    return bytes(out)


def make_png(
    width: int = 120,
    height: int = 40,
    ink: list[tuple[int, int]] | None = None,
    *,
    background: bytes = b"\x00\x00\x00\x00",
    colour: bytes = b"\x11\x18\x27\xff",
    filter_kind: int = 0,
) -> bytes:
    """An 8-bit RGBA PNG (what canvas.toDataURL writes), with ``ink`` pixels set to ``colour``."""
    ink_set = set(ink if ink is not None else [(x, height // 2) for x in range(10, width - 10)])
    bpp = 4
    raw = bytearray()
    prior = bytes(width * bpp)
    for y in range(height):
        row = b"".join(colour if (x, y) in ink_set else background for x in range(width))
        raw.append(filter_kind)
        raw += _filter(filter_kind, row, prior, bpp)
        prior = row
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(bytes(raw))) + _chunk(b"IEND", b"")


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


@pytest.fixture
def png() -> Any:
    """``make_png(width, height, ink, background=..., filter_kind=...)``."""
    return make_png


@pytest.fixture
def as_data_url() -> Any:
    return data_url


@pytest.fixture
def signature_png() -> bytes:
    return make_png()


@pytest.fixture
def publish(admin_user: Any) -> Any:
    from anagen.audit.services import Actor
    from anagen.consents import services

    def publish_(purpose: str = "treatment", language: str = "en", clinic: Any = None, **kwargs: Any) -> Any:
        clinic = clinic or admin_user.clinic
        actor = Actor(user_id=admin_user.pk, username=admin_user.username, clinic_id=clinic.pk, ip_address=None)
        title = kwargs.pop("title", f"Consent for {purpose}")
        body = kwargs.pop("body", f"The {purpose} text the patient reads.")
        return services.publish_text(actor, clinic, purpose, language, title, body, **kwargs)

    return publish_


@pytest.fixture
def treatment_text(publish: Any) -> Any:
    return publish("treatment")


@pytest.fixture
def sign(trichologist: Any) -> Any:
    """Sign a typed consent through the service, witnessed by the trichologist."""
    from anagen.audit.services import Actor
    from anagen.consents import services

    def sign_(patient: Any, text: Any, witness: Any = None) -> Any:
        witness = witness or trichologist
        actor = Actor(user_id=witness.pk, username=witness.username, clinic_id=witness.clinic_id, ip_address=None)
        return services.sign_consent(
            actor, patient, text, method="typed", typed_name=patient.full_name, acknowledged=True, witness=witness
        )

    return sign_
