"""WeChat's signatures and safe mode against vectors made outside Python (sha1sum, openssl) and
against the cryptography primitives used by hand."""

from __future__ import annotations

import base64
import struct

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from bot.channels.wechat.crypto import (
    REPLAY_WINDOW,
    MessageCipher,
    SafeModeError,
    aes_key,
    fresh,
    message_signature,
    pad,
    same_signature,
    unpad,
    url_signature,
)
from tests.fakes.wechat_poster import seal

TOKEN, TIMESTAMP, NONCE = "academy-token", "1764500000", "483920175"
ENCODING_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_ID = "wx1234567890abcdef"
XML = "<xml><Content><![CDATA[你好]]></Content></xml>".encode()
# Made with: printf '%s' 1764500000483920175academy-token | sha1sum
URL_SIGNATURE = "23a6914d9303e904dd0cfa633b35cc7fd9be1cf1"
# printf '%s' 1764500000483920175academy-tokenzzEncryptedText== | sha1sum
MESSAGE_SIGNATURE = "4a2b20a68258dc05b3f08fbc7b8e278f481e36cc"
# The bytes 0..15, the length 0x30, XML, APP_ID and ten 0x0a, through
# openssl enc -aes-256-cbc -nopad -K <the key in hex> -iv <its first 16 bytes> | base64
OPENSSL_ENCRYPT = (
    "IG+0eOkLdhYW9kHtuT3HY1r4tZbH6ZoKFeEJc7Csl/5MorxMYyR5HMWUPK5JlUXqpXkH1UFdXai0dr2/7SmZS2tzgy1c"
    "UzxC+T9goAWHEtTP1YcRtfPU6HtAISeWn+ku"
)
KEY = bytes.fromhex("69b71d79f8218a39259a7a29aabb2dbafc31cb3d35db7e39ebbf3d0010831051")


def by_hand(plain: bytes) -> str:
    """`plain` (already padded) encrypted with the key and IV WeChat uses, nothing else."""
    encryptor = Cipher(algorithms.AES(KEY), modes.CBC(KEY[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def test_the_signatures_are_sha1_of_the_sorted_strings() -> None:
    assert url_signature(TOKEN, TIMESTAMP, NONCE) == URL_SIGNATURE
    assert url_signature(NONCE, TOKEN, TIMESTAMP) == URL_SIGNATURE  # the order given is moot
    assert message_signature(TOKEN, TIMESTAMP, NONCE, "zzEncryptedText==") == MESSAGE_SIGNATURE
    assert url_signature(TOKEN, TIMESTAMP, NONCE + "1") != URL_SIGNATURE


def test_a_signature_is_compared_whole() -> None:
    assert same_signature(URL_SIGNATURE, URL_SIGNATURE)
    assert same_signature(URL_SIGNATURE.upper() + " ", URL_SIGNATURE)
    assert not same_signature(URL_SIGNATURE[:-1], URL_SIGNATURE)
    assert not same_signature(URL_SIGNATURE[:-1] + "0", URL_SIGNATURE)
    assert not same_signature("", URL_SIGNATURE)


def test_a_timestamp_over_five_minutes_away_is_not_fresh() -> None:
    now = 1_764_500_000.0
    assert fresh("1764500000", now)
    assert fresh(str(int(now - REPLAY_WINDOW)), now)
    assert not fresh(str(int(now - REPLAY_WINDOW - 1)), now)  # a replay
    assert not fresh(str(int(now + REPLAY_WINDOW + 1)), now)  # or a clock far off
    for junk in ("", "-5", "1e9", "１７６４５００００", "99999999999999999999"):
        assert not fresh(junk, now)


def test_the_encoding_aes_key_is_43_base64_characters() -> None:
    assert aes_key(ENCODING_AES_KEY) == KEY
    assert aes_key(f" {ENCODING_AES_KEY}\n") == KEY
    with pytest.raises(ValueError, match="43 characters"):
        aes_key(ENCODING_AES_KEY[:-1])
    with pytest.raises(ValueError, match="not base64"):
        aes_key(ENCODING_AES_KEY[:-1] + "!")


def test_padding_is_one_to_32_bytes_to_a_multiple_of_32() -> None:
    assert pad(b"") == bytes([32]) * 32
    assert pad(b"x" * 31) == b"x" * 31 + b"\x01"
    assert pad(b"x" * 32) == b"x" * 32 + bytes([32]) * 32
    assert unpad(pad(b"abc")) == b"abc"
    for bad in (b"", b"x" * 31 + b"\x00", b"x" * 31 + b"\x21", b"x" * 30 + b"\x01\x02"):
        with pytest.raises(SafeModeError, match="padding"):
            unpad(bad)


def test_encrypting_matches_openssl_and_decrypting_reads_it() -> None:
    cipher = MessageCipher(ENCODING_AES_KEY, APP_ID)
    assert cipher.encrypt(XML, random_prefix=bytes(range(16))) == OPENSSL_ENCRYPT
    assert cipher.decrypt(OPENSSL_ENCRYPT) == XML


def test_a_message_built_by_hand_decrypts_and_a_round_trip_holds() -> None:
    plain = b"R" * 16 + struct.pack(">I", len(XML)) + XML + APP_ID.encode()
    cipher = MessageCipher(ENCODING_AES_KEY, APP_ID)
    assert cipher.decrypt(by_hand(pad(plain))) == XML
    assert cipher.decrypt(seal(XML, ENCODING_AES_KEY, APP_ID)) == XML  # the poster's own
    long_xml = "<xml><Content>长</Content></xml>".encode() * 500
    assert cipher.decrypt(cipher.encrypt(long_xml)) == long_xml
    assert cipher.encrypt(XML) != cipher.encrypt(XML)  # 16 random bytes in front


def test_what_is_not_for_this_account_is_refused() -> None:
    cipher = MessageCipher(ENCODING_AES_KEY, APP_ID)
    for encrypted, reason in [
        (seal(XML, ENCODING_AES_KEY, "wx0000000000000000"), "another AppID"),
        (seal(XML, "A" * 43, APP_ID), "padding|AppID|length"),  # another key
        ("not base64 at all!", "not base64"),
        (base64.b64encode(b"x" * 20).decode(), "whole AES blocks"),
        ("", "whole AES blocks"),
    ]:
        with pytest.raises(SafeModeError, match=reason):
            cipher.decrypt(encrypted)


def test_a_wrong_length_or_padding_inside_is_refused() -> None:
    cipher = MessageCipher(ENCODING_AES_KEY, APP_ID)
    head = b"R" * 16
    too_long = head + struct.pack(">I", 5000) + XML + APP_ID.encode()
    with pytest.raises(SafeModeError, match="length"):
        cipher.decrypt(by_hand(pad(too_long)))
    short = pad(b"R" * 10)
    with pytest.raises(SafeModeError, match="too short"):
        cipher.decrypt(by_hand(short))
    unpadded = head + struct.pack(">I", len(XML)) + XML + APP_ID.encode()
    unpadded += b"\x00" * (32 - len(unpadded) % 32)  # zeros are not WeChat's padding
    with pytest.raises(SafeModeError, match="padding"):
        cipher.decrypt(by_hand(unpadded))
    # A byte of the ciphertext changed: the AppID (or the padding) no longer reads right.
    raw = bytearray(base64.b64decode(OPENSSL_ENCRYPT))
    raw[-20] ^= 0x01
    with pytest.raises(SafeModeError):
        cipher.decrypt(base64.b64encode(bytes(raw)).decode())


def test_a_prefix_other_than_16_bytes_is_a_mistake() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        MessageCipher(ENCODING_AES_KEY, APP_ID).encrypt(XML, random_prefix=b"short")
