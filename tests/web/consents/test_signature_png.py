"""The drawn signature is checked with the standard library: a real PNG, small, and not blank."""

from __future__ import annotations

import struct
import zlib

import pytest

from anagen.consents.signature import (
    MIN_INK_PIXELS,
    InvalidSignature,
    decode_data_url,
    inspect_png,
)


@pytest.mark.parametrize("filter_kind", [0, 1, 2, 3, 4])
def test_it_counts_the_same_ink_whatever_row_filter_the_encoder_chose(filter_kind, png):
    ink = [(x, 5 + x % 7) for x in range(3, 60)] + [(30, y) for y in range(0, 20)]
    image = inspect_png(png(64, 24, ink, filter_kind=filter_kind))
    assert (image.width, image.height, image.ink_pixels) == (64, 24, len(set(ink)))


def test_it_finds_ink_on_a_white_background(png):
    white = b"\xff\xff\xff\xff"
    assert inspect_png(png(background=white, filter_kind=4)).ink_pixels == 100


@pytest.mark.parametrize("background", [b"\x00\x00\x00\x00", b"\xff\xff\xff\xff"])
def test_it_refuses_a_blank_box(background, png):
    with pytest.raises(InvalidSignature, match="blank"):
        inspect_png(png(ink=[], background=background, filter_kind=1))


def test_it_refuses_a_stray_tap(png):
    with pytest.raises(InvalidSignature, match="blank"):
        inspect_png(png(ink=[(5, 5)] * 1 + [(x, 5) for x in range(MIN_INK_PIXELS - 2)]))


def test_it_refuses_bytes_that_are_not_a_png():
    with pytest.raises(InvalidSignature, match="not a PNG"):
        inspect_png(b"GIF89a" + b"\x00" * 100)


def test_it_refuses_a_damaged_png(png):
    image = bytearray(png())
    image[40] ^= 0xFF
    with pytest.raises(InvalidSignature, match="damaged|cut short|checksum"):
        inspect_png(bytes(image))


def test_it_refuses_a_truncated_png(png):
    with pytest.raises(InvalidSignature, match="cut short"):
        inspect_png(png()[:-20])


def test_it_refuses_a_png_larger_than_200_kb(png):
    with pytest.raises(InvalidSignature, match="200 KB"):
        inspect_png(png() + b"\x00" * 200 * 1024)


def test_it_refuses_absurd_dimensions_before_inflating_anything():
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 6, 0, 0, 0)
    body = b"IHDR" + header
    png = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + body + struct.pack(">I", zlib.crc32(body))
    png += struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    with pytest.raises(InvalidSignature, match="pixels"):
        inspect_png(png)


def test_it_reads_a_canvas_data_url(png, as_data_url):
    image = png()
    assert decode_data_url(as_data_url(image)) == image


@pytest.mark.parametrize(
    ("value", "message"),
    [("", "empty"), ("data:image/jpeg;base64,AAAA", "PNG image"), ("data:image/png;base64,@@@", "could not be read")],
)
def test_it_refuses_a_bad_data_url(value, message):
    with pytest.raises(InvalidSignature, match=message):
        decode_data_url(value)
