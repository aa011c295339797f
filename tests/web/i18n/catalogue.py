"""What the catalogue tests share: which of a set of msgids a language's catalogue lacks, and which
it holds untranslated or fuzzy (a fuzzy entry is not compiled, so the reader sees English)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import polib

from anagen.ui.catalogs import LOCALE_DIR

Key = tuple[str | None, str]  # (msgctxt, msgid)


@cache
def _entries(language: str) -> dict[Key, polib.POEntry]:
    catalogue = polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES/django.po"))
    return {(e.msgctxt, e.msgid): e for e in catalogue if not e.obsolete}


def unfit_msgids(language: str, keys: Iterable[Key]) -> tuple[list[str], list[str]]:
    """(missing, untranslated or fuzzy) among ``keys`` in ``language``'s catalogue, sorted."""
    entries = _entries(language)
    keys = set(keys)
    missing = sorted(str(k) for k in keys if k not in entries)
    bad = sorted(entries[k].msgid for k in keys
                 if k in entries and (not entries[k].translated() or "fuzzy" in entries[k].flags))
    return missing, bad
