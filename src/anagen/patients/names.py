"""People's names as staff read them: one Unicode form, no invisible characters, at least one letter.

An outside attack (issue 19, finding 10) stored a name made only of a zero-width space (shown
blank), ``Jo\\u200bshi`` (not found by "Joshi") and a right-to-left override (staff read the name
reversed). The rules, after Unicode Technical Report #36 (security considerations) and UAX #9
(the bidirectional algorithm):

- the name is put in NFC (the form browsers and keyboards produce), runs of whitespace become one
  space, and the ends are trimmed;
- bidirectional controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) are refused: they
  change the order in which the letters are shown, so what staff read is not what is stored;
- invisible characters with no meaning in a name (zero-width space, word joiner, byte-order mark,
  soft hyphen, Mongolian vowel separator, invisible operators) are removed;
- the zero-width joiner and non-joiner are kept only between two letters of a script that uses
  them to choose a written form (Devanagari, Malayalam, Arabic, ...), and removed anywhere else;
- every other format, control, private-use, surrogate or unassigned code point is refused;
- a name must keep at least one letter.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
INVISIBLE = frozenset("\u00ad\u180e\u200b\u2060\u2061\u2062\u2063\u2064\ufeff")
JOINERS = frozenset("\u200c\u200d")
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn"})
_WHITESPACE = re.compile(r"\s+")


class InvalidName(ValueError):
    """The name cannot be stored as typed; the message says why."""


def _is_letter(char: str) -> bool:
    return unicodedata.category(char)[0] in "LM"


def _joiner_belongs(before: str, after: str) -> bool:
    """ZWJ/ZWNJ shape conjuncts in Brahmic and Arabic scripts; in Latin text they only hide."""
    if not (before and after and _is_letter(before) and _is_letter(after)):
        return False
    return not any(unicodedata.name(c, "").startswith(("LATIN", "GREEK", "CYRILLIC")) for c in (before, after))


def clean_name(raw: str, *, required: bool) -> str:
    """The name as it is stored, or ``InvalidName`` saying what to change."""
    text = unicodedata.normalize("NFC", raw or "")
    if any(char in BIDI_CONTROLS for char in text):
        raise InvalidName(_("The name contains invisible characters that change the direction in which it is shown. "
                           "Type the name again without copying it."))
    kept: list[str] = []
    for index, char in enumerate(text):
        if char in INVISIBLE:
            continue
        if char in JOINERS:
            following = text[index + 1] if index + 1 < len(text) else ""
            if _joiner_belongs(kept[-1] if kept else "", following):
                kept.append(char)
            continue
        if char.isspace():
            kept.append(" ")
            continue
        if unicodedata.category(char) in REFUSED_CATEGORIES:
            raise InvalidName(_("The name contains an invisible or control character (U+%(code)04X). Type the name again "
                               "without copying it.") % {"code": ord(char)})
        kept.append(char)
    name = _WHITESPACE.sub(" ", "".join(kept)).strip()
    if not name:
        if required:
            raise InvalidName(_("This field is required."))
        return ""
    if not any(unicodedata.category(char).startswith("L") for char in name):
        raise InvalidName(_("A name needs at least one letter."))
    return name


def search_text(raw: str) -> str:
    """A search typed or pasted: NFC, with the invisible characters a stored name cannot hold removed."""
    text = unicodedata.normalize("NFC", raw or "")
    return "".join(c for c in text if c not in INVISIBLE and c not in JOINERS and c not in BIDI_CONTROLS)
