from bot.core.messages import Incoming, Kind, Sender

SENDER = Sender("test", "1")


def test_command_with_arguments_and_bot_name() -> None:
    incoming = Incoming.from_text(SENDER, "/Start@academy_bot  abc123 ")
    assert incoming.kind is Kind.command
    assert incoming.command == "start"
    assert incoming.text == "abc123"


def test_text_that_only_looks_like_a_command_stays_text() -> None:
    for text in ("/", "/ hello", "3/4 of a box", "/¿qué?"):
        incoming = Incoming.from_text(SENDER, text)
        assert incoming.kind is Kind.text, text
        assert incoming.text == text


def test_button_keeps_its_payload() -> None:
    incoming = Incoming.button(SENDER, "lang:zh", message_ref="7")
    assert (incoming.kind, incoming.payload, incoming.message_ref) == (Kind.button, "lang:zh", "7")
