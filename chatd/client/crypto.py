"""End-to-end encryption in the bundled client: the identity key, fingerprints, sealing and opening envelopes.

Nothing here is home-made: every box is NaCl's ``crypto_box`` (X25519 and
XSalsa20-Poly1305, authenticated by the sender's key) through PyNaCl, the
same construction the page uses through libsodium, so both read each
other's bytes (tests/vectors/e2e.json proves it). docs/PROTOCOL.md,
"Encrypted private messages", is the wire form: an envelope is standard
base64 of the JSON ``{"v":1,"from":KEY,"to":{KEY: NONCE + ":" + BOX}}``,
one box per recipient key, each with its own random 24-byte nonce.
"""

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from nacl.exceptions import CryptoError
from nacl.public import Box, PrivateKey, PublicKey
from nacl.utils import random

from chatd.keylog import KEY_BYTES, is_public_key

NONCE_BYTES = Box.NONCE_SIZE
FINGERPRINT_BYTES = 16
"""A fingerprint is the first 16 bytes of SHA-256 of the public key: 32 hex digits to compare."""

ENVELOPE_VERSION = 1


class EnvelopeError(Exception):
    """An envelope that cannot be read: not of the contract's shape, no box for this key, or altered."""


class NotSealedForMeError(EnvelopeError):
    """A well-formed envelope with no box for this device's key: sealed before this device had its key (or by
    someone who had not yet fetched it), not altered. People are told the two apart."""


class IdentityError(Exception):
    """The identity key file cannot be used; the text is one sentence naming it."""


def b64(data: bytes) -> str:
    """Standard base64 with padding: how keys, nonces and boxes travel."""
    return base64.b64encode(data).decode("ascii")


def unb64(text: str, size: int | None = None) -> bytes:
    """The bytes of standard base64 ``text`` (of ``size`` bytes, if given); raises ValueError."""
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as problem:
        raise ValueError(f"not base64: {problem}") from None
    if size is not None and len(data) != size:
        raise ValueError(f"{len(data)} bytes, not {size}")
    return data


def fingerprint(public_key: str) -> str:
    """What people compare: SHA-256 of the 32 key bytes, its first 16 as 8 groups of 4 hex digits."""
    digest = hashlib.sha256(unb64(public_key, KEY_BYTES)).hexdigest()[: FINGERPRINT_BYTES * 2]
    return " ".join(digest[at : at + 4] for at in range(0, len(digest), 4))


def fingerprints(public_keys: Iterable[str]) -> list[str]:
    """A contact's fingerprints: each of their keys', sorted."""
    return sorted(fingerprint(key) for key in public_keys)


def same_fingerprint(typed: str, public_keys: Iterable[str]) -> bool:
    """True if ``typed`` (spaces, commas and case aside) is the contact's fingerprints, all of them in order."""
    wanted = "".join(fingerprints(public_keys)).replace(" ", "")
    given = "".join(char for char in typed.lower() if char not in " ,:-")
    return bool(wanted) and given == wanted


@dataclass(frozen=True, slots=True)
class Identity:
    """This install's key pair (a "device key")."""

    secret: PrivateKey

    @property
    def public(self) -> str:
        """The public key as it travels: base64 of 32 bytes."""
        return b64(bytes(self.secret.public_key))

    @classmethod
    def load_or_make(cls, path: str) -> "Identity":
        """The key in ``path`` (32 raw bytes), made there with mode 0600 on first use; raises IdentityError.

        The file is created with O_EXCL at mode 0600, so there is no moment
        at which another user could read it; its folder is made 0700.
        """
        try:
            with open(path, "rb") as file:
                raw = file.read(KEY_BYTES + 1)
        except FileNotFoundError:
            return cls._make(path)
        except OSError as error:
            raise IdentityError(f"cannot read the identity key {path}: {error.strerror}.") from None
        if len(raw) != KEY_BYTES:
            raise IdentityError(f"the identity key {path} is not 32 bytes: move it away to make a new one.")
        return cls(PrivateKey(raw))

    @classmethod
    def _make(cls, path: str) -> "Identity":
        secret = PrivateKey.generate()
        try:
            os.makedirs(os.path.dirname(path) or ".", mode=0o700, exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as file:
                file.write(bytes(secret))
        except OSError as error:
            raise IdentityError(f"cannot write the identity key {path}: {error.strerror}.") from None
        return cls(secret)


@dataclass(frozen=True, slots=True)
class Opened:
    """An envelope opened: the key that sealed it and the text."""

    sender: str
    text: str


def seal(
    text: str,
    sender: PrivateKey,
    recipients: Iterable[str],
    nonce: Callable[[], bytes] = lambda: random(NONCE_BYTES),
) -> str:
    """The envelope of ``text`` for each key of ``recipients``: one box each, each with a fresh nonce.

    ``nonce`` is for the test vectors only; in use each box gets 24
    random bytes from the system's generator. Raises ValueError for a
    recipient that is no public key.
    """
    plaintext = text.encode("utf-8")
    boxes = {}
    for key in sorted(set(recipients)):
        box = Box(sender, PublicKey(unb64(key, KEY_BYTES)))
        sealed = box.encrypt(plaintext, nonce())
        boxes[key] = f"{b64(sealed.nonce)}:{b64(sealed.ciphertext)}"
    body = {"v": ENVELOPE_VERSION, "from": b64(bytes(sender.public_key)), "to": boxes}
    return b64(json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8"))


def open_envelope(envelope: str, me: Identity) -> Opened:
    """The text of the box ``envelope`` holds for ``me``, checked against its ``from`` key; raises EnvelopeError
    (NotSealedForMeError when it holds no box for ``me``)."""
    body = _body(envelope)
    if not isinstance(body, dict) or body.get("v") != ENVELOPE_VERSION:
        raise EnvelopeError("not a version 1 envelope")
    sender, boxes = body.get("from"), body.get("to")
    if not is_public_key(sender) or not isinstance(boxes, dict):
        raise EnvelopeError("no sender key or no boxes")
    assert isinstance(sender, str)
    sealed = boxes.get(me.public)
    if not isinstance(sealed, str):
        raise NotSealedForMeError("no box for this device's key")
    nonce_text, _, box_text = sealed.partition(":")
    try:
        nonce, ciphertext = unb64(nonce_text, NONCE_BYTES), unb64(box_text)
        plaintext = Box(me.secret, PublicKey(unb64(sender, KEY_BYTES))).decrypt(ciphertext, nonce)
        return Opened(sender, plaintext.decode("utf-8"))
    except (ValueError, CryptoError):
        # UnicodeDecodeError is a ValueError: a box that opens to no text is as bad as an altered one.
        raise EnvelopeError("the box does not open: altered, or sealed with another key") from None


def _body(envelope: str) -> object:
    """What ``envelope`` holds: JSON in base64; raises EnvelopeError if it is not."""
    try:
        return json.loads(unb64(envelope))
    except (ValueError, RecursionError):
        # RecursionError: arrays nested a thousand deep, deeper than Python's JSON reader goes, which only a
        # hostile server could send (it refuses them from a client): as undecodable as any other.
        raise EnvelopeError("not base64 of JSON") from None


def envelope_sender(envelope: str) -> str | None:
    """The ``from`` key of an envelope, unchecked (None if it has none): who it claims sealed it."""
    try:
        body = _body(envelope)
    except EnvelopeError:
        return None
    sender = body.get("from") if isinstance(body, dict) else None
    return sender if is_public_key(sender) else None
