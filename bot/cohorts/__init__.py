"""Cohorts and roles: who teaches whom, invite codes, who is stuck."""
