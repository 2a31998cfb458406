"""Ingress: what comes in from VK (long poll, history gap filling, typed events)."""
