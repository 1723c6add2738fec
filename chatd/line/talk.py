"""What a line session does for the commands everyone may use: names, rooms, talk, people.

Each function takes the session and its typed command, asks the chat, and
sends the answer to that session alone; events reach everyone concerned
through the chat. A refusal is a ChatError the session turns into one ERR
line. ``RUN`` maps each command type to its function.
"""

from typing import TYPE_CHECKING

from chatd.domain.errors import BannedError
from chatd.line import commands as cmd
from chatd.line.errors import TooManyIgnoredError
from chatd.line.render import Notice
from chatd.text import fold

if TYPE_CHECKING:
    from chatd.line.session import LineSession

MAX_IGNORED = 100
"""Most nicknames one session may ignore, so the list stays small."""


def say(session: "LineSession", command: cmd.Say) -> None:
    session.chat.say(session.me(), session.room_or_current(None), command.text)


def nick(session: "LineSession", command: cmd.Nick) -> None:
    if session.user is not None:
        session.chat.rename(session.user, command.nick)
        return
    try:
        session.user = session.chat.register(session, command.nick, session.peer)
    except BannedError as error:
        session.close(error)
        return
    session.registered()


def join(session: "LineSession", command: cmd.Join) -> None:
    me = session.me()
    already = fold(command.room) in me.rooms
    room = session.chat.join(me, command.room)
    session.current = room.name
    if already:
        session.send(Notice("room", f"Now talking in {room.name}."))
    session.send(session.chat.members(room.name))
    if room.topic:
        session.send(session.chat.topic(room.name))


def part(session: "LineSession", command: cmd.Part) -> None:
    session.chat.part(session.me(), session.room_or_current(command.room), command.reason)
    session.settle()


def list_rooms(session: "LineSession", command: cmd.Rooms) -> None:
    rooms = session.chat.rooms(command.page)
    session.send_listing(rooms, len(rooms.rooms))


def who(session: "LineSession", command: cmd.Who) -> None:
    members = session.chat.members(session.room_or_current(command.room), command.page)
    session.send_listing(members, len(members.nicks))


def list_users(session: "LineSession", command: cmd.Users) -> None:
    users = session.chat.users(command.page)
    session.send_listing(users, len(users.nicks))


def msg(session: "LineSession", command: cmd.Msg) -> None:
    away = session.chat.whisper(session.me(), command.nick, command.text)
    if away is not None:
        session.send(away)


def act(session: "LineSession", command: cmd.Me) -> None:
    session.chat.act(session.me(), session.room_or_current(None), command.text)


def topic(session: "LineSession", command: cmd.Topic) -> None:
    room = session.room_or_current(None)
    if command.text is None:
        session.send(session.chat.topic(room))
    else:
        session.chat.set_topic(session.me(), room, command.text)


def show_time(session: "LineSession", command: cmd.Time) -> None:
    session.send(session.chat.time())


def leave(session: "LineSession", command: cmd.Quit) -> None:
    user, session.user = session.user, None
    session.close(Notice("bye", "Goodbye."))
    if user is not None:
        session.chat.quit(user, command.reason)


def set_format(session: "LineSession", command: cmd.Format) -> None:
    session.json = command.json
    session.send(Notice("format", f"Lines are now {'json' if command.json else 'text'}."))


def away(session: "LineSession", command: cmd.Away) -> None:
    me = session.me()
    session.chat.set_away(me, command.text)
    session.send(Notice("away", "You are marked as away." if me.away else "You are back."))


def whois(session: "LineSession", command: cmd.Whois) -> None:
    session.send(session.chat.whois(session.user, command.nick))


def ignore(session: "LineSession", command: cmd.Ignore) -> None:
    if command.nick is None:
        nicks = sorted(session.ignored.values())
        session.send(Notice("ignore", f"Ignoring ({len(nicks)}):" + "".join(" " + nick for nick in nicks)))
        return
    nick = session.chat.online(command.nick)
    if fold(nick) not in session.ignored and len(session.ignored) >= MAX_IGNORED:
        raise TooManyIgnoredError(MAX_IGNORED)
    session.ignored[fold(nick)] = nick
    session.ignorers.add(session)
    session.send(Notice("ignore", f"You now ignore {nick}: you will not see their messages."))


def unignore(session: "LineSession", command: cmd.Unignore) -> None:
    nick = session.ignored.pop(fold(command.nick), command.nick)
    if not session.ignored:
        session.ignorers.discard(session)
    session.send(Notice("ignore", f"You no longer ignore {nick}."))
