"""The runtime: one lifecycle for every channel (database, content reload, delivery ticker,
monitoring, web server), the worker supervisor, and the protocol a channel implements.

Names are imported on first use, so `academy --help` or `academy db status` do not load the
handlers, the courses and the question index.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.runtime.channel import Channel, Offers, StartupError
    from bot.runtime.core import Runtime, open_runtime, setup_logging
    from bot.runtime.loop import run_async

_WHERE = {
    "Channel": "bot.runtime.channel",
    "Offers": "bot.runtime.channel",
    "StartupError": "bot.runtime.channel",
    "Runtime": "bot.runtime.core",
    "open_runtime": "bot.runtime.core",
    "setup_logging": "bot.runtime.core",
    "run_async": "bot.runtime.loop",
}
__all__ = [
    "Channel",
    "Offers",
    "Runtime",
    "StartupError",
    "open_runtime",
    "run_async",
    "setup_logging",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'bot.runtime' has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)
