"""A small text extractor for the PDFs fpdf2 writes, so tests need no PDF library.

fpdf2 embeds TrueType fonts as Type0/Identity-H fonts: every string shown by ``Tj``/``TJ`` is a run
of 2-byte character ids, and each font's ``/ToUnicode`` CMap maps those ids back to Unicode (for a
shaped Devanagari cluster, one id may map to several code points). This module inflates the
streams with zlib, reads the CMaps and decodes the strings in page order. It understands exactly
what fpdf2 produces (literal and hex strings, ``Tf``, ``Tj``, ``TJ``), nothing more.
"""

from __future__ import annotations

import re
import zlib

_OBJ = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_ESCAPES = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}


def _stream(body: bytes) -> bytes:
    match = _STREAM.search(body)
    if match is None:
        return b""
    raw = match.group(1)
    return zlib.decompress(raw) if b"/FlateDecode" in body else raw


def _cmap(text: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            mapping[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
        for first, last, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = int(dst, 16)
            for offset, cid in enumerate(range(int(first, 16), int(last, 16) + 1)):
                mapping[cid] = chr(start + offset)
    return mapping


def _literal(content: bytes, i: int) -> tuple[bytes, int]:
    """Read the literal string starting after the '(' at ``i - 1``; return (bytes, next index)."""
    out = bytearray()
    depth = 1
    while i < len(content):
        c = content[i]
        if c == 0x5C:  # backslash
            nxt = content[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
            elif 0x30 <= nxt <= 0x37:
                digits = re.match(rb"[0-7]{1,3}", content[i + 1 : i + 4]).group(0)  # type: ignore[union-attr]
                out.append(int(digits, 8) & 0xFF)
                i += 1 + len(digits)
            elif nxt in (0x0A, 0x0D):
                i += 2
            else:
                out.append(nxt)
                i += 2
            continue
        if c == 0x28:
            depth += 1
        elif c == 0x29:
            depth -= 1
            if depth == 0:
                return bytes(out), i + 1
        out.append(c)
        i += 1
    raise ValueError("unterminated string in content stream")


def _decode(raw: bytes, cmap: dict[int, str]) -> str:
    return "".join(cmap.get(int.from_bytes(raw[k : k + 2], "big"), "") for k in range(0, len(raw) - 1, 2))


def pdf_runs(data: bytes) -> list[list[tuple[str, str]]]:
    """Every text object (BT ... ET) of every page, as its runs: (the font's BaseFont without the
    subset tag, the text that font draws), so a test can tell which font drew which words."""
    objects = {int(m.group(1)): m.group(2) for m in _OBJ.finditer(data)}
    cmaps: dict[int, dict[int, str]] = {}
    base_fonts: dict[int, str] = {}
    for number, body in objects.items():
        ref = re.search(rb"/ToUnicode (\d+) 0 R", body)
        if ref is not None:
            cmaps[number] = _cmap(_stream(objects[int(ref.group(1))]))
            base = re.search(rb"/BaseFont /(?:[A-Z]{6}\+)?([^\s/<>]+)", body)
            base_fonts[number] = base.group(1).decode() if base else ""
    by_name: dict[bytes, tuple[str, dict[int, str]]] = {}
    for body in objects.values():
        for block in re.finditer(rb"/Font\s*<<(.*?)>>", body, re.S):
            for name, ref in re.findall(rb"/(\w+) (\d+) 0 R", block.group(1)):
                if int(ref) in cmaps:
                    by_name[name] = (base_fonts[int(ref)], cmaps[int(ref)])
    pages = [int(ref) for body in objects.values() if re.search(rb"/Type /Page\b", body)
             for ref in re.findall(rb"/Contents (\d+) 0 R", body)]
    text_objects: list[list[tuple[str, str]]] = []
    for number in pages:
        content = _stream(objects[number])
        font, cmap = "", {}
        runs: list[tuple[str, str]] = []
        i = 0
        last_name = b""
        while i < len(content):
            c = content[i]
            if c == 0x28:  # (
                raw, i = _literal(content, i + 1)
                runs.append((font, _decode(raw, cmap)))
                continue
            if c == 0x3C and content[i + 1 : i + 2] != b"<":  # <hex>
                end = content.index(b">", i)
                runs.append((font, _decode(bytes.fromhex(content[i + 1 : end].decode()), cmap)))
                i = end + 1
                continue
            if c == 0x2F:  # /Name
                match = re.match(rb"/(\w+)", content[i:])
                last_name = match.group(1) if match else b""
                i += len(match.group(0)) if match else 1
                continue
            if content[i : i + 2] == b"Tf":
                font, cmap = by_name.get(last_name, ("", {}))
            elif content[i : i + 2] == b"ET" and runs:
                text_objects.append(runs)
                runs = []
            i += 1
    return text_objects


def pdf_text(data: bytes) -> str:
    """The text of every page, one line per text object (BT ... ET)."""
    return "\n".join("".join(text for _font, text in runs) for runs in pdf_runs(data))
