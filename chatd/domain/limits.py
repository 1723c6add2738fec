"""How big the chat lets things grow; one value per limit, set by the host."""

from dataclasses import dataclass

from chatd.domain.names import NICKNAME_MAX, REASON_MAX, ROOM_NAME_MAX, TOPIC_MAX

KICK_REJOIN_MOST = 86400.0
"""The longest wait a kick may have, in seconds: a day. A kick keeps its person out of one room for a while; a
longer hold is a ban's work, which an operator sets, lifts and sees in ``/bans``. A typo in ``--kick-rejoin``
(6000000 for 600) made every kick a ban of months that nobody could lift."""


@dataclass(frozen=True, slots=True)
class Limits:
    """Lengths in code points, counts in rooms; the defaults suit a public chat."""

    nickname: int = NICKNAME_MAX
    room_name: int = ROOM_NAME_MAX
    """Including the leading ``#``."""
    topic: int = TOPIC_MAX
    reason: int = REASON_MAX
    """Of a part or quit."""
    rooms_per_user: int = 20
    """How many rooms one user may be in at once."""
    kick_rejoin: float = 60.0
    """Seconds a kicked user must wait before joining that room again; at most ``KICK_REJOIN_MOST``."""
    replay: int = 20
    """Lines of a room's history shown to whoever joins it; 0 shows none."""
    big_room: int = 200
    """Members from which a room's comings and goings are tallied, not told one by one (chatd.domain.crowds); 0: never."""
    tally_seconds: float = 60.0
    """How often a big room's members are told who came and went: often enough to see it fill, rarely enough to read."""
    accounts_per_hour: int = 50
    """Accounts one address may register an hour, all at once or spread out: a class behind one address
    registers together, while a script cannot fill the server's memory and file with accounts."""
    accounts: int = 100_000
    """Accounts the server keeps in all, whoever registered them: ``accounts_per_hour`` bounds each address
    (an IPv6 one by its /64), but someone with many networks has many addresses, and every account stays in
    memory and in the ``--db`` file until it is given up. A few hundred bytes each: 100,000 is tens of MB."""
    registered_rooms: int = 15
    """Rooms one account may register (server operators may register more): as many as Ergo allows."""


DEFAULT_LIMITS = Limits()
