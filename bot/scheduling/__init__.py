"""Scheduled messages: delivery rows are the truth; APScheduler only ticks."""
