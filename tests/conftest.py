"""Shared fixtures: the sandbox is started once per run and reset before each test that uses it."""
