"""Reads and writes the admin credential in vk_auth_tokens, encrypting secrets on the way in (sync; run in a thread)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from vkbot.auth.models import AuthTokenRow
from vkbot.auth.secretbox import SecretBox
from vkbot.auth.vkid import TokenGrant

ADMIN = "admin"


class ConnectError(Exception):
    """`vkbot connect` cannot finish; the text says what to do."""


@dataclass(frozen=True)
class TokenStatus:
    """What may be shown about the credential: no secrets, ever."""

    connected: bool
    needs_reconnect: bool = False
    user_id: int | None = None
    scope: str | None = None
    access_expires_at: datetime | None = None
    connected_at: datetime | None = None
    last_refresh_at: datetime | None = None
    last_error: str | None = None
    link_pending: bool = False

    def as_dict(self) -> dict[str, object]:
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in vars(self).items()}


@dataclass(frozen=True)
class Credential:
    """The decrypted tokens and what goes with them; ``repr`` hides the tokens."""

    refresh_token: str = field(repr=False)
    access_token: str | None = field(repr=False)
    access_expires_at: datetime | None
    device_id: str
    user_id: int | None
    scope: str


def _utc(moment: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes even for timezone-aware columns; we only ever store UTC.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


class AuthStore:
    """The ``admin`` row of vk_auth_tokens; ``box`` is needed only by methods that touch secrets."""

    def __init__(self, engine: Engine, box: SecretBox | None, name: str = ADMIN):
        self._engine = engine
        self._box = box
        self._name = name

    def _secrets(self) -> SecretBox:
        if self._box is None:
            # Callers that handle secrets always build the store with a box; this is a programming error.
            raise RuntimeError("this AuthStore was opened without an encryption key")
        return self._box

    def _row(self, session: Session, now: datetime) -> AuthTokenRow:
        row = session.get(AuthTokenRow, self._name)
        if row is None:
            row = AuthTokenRow(name=self._name, updated_at=now)
            session.add(row)
        return row

    # -- reading -------------------------------------------------------------------------------------

    def status(self) -> TokenStatus:
        with Session(self._engine) as session:
            row = session.get(AuthTokenRow, self._name)
            if row is None:
                return TokenStatus(connected=False)
            return TokenStatus(
                connected=row.refresh_token_enc is not None and not row.needs_reconnect,
                needs_reconnect=row.needs_reconnect,
                user_id=row.user_id,
                scope=row.scope,
                access_expires_at=_utc(row.access_expires_at),
                connected_at=_utc(row.connected_at),
                last_refresh_at=_utc(row.last_refresh_at),
                last_error=row.last_error,
                link_pending=row.pending_state is not None,
            )

    def credential(self) -> Credential | None:
        """The usable credential, or None when never connected or VK ID refused it."""
        with Session(self._engine) as session:
            row = session.get(AuthTokenRow, self._name)
            if row is None or row.refresh_token_enc is None or row.needs_reconnect:
                return None
            box = self._secrets()
            return Credential(
                refresh_token=box.decrypt(row.refresh_token_enc),
                access_token=box.decrypt(row.access_token_enc) if row.access_token_enc else None,
                access_expires_at=_utc(row.access_expires_at),
                device_id=row.device_id or "",
                user_id=row.user_id,
                scope=row.scope or "",
            )

    # -- the connect flow ----------------------------------------------------------------------------

    def begin_connect(self, state: str, verifier: str, now: datetime) -> None:
        """Remember the printed link's state and verifier until the redirect comes back."""
        with Session(self._engine) as session:
            row = self._row(session, now)
            row.pending_state = state
            row.pending_verifier_enc = self._secrets().encrypt(verifier)
            row.pending_created_at = now
            row.updated_at = now
            session.commit()

    def pending_verifier(self, state: str, now: datetime, ttl_s: int) -> str:
        """The verifier of the link whose redirect carries ``state``; ``ConnectError`` if there is none."""
        with Session(self._engine) as session:
            row = session.get(AuthTokenRow, self._name)
            if row is None or row.pending_state is None or row.pending_verifier_enc is None:
                raise ConnectError("no authorize link is waiting: run `vkbot connect` to get one")
            if row.pending_state != state:
                raise ConnectError(
                    "this redirect answers another link (its state differs): use the newest link printed"
                )
            created = _utc(row.pending_created_at)
            if created is not None and now - created > timedelta(seconds=ttl_s):
                raise ConnectError("the authorize link is too old: run `vkbot connect` for a new one")
            return self._secrets().decrypt(row.pending_verifier_enc)

    def save_connected(self, grant: TokenGrant, device_id: str, now: datetime) -> None:
        with Session(self._engine) as session:
            row = self._row(session, now)
            row.user_id = grant.user_id
            row.device_id = device_id
            row.connected_at = now
            row.needs_reconnect = False
            row.pending_state = row.pending_verifier_enc = None
            row.pending_created_at = None
            self._apply(row, grant, now)
            session.commit()

    # -- refreshing ----------------------------------------------------------------------------------

    def save_refreshed(self, grant: TokenGrant, now: datetime) -> None:
        with Session(self._engine) as session:
            row = self._row(session, now)
            self._apply(row, grant, now)
            session.commit()

    def _apply(self, row: AuthTokenRow, grant: TokenGrant, now: datetime) -> None:
        box = self._secrets()
        row.refresh_token_enc = box.encrypt(grant.refresh_token)
        row.access_token_enc = box.encrypt(grant.access_token)
        row.access_expires_at = grant.expires_at(now)
        row.scope = grant.scope
        row.last_refresh_at = now
        row.last_error = None
        row.updated_at = now

    def mark_refused(self, reason: str, now: datetime) -> None:
        """VK ID refused the refresh token: forget the dead tokens and ask for a new connect."""
        with Session(self._engine) as session:
            row = self._row(session, now)
            row.needs_reconnect = True
            row.refresh_token_enc = row.access_token_enc = None
            row.access_expires_at = None
            row.last_error = reason
            row.updated_at = now
            session.commit()

    def record_error(self, reason: str, now: datetime) -> None:
        with Session(self._engine) as session:
            row = self._row(session, now)
            row.last_error = reason
            row.updated_at = now
            session.commit()

    def forget(self) -> bool:
        """Delete the credential (``vkbot disconnect``); True when there was one."""
        with Session(self._engine) as session:
            row = session.get(AuthTokenRow, self._name)
            if row is None:
                return False
            session.delete(row)
            session.commit()
            return True
