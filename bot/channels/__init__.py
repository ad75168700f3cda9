"""Transports: each turns its platform's updates into Incoming and sends Replies back."""
