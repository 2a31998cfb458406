"""Translations between VK's shapes and the domain packages' plain types."""
