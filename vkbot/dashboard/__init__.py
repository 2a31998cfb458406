"""The founder's web dashboard: queue, inbox, review of hidden items and status, on loopback behind a password.

Kept light on purpose: ``vkbot.config`` imports the settings from here, so the web modules
(``vkbot.dashboard.server`` and what it serves) are imported only by the app wiring.
"""

from vkbot.dashboard.settings import DashboardSettings

__all__ = ["DashboardSettings"]
