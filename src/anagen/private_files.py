"""The data folder is for the ``anagen`` user alone: files 0600, folders 0700 (issue 19, finding 12).

Under the usual umask of 022 the SQLite database, photographs and unencrypted backups were created
readable by every account on the machine. Anagen's processes (``anagen ...`` and the WSGI entry
point) now run with umask 077, so whatever they create (the database and its journal files,
photographs, reports, backups, keys, checkpoints) is private whoever wrote it; Django's uploads are
chmodded 0600 / 0700 explicitly (``FILE_UPLOAD_PERMISSIONS``); files that must be private whatever
the umask (backups, keys) are opened with ``open_private``. At start ``anagen`` looks for anything
in the data folder that is wider and warns, naming it and the ``chmod`` that fixes it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

PRIVATE_UMASK = 0o077
FILE_MODE = 0o600
DIR_MODE = 0o700
# The look at start is bounded so a large photo store never delays a command by more than a moment.
MAX_ENTRIES_CHECKED = 20_000
MAX_REPORTED = 5
# Collected static files (CSS, scripts, icons) are public by nature.
PUBLIC_FOLDERS = frozenset({"static"})


def restrict_umask() -> None:
    os.umask(PRIVATE_UMASK)


def open_private(path: Path, *, exclusive: bool = True) -> BinaryIO:
    """Open ``path`` for writing bytes as a new 0600 file, whatever the process's umask."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, FILE_MODE)
    os.fchmod(fd, FILE_MODE)  # an existing file opened with O_TRUNC keeps its old mode otherwise
    return os.fdopen(fd, "wb")


def make_private_dir(path: Path) -> None:
    """Create the folder 0700 if it is missing (an existing folder is left as the operator set it,
    and the start-up check warns if it is wider)."""
    missing = []
    while not path.is_dir():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir(exist_ok=True)
        folder.chmod(DIR_MODE)


def _entries(data_dir: Path) -> Iterator[Path]:
    yield data_dir
    for dirpath, dirnames, filenames in os.walk(data_dir):
        here = Path(dirpath)
        if here == data_dir:
            dirnames[:] = sorted(d for d in dirnames if d not in PUBLIC_FOLDERS)
        else:
            dirnames.sort()
        for name in dirnames:
            yield here / name
        for name in sorted(filenames):
            yield here / name


def too_open(data_dir: Path, extra: tuple[Path, ...] = ()) -> list[tuple[Path, int]]:
    """Paths in the data folder (and ``extra`` files such as a key file) that others may read,
    write or enter: ``(path, mode)``, at most ``MAX_REPORTED``."""
    found: list[tuple[Path, int]] = []
    candidates = [*(p for p in extra if p.exists())]
    if data_dir.is_dir():
        for index, path in enumerate(_entries(data_dir)):
            if index >= MAX_ENTRIES_CHECKED:
                break
            candidates.append(path)
    for path in candidates:
        try:
            info = path.lstat()
        except OSError:
            continue
        if stat.S_ISLNK(info.st_mode):
            continue
        mode = stat.S_IMODE(info.st_mode)
        if mode & 0o077:
            found.append((path, mode))
            if len(found) >= MAX_REPORTED:
                break
    return found


def warning_lines(data_dir: Path, extra: tuple[Path, ...] = ()) -> list[str]:
    offenders = too_open(data_dir, extra)
    if not offenders:
        return []
    lines = [f"anagen: warning: {path} can be read by other users of this machine (mode {mode:04o}; "
             f"Anagen's data should be 0600 for files, 0700 for folders)" for path, mode in offenders]
    lines.append(f"anagen: warning: fix with: chmod -R go-rwx {data_dir}")
    return lines
