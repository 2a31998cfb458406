"""VK methods the sandbox serves; importing this package registers them all in ``REGISTRY``."""

from vkbot.sandbox.methods import groups, messages, uploads, wall
from vkbot.sandbox.methods.base import REGISTRY, Ctx, MethodSpec

__all__ = ["REGISTRY", "Ctx", "MethodSpec", "groups", "messages", "uploads", "wall"]
