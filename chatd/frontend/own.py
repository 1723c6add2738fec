"""``acted``: whether a session's user is the one who did what an event says.

Front ends answer the actor's own connections unlike everyone else's: a join
is shown to the account's other connections as a room they are in, a kill is
told to the killer, an away change is a numeric on IRC. They ask it of every
recipient of an event, members of rooms of thousands among them, so it
compares nicknames as they are, not folded: nicknames are unique by their
fold, and an event carries its actor's nickname as the chat's user holds it,
so only that user's sessions hold that very string. The line front end's
delivery of a join writes this test out inline (chatd.line.session
``deliver``), where it runs for every member: a change here goes there too.
"""

from chatd.domain.events import Actor
from chatd.domain.ports import UserView


def acted(user: UserView | None, actor: Actor) -> bool:
    """Whether ``user`` (a session's, None before it has a nickname) is ``actor``."""
    return user is not None and user.nick == actor.nick
