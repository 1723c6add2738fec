"""What a line session does for the commands everyone may use: names, rooms, talk, people.

Each function takes the session and its typed command, asks the chat, and
sends the answer to that session alone; events reach everyone concerned
through the chat. A refusal is a ChatError the session turns into one ERR
line. The command table (chatd.line.table) names each command's function.
"""

from functools import partial
from typing import TYPE_CHECKING

from twisted.internet.defer import Deferred

from chatd.domain.errors import BannedError, ChatError, NoSuchRoomError
from chatd.domain.events import MessageNotKept
from chatd.domain.names import check_room_name
from chatd.domain.ports import RoomView, UserView
from chatd.frontend.flood import ENTRIES_PER_LINE, RESUMED_PER_CHARGE
from chatd.frontend.held import awaited
from chatd.line import commands as cmd
from chatd.line import history_commands as hist
from chatd.line.errors import (
    AlreadyJoinedError,
    IgnoreSelfError,
    MessageToRoomError,
    NotIgnoredError,
    TooManyIgnoredError,
    UsageError,
)
from chatd.line.render import Notice
from chatd.line.replay import replay, resume_after
from chatd.line.syntax import names_room
from chatd.text import fold, message_not_kept_words, tally_period

if TYPE_CHECKING:
    from chatd.line.session import LineSession, Waiting

MAX_IGNORED = 100
"""Most nicknames one session may ignore, so the list stays small."""


def now_talking(room: str | None) -> Notice:
    """The notice that plain lines now go to ``room`` (None: to no room)."""
    if room is None:
        return Notice("room", "You are in no room; /join #room to talk.", {"room": None})
    return Notice("room", f"Now talking in {room}.", {"room": room})


def in_room(room: str, alone: bool = False) -> Notice:
    """The notice that this connection is in ``room`` with the account's others, the room's members and the rest to
    follow: identifying to the account online there, or another of its connections joining it; ``alone``, in the
    place of the one it took over (``/takeover``), which is gone. No ``joined`` of this connection's own comes, for it
    joined nothing; where plain lines go is unchanged (``now_talking`` says so)."""
    text = f"You are back in {room}." if alone else f"You are in {room} with your other connections."
    return Notice("in_room", text, {"room": room})


def big_room(room: str, members: int, every: float) -> Notice:
    """What a joiner of a big room is told: only the first names are shown, and comings and goings come as a tally."""
    text = (
        f"{room} is a big room ({members} here): who comes and goes is summed up {tally_period(every)}, "
        f"not told one by one; /who {room} PAGE lists everyone."
    )
    return Notice("big_room", text, {"room": room, "members": members})


def say(session: "LineSession", command: cmd.Say) -> None:
    session.chat.say(session.me(), session.room_or_current(None), command.text)


def nick(session: "LineSession", command: cmd.Nick) -> "Waiting":
    if session.user is not None:
        _rename(session, session.user, command.nick)
        return None
    try:
        session.user = session.chat.register(session, command.nick, session.peer)
    except BannedError as error:
        session.close(error)
        return None
    except ChatError as error:
        session.nickname_refused(error)
        return None
    return session.registered()


def _rename(session: "LineSession", me: UserView, nick: str) -> None:
    """Change nickname; the change itself is an event, keeping the same one is said here."""
    before = me.nick
    session.chat.rename(me, nick)
    if me.nick == before:
        session.send(Notice("nick", f"You are {before} already.", nick_fields(me)))


def nick_fields(user: UserView) -> dict[str, object]:
    """The JSON fields of a ``nick`` notice to ``user``: their nickname, and ``operator`` when they are one.

    Every "You are NICK." says it, so a page that reads them knows it:
    a session that took a dropped one's place, or identified to an account
    online elsewhere, becomes a user whose ``/oper`` it never saw answered,
    and a page offers an operator what the server lets them do
    (chatd/web/static/filetakedowns.js).
    """
    if user.operator:
        return {"nick": user.nick, "operator": True}
    return {"nick": user.nick}


def join(session: "LineSession", command: cmd.Join, asked: bool = True) -> "Waiting":
    """Join, say who is there and the topic; a first join then shows the room's last lines, or what was missed.

    A key that starts with ``#`` (``/join #art #dev``) is another room, one
    too many, unless the room takes a key: a key may start with ``#``, and
    one set so must still let people in. A key for a room not there yet is
    most likely the rest of a name with a space (``/join #salle classe``):
    refused, not dropped while a room of the first word is made. A room
    that is there is joined whatever word follows, as IRC's JOIN is (its key
    may have gone meanwhile). ``asked``: as ``show_room`` has it.
    """
    if names_room(command.key) and not _takes_key(session, command.room):
        raise UsageError(
            f"{cmd.JOIN_USAGE}, one room at a time: /join {command.room}, then /join {command.key}"
        )
    if command.key and not session.chat.has_room(command.room):
        new = check_room_name(command.room, session.chat.limits.room_name)  # a bad name is told as such
        raise UsageError(
            f"{cmd.JOIN_USAGE}; {new} is not there yet, so it takes no key, and a room's name holds no spaces: "
            f"/join {new}, then /mode {new} +k {command.key} if {command.key} was to be its key"
        )
    me = session.me()
    reading = session.chat.ready_to_join(command.room)
    if reading is not None:
        # The room's last seq is read first (chatd.storage.last_seqs); the session's later lines wait, as for a replay.
        return awaited(reading).addCallback(lambda _: join(session, command, asked) if me.online else None)
    already = fold(command.room) in me.rooms
    room = session.acts(partial(session.chat.join, me, command.room, command.key))
    session.current = room.name
    if already:
        session.send(now_talking(room.name))
        show_room(session, room, replayed=False)
        return None
    return show_room(session, room, asked=asked)


def _takes_key(session: "LineSession", room: str) -> bool:
    """Whether a room ``room`` exists and joining it takes a key (which anyone may ask with ``/mode``)."""
    return session.chat.has_room(room) and session.chat.room_modes(room).keyed


def show_room(
    session: "LineSession", room: RoomView, replayed: bool = True, joined: bool = True, asked: bool = True
) -> "Waiting":
    """Say who is in ``room`` (a page: a big room says so) and its topic, then (if ``replayed``) its last lines.

    Or what was missed there, when the session said where it left off in the
    room (``/resume``): that point is used up. ``joined``: the user has just
    joined, so the room's last event is that join, which every session is
    sent live; otherwise (a connection that joined an account in the room)
    the room's last event is one more line of its past, and is shown too.
    ``asked``: a command of this connection's own named the room (``/join``,
    ``/resume`` once named), and its replay is charged as a listing (issue
    12: a loop of rejoins pays by the size); otherwise (put back in the rooms
    it came back to, or in one by another connection of the account) as a
    resume is (``RESUMED_PER_CHARGE``): it asked for nothing of the kind.
    """
    members = session.chat.members(room.name)
    if session.chat.crowded(room.name):
        # Before the names, so a program knows not to ask for every page.
        session.send(big_room(members.room, members.total, session.chat.limits.tally_seconds))
    session.send(members)
    if room.topic:
        session.send(session.chat.topic(room.name))
    if not replayed:
        return None
    _, after = session.resuming.pop(fold(room.name), (room.name, None))
    before = room.seq if joined else room.seq + 1
    if after is None:
        return replay(session, room, before, ENTRIES_PER_LINE if asked else RESUMED_PER_CHARGE)
    return resume_after(session, room, after, before)


def resume(session: "LineSession", command: hist.Resume) -> "Waiting":
    """Note a room to come back to, and where the session left off there; with a nickname, join it now.

    Before a nickname, the rooms noted are where choosing one puts the
    session, in the order noted, instead of the default room (``come_back``):
    a client coming back names each room it was in, and the id of the last
    line it saw there if it has one, so it is in exactly those rooms again
    and each join shows only what it missed. ``/resume`` alone names no
    room, for a client that was in none. The session keeps as many notes as
    rooms one may be in, the oldest forgotten first.
    """
    if command.room is None:
        _resume_nowhere(session)
        return None
    name = check_room_name(command.room, session.chat.limits.room_name)
    key = fold(name)
    if session.user is not None and key in session.user.rooms:
        raise AlreadyJoinedError(session.user.rooms[key].name)
    notes = session.resuming
    notes.pop(key, None)
    if len(notes) >= session.chat.limits.rooms_per_user:
        del notes[next(iter(notes))]
    notes[key] = (name, command.at)
    if session.user is not None:
        return join(session, cmd.Join(name))
    session.returning = True
    if command.event_id is None:
        text = f"Choosing a nickname will put you in {name}."
    else:
        text = f"Joining {name} will show what was said there after {command.event_id}."
    session.send(Notice("resume", text, {"room": name, "id": command.event_id}))
    return None


def _resume_nowhere(session: "LineSession") -> None:
    """``/resume`` alone: choosing a nickname will not put the session in the default room, nor in any not noted."""
    if session.user is not None:
        # Coming back to no room means something only before the nickname puts the session in one.
        raise UsageError("/resume #room [ID]")
    session.returning = True
    text = f"Choosing a nickname will not put you in {session.default_room}."
    session.send(Notice("resume", text, {"room": None, "id": None}))


def come_back(session: "LineSession") -> "Waiting":
    """Put a session just named in the rooms ``/resume`` noted before, in the order noted, as ``/join`` would.

    A join refused (a ban, a key, a full room) is its one ERR line and the
    others go on; the last room entered is current. In none, the session
    is told so.
    """
    return Deferred.fromCoroutine(_come_back(session))


async def _come_back(session: "LineSession") -> None:
    asked, session.came_back = session.came_back, True
    await join_noted(session, asked)
    if session.current is None:
        session.send(now_talking(None))


async def join_noted(session: "LineSession", asked: bool) -> None:
    """Join the rooms ``/resume`` noted, in the order noted, as ``/join`` would: a refusal is its one ERR line.

    ``asked``: the replays cost as a typed join's; else, the connection
    coming back, as a resume's (chatd.frontend.flood's ``RESUMED_PER_CHARGE``).
    """
    for name, _ in list(session.resuming.values()):
        entered = session.guarded(partial(join, session, cmd.Join(name), asked=asked))
        if entered is not None:
            await entered


def part(session: "LineSession", command: cmd.Part) -> None:
    room, reason = session.room_then_text(command.where)
    # The part's delivery moves this session (and any other of the user's that talked there) to another room.
    session.chat.part(session.me(), room, reason)


def list_rooms(session: "LineSession", command: cmd.Rooms) -> None:
    rooms = session.chat.rooms(command.page, session.user)
    session.send_listing(rooms, len(rooms.rooms))


def who(session: "LineSession", command: cmd.Who) -> None:
    members = session.chat.members(session.room_or_current(command.room), command.page)
    session.send_listing(members, len(members.nicks))


def list_users(session: "LineSession", command: cmd.Users) -> None:
    users = session.chat.users(command.page)
    session.send_listing(users, len(users.nicks))


def msg(session: "LineSession", command: cmd.Msg) -> None:
    """Send a private message; one to a room (no nickname starts with ``#``) is refused saying how to talk there."""
    if names_room(command.nick):
        current = session.current is not None and fold(session.current) == fold(command.nick)
        raise MessageToRoomError(command.nick, current)
    answer = session.chat.whisper(session.me(), command.nick, command.text)
    if answer is not None:
        session.send(answer)


def act(session: "LineSession", command: cmd.Me) -> None:
    session.chat.act(session.me(), session.room_or_current(None), command.text)


def topic(session: "LineSession", command: cmd.Topic) -> None:
    room = session.room_or_current(command.room)
    if command.text is None:
        if fold(room) not in session.me().rooms and session.chat.room_summary(room, session.me()) is None:
            raise NoSuchRoomError(room)  # a secret room is nobody's business but its members'
        session.send(session.chat.topic(room))
    else:
        session.chat.set_topic(session.me(), room, command.text)


def show_time(session: "LineSession", command: cmd.Time) -> None:
    session.send(session.chat.time())


def pong(session: "LineSession", command: cmd.Ping) -> None:
    session.send(Notice("pong", f"PONG {command.text}".rstrip(), {"echo": command.text}))


def leave(session: "LineSession", command: cmd.Quit) -> None:
    user, session.user = session.user, None
    session.close(session.goodbye())
    if user is not None:
        session.chat.quit(user, command.reason, session)


def set_format(session: "LineSession", command: cmd.Format) -> None:
    """Switch formats; before a nickname, greet again in the new one, so a program's first line gets it all as JSON."""
    session.json = command.json
    session.sink.changed()
    name = "json" if command.json else "text"
    session.send(Notice("format", f"Lines are now {name}.", {"format": name}))
    if session.user is None:
        session.greet()


def not_kept_notice(event: MessageNotKept) -> Notice:
    """What each session of a sender is told of their message for an offline account that the server lost after it
    was shown kept: for whom, which message (its id, in JSON) and why."""
    fields = {"nick": event.to, "id": event.message, "reason": event.reason}
    return Notice("not_kept", message_not_kept_words(event.to, event.reason) + ".", fields)


def away(session: "LineSession", command: cmd.Away) -> None:
    me = session.me()
    was_away = bool(me.away)
    session.acts(partial(session.chat.set_away, me, command.text))
    session.send(away_notice(me.away, was_away))


def away_notice(away: str, was_away: bool) -> Notice:
    """What a session is told of its user's away text now ``away`` (blank: not away), ``was_away`` or not before."""
    if away:
        text = "You are marked as away."
    else:
        text = "You are back." if was_away else "You were not marked as away."
    return Notice("away", text, {"away": away})


def whois(session: "LineSession", command: cmd.Whois) -> None:
    session.send(session.chat.whois(session.user, command.nick))


def ignore(session: "LineSession", command: cmd.Ignore) -> None:
    if command.nick is None:
        nicks = sorted(session.ignored.values())
        listed = f"Ignoring ({len(nicks)}):" + "".join(" " + nick for nick in nicks)
        session.send(Notice("ignore", listed, {"nicks": nicks}))
        return
    nick = session.chat.nickname(command.nick)
    if fold(nick) == fold(session.me().nick):
        raise IgnoreSelfError()
    if fold(nick) not in session.ignored and len(session.ignored) >= MAX_IGNORED:
        raise TooManyIgnoredError(MAX_IGNORED)
    session.ignored[fold(nick)] = nick
    session.ignorers.add(session)
    text = f"You now ignore {nick}: you will not see their messages."
    session.send(Notice("ignore", text, {"nick": nick, "ignored": True}))


def unignore(session: "LineSession", command: cmd.Unignore) -> None:
    nick = session.ignored.pop(fold(command.nick), None)
    if nick is None:
        raise NotIgnoredError(command.nick)
    if not session.ignored:
        session.ignorers.discard(session)
    session.send(Notice("ignore", f"You no longer ignore {nick}.", {"nick": nick, "ignored": False}))
