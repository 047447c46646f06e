"""Files kept for an import, encrypted at rest: an uploaded file until it is imported or
discarded, and an import's validation report (it holds the rejected rows). Written and read in
1 MiB pieces, each one token of the project's encryption (``core.crypto``) on a line of its own,
so that a large file never sits whole in memory."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from itertools import islice
from pathlib import Path
from typing import IO

from django.conf import settings

from palermo.core import crypto

PIECE = 1 << 20
PLAIN_PREFIX = "plain-"
STALE_PLAIN_S = 6 * 3600  # no check or import runs that long: its process died


def _directory() -> Path:
    directory = Path(settings.PALERMO_UPLOAD_DIR)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    return directory


def upload_path(upload_id: object) -> Path:
    return _directory() / f"upload-{upload_id}.enc"


def report_path(batch_id: object) -> Path:
    return _directory() / f"report-{batch_id}.enc"


def write_encrypted(source: IO[bytes], target: Path) -> int:
    """Encrypt ``source`` into ``target`` (written under a temporary name, then renamed);
    returns the plain size."""
    partial = target.with_name(target.name + ".part")
    size = 0
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as out:
            while block := source.read(PIECE):
                out.write(crypto.encrypt_blob(block) + "\n")
                size += len(block)
        partial.replace(target)
    finally:
        with suppress(FileNotFoundError):
            partial.unlink()
    return size


def read_encrypted(path: Path) -> Iterator[bytes]:
    with path.open(encoding="ascii") as encrypted:
        for line in encrypted:
            if line.strip():
                yield crypto.decrypt_blob(line.strip())


@contextmanager
def decrypted_copy(path: Path, suffix: str = "", pieces: int | None = None) -> Iterator[Path]:
    """A plain copy for the readers, which need a file: readable by this process's user only,
    deleted when the block ends, whatever happens in it. ``pieces`` keeps only the file's first
    MiBs (enough for a preview of a text file)."""
    descriptor, name = tempfile.mkstemp(prefix=PLAIN_PREFIX, suffix=suffix, dir=_directory())
    try:
        with os.fdopen(descriptor, "wb") as out:
            for block in islice(read_encrypted(path), pieces):
                out.write(block)
        yield Path(name)
    finally:
        with suppress(FileNotFoundError):
            os.unlink(name)


def remove(path: Path) -> None:
    with suppress(FileNotFoundError):
        path.unlink()


@contextmanager
def private_temporary_files() -> Iterator[None]:
    """Spreadsheet writing (openpyxl) puts each sheet in a temporary file: inside the private
    directory while the block runs, not in the system's shared one."""
    previous = tempfile.tempdir
    tempfile.tempdir = str(_directory())
    try:
        yield
    finally:
        tempfile.tempdir = previous


def sweep() -> int:
    """Delete plain copies and sheet files left by a process that died while it used them;
    how many."""
    now = time.time()
    removed = 0
    directory = _directory()
    patterns = (f"{PLAIN_PREFIX}*", "openpyxl.*", "tmp*.upload*")  # the last: Django's
    for path in (found for pattern in patterns for found in directory.glob(pattern)):
        with suppress(FileNotFoundError, IsADirectoryError):
            if path.is_file() and now - path.stat().st_mtime > STALE_PLAIN_S:
                path.unlink()
                removed += 1
    return removed


def rotate_files(check_only: bool = False) -> tuple[int, int]:
    """Re-encrypt the kept files (uploads, reports) under the current key, as ``rotate_keys``
    does the database's values: (files under an old key, files re-encrypted). Each file is
    rewritten under a temporary name and renamed, so a reader never sees half of it."""
    stale = rotated = 0
    for path in sorted(_directory().glob("*.enc")):
        with path.open(encoding="ascii") as encrypted:
            first = encrypted.readline().strip()
        if not first or crypto.is_current(first):  # a file is written under one key
            continue
        stale += 1
        if check_only:
            continue
        partial = path.with_name(path.name + ".part")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with (
            os.fdopen(descriptor, "w", encoding="ascii") as out,
            path.open(encoding="ascii") as old,
        ):
            for line in old:  # one piece at a time, never the whole file
                if line.strip():
                    out.write(crypto.rotate(line.strip()) + "\n")
        partial.replace(path)
        rotated += 1
    return stale, rotated
