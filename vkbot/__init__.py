"""The VK side: API client, long-poll listener, sandbox, storage, outbox, CLI and wiring."""
