"""Telegram through aiogram 3: long polling or webhook, flood control, Reply -> Bot API."""
