"""Effects: everything that acts on VK (the outbox and its sender, clip delivery, wall publishing)."""
