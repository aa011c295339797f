"""The UPI payment request as a QR code, drawn here (no outside service sees the invoice): SVG
inline on pages, PNG inside PDFs."""

from __future__ import annotations

import io

import segno

# Error correction M (15 %): survives a crease or a smudge on a printed invoice while keeping the
# modules large enough for a phone camera at arm's length.
ERROR_LEVEL = "m"


def svg(uri: str, title: str) -> str:
    # No fixed size but a viewBox: the stylesheet sizes it, and it scales without cropping.
    return segno.make(uri, error=ERROR_LEVEL).svg_inline(dark="#000", light="#fff", title=title, svgclass="qr-code",
                                                        lineclass=None, omitsize=True)


def png(uri: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(uri, error=ERROR_LEVEL).save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()
