"""The admin user token: VK ID connect flow, encrypted storage, refreshing provider, degraded-mode report."""

from vkbot.auth.degraded import Capability, capabilities
from vkbot.auth.provider import AdminTokenProvider, make_admin_token_provider
from vkbot.auth.secretbox import MissingSecretKey, SecretBox, UnreadableSecret
from vkbot.auth.settings import AuthSettings
from vkbot.auth.store import TokenStatus
from vkbot.auth.vkid import VkIdClient, VkIdError, VkIdRefused, VkIdUnavailable

__all__ = [
    "AdminTokenProvider",
    "AuthSettings",
    "Capability",
    "MissingSecretKey",
    "SecretBox",
    "TokenStatus",
    "UnreadableSecret",
    "VkIdClient",
    "VkIdError",
    "VkIdRefused",
    "VkIdUnavailable",
    "capabilities",
    "make_admin_token_provider",
]
