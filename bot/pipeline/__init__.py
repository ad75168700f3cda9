"""The per-message pipeline: routing an Incoming to its handler, the services handlers use, and
the Academy that runs one update from person to commit."""
