"""Encryption of tokens at rest with Fernet; the key comes from VKBOT_SECRET_KEY (or [auth] secret_key).

Errors name the variable and never contain key material or plaintext.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from cryptography.fernet import Fernet, InvalidToken

ENV_KEY = "VKBOT_SECRET_KEY"


class MissingSecretKey(Exception):
    """No usable encryption key: the text names the variable and how to make one."""


class UnreadableSecret(Exception):
    """A stored secret does not decrypt with this key (the key changed, or the row was tampered with)."""


def new_key() -> str:
    """A fresh key to put in VKBOT_SECRET_KEY."""
    return Fernet.generate_key().decode("ascii")


class SecretBox:
    """Encrypts and decrypts short strings (tokens, PKCE verifiers) for storage."""

    def __init__(self, key: str):
        try:
            self._fernet = Fernet(key.strip().encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise MissingSecretKey(
                f"{ENV_KEY} is not a valid key (it must be 44 characters of URL-safe base64); "
                "make one with `vkbot connect --new-key`"
            ) from None

    @classmethod
    def from_environment(cls, configured: str = "", environ: Mapping[str, str] | None = None) -> SecretBox:
        """The key from ``VKBOT_SECRET_KEY``, else the configured one; ``MissingSecretKey`` when neither."""
        env = os.environ if environ is None else environ
        key = env.get(ENV_KEY, "").strip() or configured.strip()
        if not key:
            raise MissingSecretKey(
                f"{ENV_KEY} is not set: the admin user token is stored encrypted and needs a key. "
                f"Make one with `vkbot connect --new-key` and set {ENV_KEY} (or [auth] secret_key in the secrets file)"
            )
        return cls(key)

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            raise UnreadableSecret(
                f"a stored admin token does not decrypt with this {ENV_KEY} (was the key changed?); "
                "run `vkbot connect` again"
            ) from None

    def __repr__(self) -> str:
        return "SecretBox(***)"
