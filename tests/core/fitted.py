"""Helpers of the fitting tests: a fitted message as plain data (what the golden files hold),
and every limit of a channel checked on it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.core.capabilities import Capabilities
from bot.core.messages import Purpose, Reply


def shown(reply: Reply) -> dict[str, Any]:
    """What a person sees of `reply` (and the payloads behind it), leaving out defaults."""
    seen: dict[str, Any] = {}
    if reply.text:
        seen["text"] = reply.text
    if reply.buttons:
        seen["buttons"] = [[f"{b.label} -> {b.payload}" for b in row] for row in reply.buttons]
    if reply.choice_list is not None:
        seen["list"] = {
            "opener": reply.choice_list.opener,
            "rows": [[row.title, row.description, row.payload] for row in reply.choice_list.rows],
        }
    if reply.numbered:
        seen["numbered"] = {str(choice.number): choice.payload for choice in reply.numbered}
    if reply.menu is not None:
        seen["menu"] = [list(row) for row in reply.menu]
    for kind, attachment in (("image", reply.image), ("document", reply.document)):
        if attachment is not None:
            seen[kind] = attachment.filename
    if reply.edit:
        seen["edit"] = True
    if reply.purpose is not Purpose.answer:
        seen["purpose"] = reply.purpose.value
    return seen


def limits_broken(messages: Sequence[Reply], caps: Capabilities) -> list[str]:
    """Every way `messages` break the channel's limits (none: an empty list)."""
    broken: list[str] = []
    size = caps.measure
    if caps.replies_per_message is not None and len(messages) > caps.replies_per_message:
        broken.append(f"{len(messages)} messages, budget {caps.replies_per_message}")
    for n, m in enumerate(messages):
        at = f"message {n + 1}"
        buttons = [b for row in m.buttons for b in row]
        files = [a for a in (m.image, m.document) if a is not None]
        if files:
            limit = caps.caption_limit
        elif buttons or m.choice_list:
            limit = caps.text_limit_with_buttons
        else:
            limit = caps.text_limit
        if files and buttons:
            limit = min(limit, caps.text_limit_with_buttons)
        if size(m.text) > limit:
            broken.append(f"{at}: text of {size(m.text)} over {limit}")
        if len(files) > 1:
            broken.append(f"{at}: two files")
        if not m.text and not files and not buttons and not m.choice_list and m.menu is None:
            broken.append(f"{at}: empty")
        if len(buttons) > caps.max_buttons:
            broken.append(f"{at}: {len(buttons)} buttons")
        broken += [
            f"{at}: label {b.label!r}" for b in buttons if size(b.label) > caps.button_label_limit
        ]
        payloads = [b.payload for b in buttons]
        if m.choice_list is not None:
            rows = m.choice_list.rows
            if len(rows) > caps.max_list_rows:
                broken.append(f"{at}: {len(rows)} list rows")
            if size(m.choice_list.opener) > caps.button_label_limit:
                broken.append(f"{at}: opener {m.choice_list.opener!r}")
            for row in rows:
                if size(row.title) > caps.list_title_limit:
                    broken.append(f"{at}: row title {row.title!r}")
                if size(row.description) > caps.list_description_limit:
                    broken.append(f"{at}: row description {row.description!r}")
            payloads += [row.payload for row in rows]
        if caps.payload_limit:
            broken += [
                f"{at}: payload {p!r}" for p in payloads if len(p.encode()) > caps.payload_limit
            ]
        if m.edit and not caps.edits:
            broken.append(f"{at}: an edit")
        if m.menu is not None and not caps.persistent_menu:
            broken.append(f"{at}: a menu")
        if m.document is not None and not caps.documents:
            if not caps.documents_as_links:
                broken.append(f"{at}: a document")
            elif m.text or m.image or m.buttons or m.numbered or m.choice_list:
                broken.append(f"{at}: a document to link, not alone")
        if m.image is not None and not caps.images:
            broken.append(f"{at}: an image")
    return broken
