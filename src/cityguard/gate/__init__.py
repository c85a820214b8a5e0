"""Orchestration of the three-synchronous CI gate: stage rules, evidence and thresholds."""
