"""Orders ingested from community messages: intake dialog, queue, consent, files, statuses."""
