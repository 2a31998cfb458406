"""Developer tools for the offline tier: data generators and checks, never imported at runtime."""
