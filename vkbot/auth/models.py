"""The vk_auth_tokens table: the admin user token's state, with every secret encrypted (Fernet) at rest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, DateTime, Text
from sqlmodel import Field, SQLModel


class AuthTokenRow(SQLModel, table=True):
    """One credential (today only ``admin``); ``*_enc`` columns hold Fernet ciphertext, never plaintext."""

    __tablename__ = "vk_auth_tokens"

    name: str = Field(primary_key=True, max_length=32)
    user_id: int | None = Field(default=None, sa_type=BigInteger)
    # VK ID binds refresh tokens to the device_id of the authorization; not a secret.
    device_id: str | None = Field(default=None, max_length=255)
    scope: str | None = Field(default=None, sa_column=Column(Text))
    refresh_token_enc: str | None = Field(default=None, sa_column=Column(Text))
    # Kept so a restart, or a second process, reuses a live access token instead of rotating again.
    access_token_enc: str | None = Field(default=None, sa_column=Column(Text))
    access_expires_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    connected_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    last_refresh_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    # VK ID refused the refresh token (revoked): only `vkbot connect` brings the token back.
    needs_reconnect: bool = False
    # A link printed by `vkbot connect` and not yet answered: its state and (encrypted) PKCE verifier.
    pending_state: str | None = Field(default=None, max_length=64)
    pending_verifier_enc: str | None = Field(default=None, sa_column=Column(Text))
    pending_created_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
