"""Village Academy: bite-sized lessons on selling online, delivered in a chat."""

__version__ = "0.1.0"
