"""Which token a VK method needs: the community token, or the admin user token (vk-api.md section 3).

A community token gets error 27 on the methods in ``USER_TOKEN_METHODS``; the client routes those to a
``UserTokenSource`` (the VK ID refresh flow lives elsewhere and only has to satisfy that protocol).
"""

from __future__ import annotations

from typing import Protocol

# The one table of user-token-only methods (vk-api.md 0.5 and section 3). wall.get/getComments are
# user/service only; the others are user-only.
USER_TOKEN_METHODS: frozenset[str] = frozenset(
    {
        "wall.post",
        "wall.edit",
        "wall.delete",
        "wall.get",
        "wall.getComments",
        "wall.getComment",
        "wall.deleteComment",
        "wall.restoreComment",
        "wall.closeComments",
        "wall.openComments",
        "groups.ban",
        "groups.unban",
        "video.save",
        "photos.getWallUploadServer",
        "photos.saveWallPhoto",
    }
)


def needs_user_token(method: str) -> bool:
    """True when ``method`` must be called with the admin user token."""
    return method in USER_TOKEN_METHODS


class UserTokenSource(Protocol):
    """Supplies the admin user token (VK ID, one-hour access tokens renewed by a refresh token)."""

    async def access_token(self) -> str | None:
        """The current access token, or None when the admin never authorised the suite."""
        ...

    async def refresh_after_auth_error(self) -> str | None:
        """Called after VK said 5 (auth failed): refresh and return the new token, or None if that failed."""
        ...


class StaticUserToken:
    """A fixed user token (tests, the sandbox, or a token pasted by hand); it cannot refresh."""

    def __init__(self, token: str | None):
        self._token = token or None

    async def access_token(self) -> str | None:
        return self._token

    async def refresh_after_auth_error(self) -> str | None:
        return None

    def __repr__(self) -> str:
        return f"StaticUserToken(set={self._token is not None})"
