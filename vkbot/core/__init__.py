"""Core: the event store, the dispatcher and the pipeline that routes events to the domain."""
