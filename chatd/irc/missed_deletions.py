"""The deletions a ``CHATHISTORY LATEST #room msgid=REF`` tells before its batch, within a resume's bound.

A client back after a drop is told each line up to REF deleted since (up
to 1,000: chatd.domain.resume), as it was told live: a REDACT, or a NOTICE
in words without draft/message-redaction. A thousand with long reasons
come to more than the send queue on their own, so they share the line
protocol's bound (``RESUMED_BYTES``) with the batch after them. The batch
is what the client asked for, and its limit keeps it small: it takes its
bytes first, and the first deletions that fit in the rest are told. IRC
has no marker to count the others in, as the line protocol's resume does:
a NOTICE to the room says how many there were and how many were told.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from chatd.domain.events import Deleted, Event
from chatd.frontend.flood import RESUMED_BYTES, first_fitting
from chatd.irc.lines import Shape, line
from chatd.irc.message import Message
from chatd.text import counted

if TYPE_CHECKING:
    from chatd.irc.session import IRCSession


def told_deletions(
    session: "IRCSession", room: str, deleted: Sequence[Deleted], lines: Sequence[Event]
) -> bytes:
    """What ``session`` is told of ``deleted`` (oldest first) before a batch of ``lines`` of ``room``: the first
    deletions that fit in ``RESUMED_BYTES`` with the lines (as rendered, the batch's framing aside), then, if any
    were left out, the NOTICE that counts them."""
    render, shape = session.factory.events.render, Shape(session.shape)
    room_left = RESUMED_BYTES - sum(len(render(event, shape)) for event in lines)
    said = [session.factory.deleted_to(session, event) for event in deleted]
    told = said[: first_fitting(said, room_left)]
    if len(told) == len(deleted):
        return b"".join(told)
    text = (
        f"{counted(len(deleted), 'line')} of {room} up to there were deleted since, the first {len(told)} told: "
        "too many to send at once"
    )
    notice = Message(source=session.factory.server_name, command="NOTICE", params=(room, text), trailing=True)
    return b"".join(told) + line(notice)
