"""Metrics: summary statistics and closed-form queueing theory for validation."""
