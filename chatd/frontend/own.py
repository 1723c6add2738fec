"""``acted``: whether a session's user is the one who did what an event says; ``news_of``: whom a coming or going
is no news to.

Front ends answer the actor's own connections unlike everyone else's: a join
is shown to the account's other connections as a room they are in, a kill is
told to the killer, an away change is a numeric on IRC. They ask it of every
recipient of an event, members of rooms of thousands among them, so it
compares nicknames as they are, not folded: nicknames are unique by their
fold, and an event carries its actor's nickname as the chat's user holds it,
so only that user's sessions hold that very string. The line front end's
delivery of a join writes this test out inline (chatd.line.delivery
``deliver``), where it runs for every member: a change here goes there too.

Someone's coming or going is news to everyone else in the room, which may
wait a moment to go out with other bytes (``Sink.write_later``); to them it
is the answer to what they asked, sent at once.
"""

from chatd.domain.events import Actor, CrowdTallied, Event, Joined, NickChanged, Parted, Quit
from chatd.domain.ports import UserView

PRESENCE = (Joined, Parted, Quit, NickChanged, CrowdTallied)
"""Comings and goings, and a big room's tally of them (chatd.domain.crowds)."""


def acted(user: UserView | None, actor: Actor) -> bool:
    """Whether ``user`` (a session's, None before it has a nickname) is ``actor``."""
    return user is not None and user.nick == actor.nick


def news_of(event: Event) -> tuple[str, ...] | None:
    """The nicknames of whoever ``event`` tells others came or went (both of a rename; none of a tally), to whose
    sessions it is no news but an answer; None if it tells no coming or going (``PRESENCE``)."""
    if not isinstance(event, PRESENCE):
        return None
    if isinstance(event, NickChanged):
        return (event.actor.nick, event.new)
    if isinstance(event, CrowdTallied):
        return ()
    return (event.actor.nick,)
