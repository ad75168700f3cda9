"""WhatsApp through Meta's Cloud API: signed web-hooks in, pywa out, Reply -> Graph API calls."""
