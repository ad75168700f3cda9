"""The channel-agnostic core: message types, button payloads, what a channel can show and the
fitting of replies to it. It imports nothing else of the bot."""
