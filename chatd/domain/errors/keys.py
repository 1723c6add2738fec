"""Refusals of device keys and encrypted messages (issue 17)."""

from dataclasses import dataclass

from chatd.domain.errors.base import ChatError


@dataclass(eq=False)
class NoSuchAccountError(ChatError):
    """No account has the nickname ``nick``: it has no keys, and takes no encrypted message (issue 17)."""

    code = "no-such-account"
    nick: str


@dataclass(eq=False)
class BadKeyError(ChatError):
    """What was given as a public key is not standard base64 of 32 bytes."""

    code = "bad-key"


@dataclass(eq=False)
class TooManyKeysError(ChatError):
    """The account has ``most`` keys published already: one must be dropped first."""

    code = "too-many-keys"
    most: int


@dataclass(eq=False)
class KeyChangesThrottledError(ChatError):
    """The account changed its keys (``/key publish``, ``/key drop``) as often as a day allows
    (``KEY_CHANGES_PER_DAY``); the next in ``seconds_left``."""

    code = "key-throttled"
    seconds_left: int


@dataclass(eq=False)
class KeyPublishesThrottledError(ChatError):
    """Keys were published from the user's address (its /64, for IPv6) as often as a day allows
    (``KEY_PUBLISHES_PER_ADDRESS_DAY``), whatever the accounts; the next in ``seconds_left``."""

    code = "key-address-throttled"
    seconds_left: int


@dataclass(eq=False)
class NoSuchKeyError(ChatError):
    """The key to drop is not one of the user's account's."""

    code = "no-such-key"


@dataclass(eq=False)
class BadEnvelopeError(ChatError):
    """An encrypted message's envelope is not of the agreed shape, or not from a key of the sender's: ``reason``."""

    code = "bad-envelope"
    reason: str


@dataclass(eq=False)
class KeysNotKeptError(ChatError):
    """This chat was built without a key store: no device keys, no encrypted messages."""

    code = "no-keys"
