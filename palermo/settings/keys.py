"""Secrets come from the environment or from key files under ``var/``, never from the database.

On the first run a missing key file is generated with mode 0600. Key files are listed in
``.gitignore`` and must never be committed.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

from cryptography.fernet import Fernet


def _generate_secret_key() -> str:
    return secrets.token_urlsafe(64)


def _generate_encryption_key() -> str:
    return Fernet.generate_key().decode("ascii")


def load_or_create_key(env_name: str, path: Path, generate: Callable[[], str]) -> str:
    """Return the key from ``env_name`` if set, else from ``path``, creating the file if absent."""
    from_env = os.environ.get(env_name, "").strip()
    if from_env:
        return from_env
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(generate() + "\n")
    return path.read_text(encoding="ascii").strip()


def secret_key(var_dir: Path) -> str:
    return load_or_create_key("PALERMO_SECRET_KEY", var_dir / "secret.key", _generate_secret_key)


def encryption_keys(var_dir: Path) -> list[str]:
    """Fernet keys, newest first. Several (comma-separated) are accepted so that keys can rotate."""
    raw = load_or_create_key(
        "PALERMO_ENCRYPTION_KEYS", var_dir / "encryption.key", _generate_encryption_key
    )
    keys = [key.strip() for key in raw.replace("\n", ",").split(",") if key.strip()]
    for key in keys:
        Fernet(key.encode("ascii"))  # raises ValueError on a malformed key: fail at start-up
    return keys


def blind_index_key(var_dir: Path) -> str:
    """The key of the blind indexes (keyed hashes for exact-match search on encrypted
    identifiers). Unlike the encryption keys it is not rotated: changing it means re-indexing."""
    return load_or_create_key(
        "PALERMO_BLIND_INDEX_KEY", var_dir / "blind-index.key", _generate_secret_key
    )


def _generate_signing_key() -> str:
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return base64.b64encode(raw).decode("ascii")


def signing_key(var_dir: Path) -> str:
    """This installation's Ed25519 private key (base64), which signs the referral messages it
    sends to other Palermo installations; they hold its public key."""
    return load_or_create_key("PALERMO_SIGNING_KEY", var_dir / "signing.key", _generate_signing_key)
