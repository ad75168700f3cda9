"""The channel-agnostic core: message types, routing, the per-message pipeline."""
