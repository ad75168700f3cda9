"""WeChat's signatures and safe mode (安全模式), from the official account's server settings.

Every call WeChat makes to the server URL carries `timestamp`, `nonce` and `signature`: the
SHA1 of the Token, the timestamp and the nonce, sorted as strings and joined. In safe mode a
POST also carries `msg_signature`, the same over the four strings with the message's `Encrypt`,
and the message is AES-256-CBC with the EncodingAESKey: 43 base64 characters (plus "=") are the
32-byte key, whose first 16 bytes are the IV; the plaintext is 16 random bytes, the message's
length (4 bytes, big-endian), the XML and the account's AppID, padded PKCS#7-style to a multiple
of 32 bytes (1 to 32 bytes of padding, never 0).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

# A call signed longer ago than this (or this far in the future: a clock off) is refused, so a
# captured call cannot be played again later. WeChat signs each call as it sends it.
REPLAY_WINDOW = 300.0
KEY_CHARACTERS = 43
BLOCK = 32  # WeChat pads to 32 bytes, not AES's 16
RANDOM_BYTES = 16
LENGTH_BYTES = 4


class SafeModeError(ValueError):
    """A message that cannot be WeChat's for this account: it does not decrypt, its padding or
    length is wrong, or it names another AppID."""


def signature_of(*parts: str) -> str:
    """WeChat's signature of `parts`: the SHA1 (hex) of the strings sorted and joined."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def url_signature(token: str, timestamp: str, nonce: str) -> str:
    """The `signature` of every call: of the Token, the timestamp and the nonce."""
    return signature_of(token, timestamp, nonce)


def message_signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    """The `msg_signature` of a safe-mode message: of the Token, timestamp, nonce and Encrypt."""
    return signature_of(token, timestamp, nonce, encrypt)


def same_signature(given: str, expected: str) -> bool:
    """Whether `given` is `expected` (constant time: the comparison tells nothing of the
    signature a forger should have sent)."""
    return hmac.compare_digest(given.strip().lower().encode(), expected.encode())


def fresh(timestamp: str, now: float, window: float = REPLAY_WINDOW) -> bool:
    """Whether `timestamp` (seconds since 1970, as WeChat sends it) is within `window` of
    `now`; not a number is not fresh."""
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
        return False
    return abs(int(timestamp) - now) <= window


def aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key of an EncodingAESKey; ValueError when it is not 43 base64
    characters (as the account's server settings show it)."""
    text = encoding_aes_key.strip()
    if len(text) != KEY_CHARACTERS:
        raise ValueError(
            f"WECHAT_ENCODING_AES_KEY must be the 43 characters the server settings show "
            f"(it has {len(text)})"
        )
    try:
        key = base64.b64decode(text + "=", validate=True)
    except binascii.Error as error:
        raise ValueError(f"WECHAT_ENCODING_AES_KEY is not base64: {error}") from None
    return key  # 43 characters and "=" are always 32 bytes


def pad(data: bytes) -> bytes:
    """`data` padded to a multiple of 32 bytes: n bytes of value n, 1 <= n <= 32."""
    amount = BLOCK - len(data) % BLOCK
    return data + bytes([amount]) * amount


def unpad(data: bytes) -> bytes:
    """`data` without its padding; SafeModeError when the padding is not WeChat's."""
    amount = data[-1] if data else 0
    if not 1 <= amount <= BLOCK or amount > len(data) or data[-amount:] != bytes([amount]) * amount:
        raise SafeModeError("the padding is wrong")
    return data[:-amount]


class MessageCipher:
    """Safe mode for one account: decrypts what WeChat sends, encrypts (for replies and tests)."""

    def __init__(self, encoding_aes_key: str, app_id: str) -> None:
        self._key = aes_key(encoding_aes_key)
        self._app_id = app_id.encode()

    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16]))

    def encrypt(self, xml: bytes, *, random_prefix: bytes | None = None) -> str:
        """The `Encrypt` text of `xml` (base64); `random_prefix`: 16 fixed bytes for tests."""
        prefix = os.urandom(RANDOM_BYTES) if random_prefix is None else random_prefix
        if len(prefix) != RANDOM_BYTES:
            raise ValueError("the random prefix is 16 bytes")
        plain = prefix + struct.pack(">I", len(xml)) + xml + self._app_id
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(pad(plain)) + encryptor.finalize()).decode()

    def decrypt(self, encrypted: str) -> bytes:
        """The XML inside an `Encrypt` text; SafeModeError when it is not base64 of whole AES
        blocks, its padding or length is wrong, or it was made for another AppID."""
        try:
            data = base64.b64decode(encrypted.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise SafeModeError("Encrypt is not base64") from None
        if not data or len(data) % 16:
            raise SafeModeError("Encrypt is not whole AES blocks")
        decryptor = self._cipher().decryptor()
        plain = unpad(decryptor.update(data) + decryptor.finalize())
        head = RANDOM_BYTES + LENGTH_BYTES
        if len(plain) < head:
            raise SafeModeError("the message is too short")
        (length,) = struct.unpack(">I", plain[RANDOM_BYTES:head])
        if length > len(plain) - head:
            raise SafeModeError("the message's length is wrong")
        xml, app_id = plain[head : head + length], plain[head + length :]
        if not hmac.compare_digest(app_id, self._app_id):
            raise SafeModeError("the message is for another AppID")
        return xml
