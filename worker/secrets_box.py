"""Sealing secrets that must be stored: encrypted with the service's SECRET_KEY."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken


class SecretBox:
    """Authenticated encryption (Fernet) keyed from SECRET_KEY."""

    def __init__(self, secret_key: str) -> None:
        key = hashlib.sha256(("migration-worker/seal/" + secret_key).encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode())

    def open(self, sealed: bytes) -> str:
        """The plaintext; raises ValueError when the SECRET_KEY differs from the sealer's."""
        try:
            return self._fernet.decrypt(sealed).decode()
        except InvalidToken:
            raise ValueError("sealed secret cannot be opened: SECRET_KEY has changed") from None


def digest_api_key(api_key: str) -> bytes:
    """The stored form of an API key."""
    return hashlib.sha256(api_key.encode()).digest()
