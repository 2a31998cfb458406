"""VK API errors as the sandbox raises them inside method handlers (code and VK's message)."""

from __future__ import annotations

MESSAGES: dict[int, str] = {
    1: "Unknown error occurred",
    3: "Unknown method passed",
    5: "User authorization failed: invalid access_token (4).",
    6: "Too many requests per second",
    7: "Permission to perform this action is denied",
    9: "Flood control",
    10: "Internal server error",
    12: "Unable to compile code",
    13: "Runtime error occurred during code invocation",
    14: "Captcha needed",
    15: "Access denied",
    18: "User was deleted or banned",
    27: "Group authorization failed: method is unavailable with group auth.",
    29: "Rate limit reached",
    100: "One of the parameters specified was missing or invalid",
    104: "Not found",
    113: "Invalid user id",
    121: "Invalid hash",
    211: "Access to wall's comment denied",
    901: "Can't send messages for users without permission",
    911: "Keyboard format is invalid",
    914: "Message is too long",
    924: "Can't delete this message for everybody",
}


class VkError(Exception):
    """A VK error answer: ``{"error": {"error_code": code, "error_msg": msg, ...}}``."""

    def __init__(self, code: int, detail: str | None = None) -> None:
        base = MESSAGES.get(code, "Unknown error occurred")
        self.code = code
        self.msg = f"{base}: {detail}" if detail else base
        super().__init__(f"[{code}] {self.msg}")


def missing(name: str) -> VkError:
    return VkError(100, f"{name} is undefined")


def invalid(name: str, why: str) -> VkError:
    return VkError(100, f"{name} {why}")
