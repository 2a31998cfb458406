"""PKCE (RFC 7636) for VK ID's authorization code flow: the verifier, its S256 challenge, and a state value."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

# RFC 7636 section 4.1: 43-128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


def make_verifier() -> str:
    """A fresh verifier: 64 URL-safe characters from 48 random bytes (well inside 43-128)."""
    return secrets.token_urlsafe(48)


def challenge_s256(verifier: str) -> str:
    """BASE64URL(SHA256(ASCII(verifier))) without padding; raises ValueError for a malformed verifier."""
    if not _VERIFIER.fullmatch(verifier):
        raise ValueError("a PKCE code_verifier is 43-128 characters of A-Z, a-z, 0-9, '-', '.', '_', '~'")
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def make_state() -> str:
    """An unguessable state value that ties the redirect to the link we printed."""
    return secrets.token_urlsafe(24)
