"""Compiles the translation catalogues (``locale/<lang>/LC_MESSAGES/*.po``) into the ``.mo`` files
Django reads, with polib: a pip dependency, so no machine needs GNU gettext's msgfmt.

The ``.mo`` files are build output, never committed: `make install` (and every `make demo` and
`make test`) runs ``python -m anagen.ui.catalogs``, which rewrites only the catalogues whose ``.po``
is newer than their ``.mo``. Fuzzy entries are left out of the ``.mo``, as msgfmt does, so a
doubtful translation shows the English text rather than a wrong one.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def compile_catalogues(locale_dir: Path = LOCALE_DIR, *, force: bool = False) -> list[Path]:
    """Writes each stale ``.mo`` beside its ``.po``; returns the ``.mo`` files written."""
    written = []
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        catalogue = polib.pofile(str(po_path))
        for entry in list(catalogue):
            if entry.fuzzy or entry.obsolete:
                catalogue.remove(entry)
        # Written beside, then renamed: a running server never reads half a file.
        partial = mo_path.with_suffix(".mo.partial")
        catalogue.save_as_mofile(str(partial))
        partial.replace(mo_path)
        written.append(mo_path)
    return written


if __name__ == "__main__":
    for path in compile_catalogues(force="--force" in sys.argv[1:]):
        print(f"compiled {path.relative_to(LOCALE_DIR.parent)}")
