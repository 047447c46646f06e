"""Encryption of identifiers and narratives at rest, and blind indexes for exact-match search.

Values are encrypted with Fernet (AES-128-CBC with HMAC-SHA256: authenticated, so a tampered or
foreign ciphertext is refused, never decrypted to garbage) under the keys of
``PALERMO_ENCRYPTION_KEYS``, which live outside the database. The first key encrypts; all of them
decrypt, so a new key can be put first and ``manage.py rotate_keys`` re-encrypts the stored
values under it while the site keeps running.

A blind index is an HMAC-SHA256 of a normalised value under ``PALERMO_BLIND_INDEX_KEY``: equal
values give equal digests, so an exact search works without decrypting anything, and the digest
reveals nothing without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

PREFIX = "fernet:"  # marks an encrypted value, so that plain text can never pass for one


class DecryptionError(Exception):
    """A stored value cannot be decrypted with any configured key."""


UNKNOWN_KEY = (
    "A stored value was encrypted with a key that is not configured: check "
    "PALERMO_ENCRYPTION_KEYS (keep the old key, after the new one, until rotate_keys has "
    "finished)."
)


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise DecryptionError("No encryption key is configured (PALERMO_ENCRYPTION_KEYS).")
    return MultiFernet([Fernet(key.encode("ascii")) for key in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.PALERMO_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    """Ciphertext of ``value`` under the current key; the empty string stays empty."""
    if value == "":
        return ""
    return PREFIX + _current().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    if token == "":
        return ""
    if not token.startswith(PREFIX):
        raise DecryptionError("The stored value is not an encrypted value.")
    try:
        return _current().decrypt(token[len(PREFIX) :].encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise DecryptionError(UNKNOWN_KEY) from None


def encrypt_blob(value: bytes) -> str:
    """Ciphertext of a file's bytes, as text with the same prefix (so rotation treats files and
    values alike)."""
    return PREFIX + _current().encrypt(value).decode("ascii")


def decrypt_blob(token: str) -> bytes:
    if not token.startswith(PREFIX):
        raise DecryptionError("The stored value is not an encrypted value.")
    try:
        return _current().decrypt(token[len(PREFIX) :].encode("ascii"))
    except InvalidToken:
        raise DecryptionError(UNKNOWN_KEY) from None


def rotate(token: str) -> str:
    """The same value re-encrypted under the current key (a no-op for the empty string)."""
    if token == "":
        return ""
    try:
        rotated = _current().rotate(token[len(PREFIX) :].encode("ascii"))
    except InvalidToken:
        raise DecryptionError(UNKNOWN_KEY) from None
    return PREFIX + rotated.decode("ascii")


def is_current(token: str) -> bool:
    """Whether ``token`` decrypts under the first (current) key alone."""
    if token == "":
        return True
    try:
        Fernet(settings.PALERMO_ENCRYPTION_KEYS[0].encode("ascii")).decrypt(
            token[len(PREFIX) :].encode("ascii")
        )
    except InvalidToken:
        return False
    return True


def normalise_for_index(value: str) -> str:
    """Case, accents, punctuation and spacing do not distinguish two spellings of a name or a
    document number."""
    value = unicodedata.normalize("NFKD", value).casefold()
    value = "".join(ch for ch in value if not unicodedata.combining(ch))
    return re.sub(r"[\W_]+", "", value)


def blind_index(value: str, purpose: str) -> str:
    """Keyed digest of a normalised value; ``purpose`` separates e.g. names from documents."""
    normalised = normalise_for_index(value)
    if not normalised:
        return ""
    key = settings.PALERMO_BLIND_INDEX_KEY.encode("utf-8")
    message = f"{purpose}\x1f{normalised}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
