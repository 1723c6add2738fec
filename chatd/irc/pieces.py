"""How a chat line becomes PRIVMSGs: a chatd message may hold several lines (a paste) and be longer than IRC's 512 bytes.

Each line is one PRIVMSG, split at a character boundary where the source
and target leave too little room; an action's pieces each leave room for
the CTCP wrapping.
"""

from collections.abc import Iterator

from chatd.irc.framing import MESSAGE_LIMIT

ACTION = "\x01ACTION "
"""How CTCP wraps ``/me``: ``\\x01ACTION waves\\x01``."""

ACTION_RESERVE = 10
"""Bytes of a PRIVMSG's room for text that each piece of an action leaves for the CTCP wrapping."""


def text_room(source: str, target: str) -> int:
    """Bytes a PRIVMSG line from ``source`` to ``target`` leaves for its text."""
    return MESSAGE_LIMIT - len(f":{source} PRIVMSG {target} :\r\n".encode())


def split_text(room: int, text: str, reserve: int = 0) -> Iterator[str]:
    """The lines of ``text``, each cut at character boundaries into pieces of at most ``room - reserve`` bytes."""
    limit = room - reserve
    for piece in text.split("\n"):
        encoded = piece.encode("utf-8")
        while len(encoded) > limit:
            cut = limit
            while encoded[cut] & 0xC0 == 0x80:  # not inside a character
                cut -= 1
            yield encoded[:cut].decode("utf-8")
            encoded = encoded[cut:]
        yield encoded.decode("utf-8")
