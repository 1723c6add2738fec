"""How a chat line becomes PRIVMSGs: a chatd message may hold several lines (a paste) and be longer than IRC's 512 bytes.

Each line is one PRIVMSG, split at a character boundary where the source
and target leave too little room; an action's pieces each leave room for
the CTCP wrapping.

Light (no Twisted, none of the IRC front end), because every daemon counts
a deleted line's pieces (``Deleted.parts``, ``privmsgs``) whatever it
serves: the tombstone is kept, and an IRC client may read it later, from
this daemon started again with an IRC port or from another daemon on the
same store, where a REDACT has to name each piece (``ID``, ``ID.1``...).
Counted once the line is gone, it could not be counted again.
"""

from collections.abc import Iterator

from chatd.domain.events import Acted, RoomEvent, Said
from chatd.irc.framing import MESSAGE_LIMIT
from chatd.irc.lines import source

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


def privmsgs(line: RoomEvent) -> int:
    """How many PRIVMSGs a line said or acted goes to IRC clients as (msgids ``part_id``); 1 for anything else.

    The same for every client, whatever its shape: tags have room of their
    own, outside the 512 bytes the pieces keep to. What the daemon counts a
    deleted line by (``Deleted.parts``), as chatd.irc.event_messages renders
    it: lines are said by users, so their source is a user's.
    """
    if isinstance(line, Said):
        reserve = 0
    elif isinstance(line, Acted):
        reserve = ACTION_RESERVE
    else:
        return 1
    return sum(1 for _ in split_text(text_room(source(line.actor.nick), line.room), line.text, reserve))
