"""Upkeep beside the main path: health, alerts, backup, reconciliation, scheduled jobs, status."""
