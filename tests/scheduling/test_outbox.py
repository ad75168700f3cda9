"""What the outbox keeps of a reply: everything a person would see, an edit as a new message."""

from __future__ import annotations

from pathlib import Path

from bot.core.messages import Attachment, Button, Reply
from bot.scheduling import outbox


def test_a_kept_reply_comes_back_as_it_was_but_never_as_an_edit() -> None:
    reply = Reply(
        "桃子 ✨",
        buttons=((Button("Next", "les:next:1"), Button("Menu", "menu")),),
        menu=(("▶ Lesson", "📊 My progress"),),
        image=Attachment("qr.png", data=b"\x89PNG..."),
        edit=True,
    )
    back = outbox.unpack(*outbox.pack(reply))
    assert back == Reply(reply.text, reply.buttons, reply.menu, reply.image, edit=False)


def test_files_by_reference_and_by_path_are_kept_as_references() -> None:
    reply = Reply(
        "",
        image=Attachment("photo.jpg", ref="AgACAgIAAx"),
        document=Attachment("peach.png", path=Path("content/media/peach.png")),
    )
    body, data = outbox.pack(reply)
    assert data is None
    assert outbox.unpack(body, data) == reply


def test_a_file_too_big_to_keep_is_left_out_and_the_text_kept(monkeypatch) -> None:
    monkeypatch.setattr(outbox, "MAX_KEPT_BYTES", 10)
    reply = Reply("your export", document=Attachment("export.xlsx", data=b"x" * 11))
    assert outbox.unpack(*outbox.pack(reply)) == Reply("your export")
