"""Toxicity classification and the policy that keeps abuse out of the founder's sight."""
