"""Publishing consented clips to the community wall on a schedule (APScheduler)."""
