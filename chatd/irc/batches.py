"""IRCv3 batches: the ``BATCH`` lines that open and close one, and the references that name them.

Every batch the IRC front end sends is made here: a ``chathistory`` read
and a ``draft/chathistory-targets`` listing (chatd.irc.history), and a
labelled answer of several lines (chatd.irc.labels). One counter names
them all, so a batch nested in another (a ``chathistory`` read in a
labelled answer) never has the reference of the one around it.
"""

from itertools import count
from typing import NamedTuple

from chatd.irc.lines import line
from chatd.irc.message import Message

_references = count(1)
"""Batch references: unique in the daemon, which is all a client needs."""


class Batch(NamedTuple):
    """One batch: its reference, for its lines' ``batch`` tag, and its opening and closing lines, from the server."""

    reference: str
    start: bytes
    end: bytes


def new_batch(server: str, kind: str, *params: str) -> Batch:
    """A batch of type ``kind`` (with its ``params``, a ``chathistory`` read's target), from ``server``, under a
    reference no other batch has."""
    reference = f"b{next(_references)}"
    start = Message(source=server, command="BATCH", params=(f"+{reference}", kind, *params))
    end = Message(source=server, command="BATCH", params=(f"-{reference}",))
    return Batch(reference, line(start), line(end))
