"""The VK API client package: ``VkClient``, its error tree and the token routing table."""

from vkbot.api.client import DownloadTooLarge, VkClient, encode_params
from vkbot.api.errors import (
    AccessDenied,
    AuthFailed,
    CannotMessageUser,
    Captcha,
    FloodControl,
    GroupAuthFailed,
    InternalError,
    MessageTooLong,
    TooManyRequests,
    UserTokenMissing,
    VkApiError,
    VkError,
    VkTransportError,
    error_from_payload,
    is_retryable,
)
from vkbot.api.tokens import USER_TOKEN_METHODS, StaticUserToken, UserTokenSource

__all__ = [
    "USER_TOKEN_METHODS",
    "AccessDenied",
    "AuthFailed",
    "CannotMessageUser",
    "Captcha",
    "DownloadTooLarge",
    "FloodControl",
    "GroupAuthFailed",
    "InternalError",
    "MessageTooLong",
    "StaticUserToken",
    "TooManyRequests",
    "UserTokenMissing",
    "UserTokenSource",
    "VkApiError",
    "VkClient",
    "VkError",
    "VkTransportError",
    "encode_params",
    "error_from_payload",
    "is_retryable",
]
