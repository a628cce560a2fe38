"""Sealing secrets that must be stored: encrypted with the service's SECRET_KEY."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


def _fernet(secret_key: str) -> Fernet:
    key = hashlib.sha256(("migration-worker/seal/" + secret_key).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


class SecretBox:
    """Authenticated encryption (Fernet) keyed from SECRET_KEY; `old_keys` (SECRET_KEYS_OLD)
    still open what they sealed, so SECRET_KEY can be rotated without losing a job."""

    def __init__(self, secret_key: str, old_keys: Sequence[str] = ()) -> None:
        self._fernet = MultiFernet([_fernet(k) for k in (secret_key, *old_keys)])

    def seal(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode())

    def open(self, sealed: bytes) -> str:
        """The plaintext; raises ValueError when the SECRET_KEY differs from the sealer's."""
        try:
            return self._fernet.decrypt(sealed).decode()
        except InvalidToken:
            raise ValueError("sealed secret cannot be opened: neither SECRET_KEY nor any of "
                             "SECRET_KEYS_OLD sealed it") from None


def digest_api_key(api_key: str) -> bytes:
    """The stored form of an API key."""
    return hashlib.sha256(api_key.encode()).digest()
