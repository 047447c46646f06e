from __future__ import annotations

import stat

import pytest
from cryptography.fernet import Fernet

from palermo.settings.keys import encryption_keys, secret_key


def test_key_files_are_created_once_with_mode_0600(tmp_path, monkeypatch):
    monkeypatch.delenv("PALERMO_SECRET_KEY", raising=False)
    monkeypatch.delenv("PALERMO_ENCRYPTION_KEYS", raising=False)
    first = secret_key(tmp_path)
    assert len(first) > 50
    assert stat.S_IMODE((tmp_path / "secret.key").stat().st_mode) == 0o600
    assert secret_key(tmp_path) == first
    keys = encryption_keys(tmp_path)
    assert stat.S_IMODE((tmp_path / "encryption.key").stat().st_mode) == 0o600
    Fernet(keys[0].encode())  # a valid Fernet key


def test_environment_wins_and_bad_keys_fail_fast(tmp_path, monkeypatch):
    good = Fernet.generate_key().decode()
    monkeypatch.setenv("PALERMO_ENCRYPTION_KEYS", f"{good}, {Fernet.generate_key().decode()}")
    assert encryption_keys(tmp_path)[0] == good
    assert not (tmp_path / "encryption.key").exists()
    monkeypatch.setenv("PALERMO_ENCRYPTION_KEYS", "not-a-key")
    with pytest.raises(ValueError, match="Fernet key"):
        encryption_keys(tmp_path)
