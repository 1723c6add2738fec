"""Channels over IRC: JOIN, PART, TOPIC, NAMES, LIST, KICK and MODE, on chatd's rooms.

An IRC channel is a chatd room: the same name (``#`` and all), members,
topic and moderation, whichever front end its members use. A join's own
JOIN line reaches the joiner through the chat like anyone's; what follows
it for the joiner alone (the topic, 332/333, and NAMES, 353/366) is
``join_burst``, written as the factory delivers the join to the joiner, so
it comes right after the JOIN on every connection of the user. In a big
room (chatd.domain.crowds) that NAMES holds the first page of names only,
and a NOTICE to the channel says so; NAMES asked for later lists everyone.
"""

from collections.abc import Iterator
from typing import TYPE_CHECKING

from chatd.domain.errors import ChatError, NotInRoomError
from chatd.domain.ports import UserView
from chatd.domain.replies import RoomSummary, Topic
from chatd.frontend.flood import ENTRIES_PER_LINE
from chatd.frontend.held import awaited
from chatd.irc import numerics as n
from chatd.irc.framing import MESSAGE_LIMIT
from chatd.irc.history import replay
from chatd.irc.lines import HOST
from chatd.irc.message import Message
from chatd.irc.modes import room_mode
from chatd.text import fold, number_up_to, tally_period

if TYPE_CHECKING:
    from chatd.irc.session import IRCSession, Waiting

_ANY_SIZE = 1 << 62
"""``LIST <N`` when no bound is given: more members than any room has."""

_NAMED_MOST = 20
"""Rooms one LIST may name, as JOIN's ``CHANLIMIT`` bounds the rooms one may be in: each is a look-up."""


def join(session: "IRCSession", message: Message) -> "Waiting":
    """JOIN #a,#b [keys]; ``JOIN 0`` leaves every channel."""
    me = session.me()
    if message.params[0] == "0":
        for room in list(me.rooms.values()):
            session.chat.part(me, room.name)
        return None
    keys = message.params[1].split(",") if len(message.params) > 1 else []
    names = message.params[0].split(",")
    rooms = [(name, keys[n] if n < len(keys) else "") for n, name in enumerate(names) if name]
    if not rooms:
        _none_named(session, "JOIN")
        return None
    return _join_each(session, me, rooms)


KICK_TARGETS_MOST = 4
"""Nicknames one KICK may name (ISUPPORT ``TARGMAX``), as many as a PRIVMSG's recipients; past them, 407."""


def _named(session: "IRCSession", command: str, names: str) -> list[str]:
    """The names a comma-separated list gives, the empty ones (``#a,``) left out; a list of commas alone is
    answered as ``command`` with no names (``_none_named``), and gives none."""
    named = [name for name in names.split(",") if name]
    if not named:
        _none_named(session, command)
    return named


def _none_named(session: "IRCSession", command: str) -> None:
    """461 for ``command`` whose list was commas alone (``,,,``): one line, where each empty name was a 403 or
    401 of ``*`` (PART, KICK) or nothing at all (JOIN)."""
    session.reply(n.ERR_NEEDMOREPARAMS, command, "Not enough parameters")


def _join_each(session: "IRCSession", me: UserView, rooms: list[tuple[str, str]]) -> "Waiting":
    """Join each of ``rooms`` (name, key) in turn, a refusal a numeric each; waits, and the rest with it, while a
    room's last seq is read (``Chat.ready_to_join``), as the connection's later lines do."""
    for number, (name, key) in enumerate(rooms):
        try:
            reading = session.chat.ready_to_join(name)
            if reading is not None:
                return awaited(reading).addCallback(_join_after_read, session, me, rooms[number:])
            # Delivery tells the connection that asked for the join (it pays for its replay) from the others.
            with session.factory.speaking(session):
                session.chat.join(me, name, key)
        except ChatError as error:
            session.refuse(error, "JOIN", name)
    return None


def _join_after_read(_: None, session: "IRCSession", me: UserView, rooms: list[tuple[str, str]]) -> "Waiting":
    """``_join_each`` once a room's last seq is read, unless the user has gone meanwhile."""
    return _join_each(session, me, rooms) if me.online else None


def join_burst(
    session: "IRCSession", name: str, before: int | None = None, per: int = ENTRIES_PER_LINE
) -> None:
    """What a joiner reads after its JOIN: the topic (if any), the names, and (given ``before``) the last lines.

    Those below ``before``: the join's own seq, the join being live; or, for
    a connection shown the rooms of an account it joined, which made no
    join, one past the room's last event, so that the last line is shown.
    They cost a line of flood budget every ``per`` (chatd.irc.history's ``replay``).
    """
    topic = session.chat.topic(name)
    if topic.topic:
        send_topic(session, topic)
    if session.chat.crowded(name):
        big_room_names(session, name)
    else:
        send_names(session, name)
    if before is not None:
        replay(session, name, before, per)


def big_room_names(session: "IRCSession", name: str) -> None:
    """A big room's first names only, and a NOTICE to the channel saying why (chatd.domain.crowds)."""
    page = session.chat.members(name, 1)
    send_names(session, name, whole=False)
    text = (
        f"{page.room} is a big room ({page.total} here): NAMES on joining lists the first {len(page.nicks)}, "
        f"and who comes and goes is summed up {tally_period(session.chat.limits.tally_seconds)}, "
        "not told one by one; NAMES lists everyone."
    )
    message = Message(
        source=session.factory.server_name, command="NOTICE", params=(page.room, text), trailing=True
    )
    session.write_message(message)


def send_topic(session: "IRCSession", topic: Topic) -> None:
    """332 and, when the chat knows who set it, 333 with who and when."""
    session.reply(n.RPL_TOPIC, topic.room, topic.topic)
    if topic.by:
        session.reply(n.RPL_TOPICWHOTIME, topic.room, topic.by, str(int(topic.at)), text=False)


def part(session: "IRCSession", message: Message) -> "Waiting":
    """PART #a,#b [:reason]."""
    reason = message.params[1] if len(message.params) > 1 else ""
    for name in _named(session, "PART", message.params[0]):
        try:
            session.chat.part(session.me(), name, reason)
        except ChatError as error:
            session.refuse(error, "PART")
    return None


def topic(session: "IRCSession", message: Message) -> "Waiting":
    """TOPIC #room asks; TOPIC #room :text sets (empty clears)."""
    name = message.params[0]
    if len(message.params) > 1:
        session.chat.set_topic(session.me(), name, message.params[1])
        return None
    if fold(name) not in session.me().rooms:
        raise NotInRoomError(name)
    shown = session.chat.topic(name)
    if shown.topic:
        send_topic(session, shown)
    else:
        session.reply(n.RPL_NOTOPIC, shown.room, "No topic is set")
    return None


def names(session: "IRCSession", message: Message) -> "Waiting":
    """NAMES #room: the members of a room; with no room, of each room the client is in."""
    if not message.params:
        for room in list(session.me().rooms.values()):
            send_names(session, room.name)
        session.reply(n.RPL_ENDOFNAMES, "*", "End of /NAMES list")
        return None
    name = message.params[0].split(",")[0]
    if session.chat.has_room(name):
        send_names(session, name)
    else:
        session.reply(n.RPL_ENDOFNAMES, name, "End of /NAMES list")
    return None


def send_names(session: "IRCSession", name: str, whole: bool = True) -> None:
    """353 lines of as many nicknames as fit, then 366; charged by size. Not ``whole``: the first page's."""
    nicks = list(members(session, name, whole))
    shown = session.chat.topic(name).room
    userhost = "userhost-in-names" in session.caps
    entries = [
        prefix(session, standing) + (f"{nick}!{nick}@{HOST}" if userhost else nick)
        for nick, standing in nicks
    ]
    # RFC 2812's symbol: "@" for a secret room, "=" for any other.
    symbol = "@" if session.chat.room_modes(name, session.me()).secret else "="
    room = MESSAGE_LIMIT - len(f":{session.factory.server_name} 353 {session.shown} = {shown} :\r\n".encode())
    for chunk in _fill(entries, room):
        session.reply(n.RPL_NAMREPLY, symbol, shown, " ".join(chunk))
    session.reply(n.RPL_ENDOFNAMES, shown, "End of /NAMES list")
    session.charge_answer(len(nicks) // ENTRIES_PER_LINE)


def members(session: "IRCSession", name: str, whole: bool = True) -> Iterator[tuple[str, str]]:
    """Every member of room ``name`` (not ``whole``: the first page's) with their standing, a page at a time.

    The standing is ``@`` for an operator, ``+`` for voice, both, or none.
    """
    number, pages = 1, 1
    while number <= (pages if whole else 1):
        page = session.chat.members(name, number)
        operators, voiced = set(page.operators), set(page.voiced)
        for nick in page.nicks:
            yield nick, marks(nick in operators, nick in voiced)
        pages = page.pages
        number += 1


def marks(operator: bool, voiced: bool) -> str:
    """A member's standing as IRC marks it: ``@`` for a room operator, ``+`` for voice, both, or none."""
    return ("@" if operator else "") + ("+" if voiced else "")


def prefix(session: "IRCSession", standing: str) -> str:
    """The prefix NAMES, WHO and WHOIS show ``session``: the highest standing, or every one with multi-prefix."""
    return standing if "multi-prefix" in session.caps else standing[:1]


def _fill(entries: list[str], room: int) -> Iterator[list[str]]:
    """``entries`` in runs whose space-joined bytes fit in ``room``."""
    chunk: list[str] = []
    size = 0
    for entry in entries:
        grown = size + len(entry.encode()) + (1 if chunk else 0)
        if chunk and grown > room:
            yield chunk
            chunk, grown = [], len(entry.encode())
        chunk.append(entry)
        size = grown
    if chunk:
        yield chunk


def list_(session: "IRCSession", message: Message) -> "Waiting":
    """LIST [#room,...] [>N,<N]: the rooms named (else every room) with their member counts and topics (321, 322
    each, 323), those with more than N or fewer than N members if asked (ELIST=U); charged by the rooms read, shown
    or not: a bound no room meets walks them all, and cost one line for it."""
    named: list[str] = []
    more_than, fewer_than = -1, _ANY_SIZE
    for word in (part for param in message.params[:2] for part in param.split(",") if part):
        bound = number_up_to(word[1:], _ANY_SIZE)
        if word[0] == ">" and bound is not None:
            more_than = max(more_than, bound)
        elif word[0] == "<" and bound is not None:
            fewer_than = min(fewer_than, bound)
        elif word[0] not in "<>":
            named.append(word)
    session.reply(n.RPL_LISTSTART, "Channel", "Users  Name")
    read = 0
    for summary in _listed(session, named):
        read += 1
        if more_than < summary.members < fewer_than:
            session.reply(n.RPL_LIST, summary.room, str(summary.members), summary.topic)
    session.reply(n.RPL_LISTEND, "End of /LIST")
    session.charge_answer(read // ENTRIES_PER_LINE)
    return None


def _listed(session: "IRCSession", named: list[str]) -> Iterator[RoomSummary]:
    """The rooms ``named`` that are there for this user to see, else every room they may see, page by page."""
    chat = session.chat
    if named:
        yield from filter(None, (chat.room_summary(name, session.me()) for name in named[:_NAMED_MOST]))
        return
    number, pages = 1, 1
    while number <= pages:
        listing = chat.rooms(number, session.me())
        yield from listing.rooms
        pages = listing.pages
        number += 1


def kick(session: "IRCSession", message: Message) -> "Waiting":
    """KICK #room nick[,nick] [:reason]: up to ``KICK_TARGETS_MOST`` nicknames; past them, 407 names the next."""
    reason = message.params[2] if len(message.params) > 2 else ""
    nicks = _named(session, "KICK", message.params[1])
    if len(nicks) > KICK_TARGETS_MOST:
        session.reply(
            n.ERR_TOOMANYTARGETS,
            nicks[KICK_TARGETS_MOST],
            f"Too many recipients: at most {KICK_TARGETS_MOST}",
        )
    for nick in nicks[:KICK_TARGETS_MOST]:
        try:
            session.chat.kick(session.me(), nick, message.params[0], reason)
        except ChatError as error:
            session.refuse(error, "KICK")
    return None


def mode(session: "IRCSession", message: Message) -> "Waiting":
    """MODE #room [changes] or MODE nick [changes]."""
    target = message.params[0]
    if target.startswith("#"):
        return room_mode(session, target, message.params[1:])
    if fold(target) != fold(session.me().nick):
        session.chat.online(target)  # nobody by that name: 401, as for any nickname
        session.reply(n.ERR_USERSDONTMATCH, "Cant change mode for other users")
        return None
    if len(message.params) == 1:
        modes = "".join(sorted(session.modes | ({"o"} if session.me().operator else set())))
        session.reply(n.RPL_UMODEIS, f"+{modes}", text=False)
        return None
    _user_modes(session, message.params[1])
    return None


def _user_modes(session: "IRCSession", changes: str) -> None:
    """+i, +w and their minus: kept for the client; -o is not taken back (operators stay until they leave).

    The echo is the net change, letters added then letters taken, as
    servers echo it: ``+iw-i`` sets w alone and is echoed ``+w``, and a
    change that changes nothing (``+i-i``) is not echoed at all.
    """
    before = set(session.modes)
    adding = True
    for char in changes:
        if char in "+-":
            adding = char == "+"
        elif char in "iw":
            (session.modes.add if adding else session.modes.discard)(char)
        elif char != "o":
            session.reply(n.ERR_UMODEUNKNOWNFLAG, "Unknown MODE flag")
    added = "".join(sorted(session.modes - before))
    taken = "".join(sorted(before - session.modes))
    done = (f"+{added}" if added else "") + (f"-{taken}" if taken else "")
    if done:
        session.from_me("MODE", session.me().nick, done)
