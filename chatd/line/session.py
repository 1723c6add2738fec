"""One person on a line front end, as the chat and the command table see them.

A ``LineSession`` holds what a line-oriented session has in the chat: its
user once named, the room its plain lines go to, its rendering (text or
JSON) and the nicknames it ignores; and it runs typed commands by their
rows in the command table (chatd.line.table). Two front ends build
on it: ``LineProtocol`` (nc, telnet, the bundled client) and ``Console``
(the host's own terminal). ``deliver`` (chatd.line.delivery) is how both
write an event to their sessions. What a session holds, and how it is
written to and charged, is its base, chatd.line.session_state.
"""

from collections.abc import Callable
from functools import partial
from typing import TypeVar

from twisted.internet.defer import Deferred
from twisted.logger import Logger
from twisted.python.failure import Failure

from chatd.domain.errors import (
    BannedError,
    ChatError,
    IdentifyFailedError,
    NotIdentifiedError,
    NotOperatorError,
    OperFailedError,
)
from chatd.domain.ports import UserView
from chatd.frontend.named_refusals import NamedRefusal
from chatd.line.account_commands import Identify, parse_identify
from chatd.line.commands import Help, Join, Nick, Say
from chatd.line.errors import (
    BadEncodingError,
    InternalError,
    LineTooLongError,
    NeedNicknameError,
    NoCurrentRoomError,
    TakeoverFailedError,
)
from chatd.line.passwords import Typed
from chatd.line.render import Notice
from chatd.line.session_state import SessionState
from chatd.line.syntax import Command, RoomThenText, Spec
from chatd.line.table import COMMANDS, LINE
from chatd.line.talk import come_back, in_room, nick_fields, now_talking, show_room
from chatd.text import HELP_WORD, fold

PROMPT = Notice("prompt", "Choose a nickname:")
"""Asked on connect and again after a refused nickname; nothing else repeats it."""

T = TypeVar("T")
"""What a request run by ``LineSession.acts`` gives back."""

Waiting = Deferred[None] | None
"""What running a command returns: a Deferred that fires when a command that waits is done, or None."""


class LineSession(SessionState):
    """One session of a line front end: its state in the chat, and the commands it runs."""

    __slots__ = ()
    log = Logger()

    def goodbye(self) -> Notice:
        """What this session is told last on ``/quit``."""
        return Notice("bye", "Goodbye.")

    def greeting(self) -> list[Notice]:
        """What this session is told before it is asked for a nickname: none unless the front end says more."""
        return []

    def greet(self) -> None:
        """Say the greeting and ask for a nickname, in this session's format (on connect, and after /format)."""
        self.write(self.greeting_line())

    def greeting_line(self) -> bytes:
        """The greeting and the nickname prompt, in this session's format."""
        return b"".join(self.render(notice) for notice in (*self.greeting(), PROMPT))

    def nickname_refused(self, refusal: ChatError) -> None:
        """Say why the nickname was refused and ask again: the one repeat of the prompt."""
        self.send(refusal)
        self.send(PROMPT)

    def registered(self) -> Waiting:
        """The session's user is online: say so and enter the default room, or the rooms ``/resume`` named.

        Front ends add to this. Entering shows each room's last lines (or
        what was missed), which may take a while: the Deferred returned, if
        any, fires once they are written.
        """
        self.named()
        self.send(self.nick_notice())
        if self.returning:
            return come_back(self)
        return self.perform(COMMANDS["join"], Join(self.default_room))

    def nick_notice(self) -> Notice:
        """ "You are NICK.", for a session just named (``nick_fields``); a front end whose sessions may be taken over
        adds a token."""
        user = self.me()
        return Notice("nick", f"You are {user.nick}.", nick_fields(user))

    def named(self) -> None:
        """The session has a user now, new or one it joined (an account's): a front end drops its deadline for a nickname.

        The console has no such deadline.
        """
        return None

    def prove_operator(self, name: str, password: Typed) -> Deferred[None]:
        """Make this session's user an operator if ``password`` is operator ``name``'s; fires once they are.

        The check takes time, so the answer comes later; a wrong password
        fails the Deferred with OperFailedError (the password as typed, with its
        quotes, is tried too: chatd.line.passwords). A front end that checks no
        passwords refuses every attempt.
        """
        raise OperFailedError()

    def prove_account(self, nick: str, password: Typed) -> Deferred[None]:
        """Fire once ``password`` is that of the account ``nick``; a wrong one fails with IdentifyFailedError.

        Checked later, off the reactor thread, throttled; a quoted password
        is tried with its quotes too (chatd.line.passwords). A front end that
        checks no passwords refuses every attempt.
        """
        raise IdentifyFailedError(nick)

    def take_over(self, nick: str, token: str) -> "Deferred[tuple[UserView, LineSession]]":
        """Fire with the user online as ``nick`` once ``token`` proves one of their line sessions, and that session,
        which this one has replaced (chatd.line.takeover); a wrong token fails with TakeoverFailedError, throttled.
        A front end that hands out no tokens takes over nothing."""
        raise TakeoverFailedError(nick)

    def hash_password(self, password: str) -> Deferred[str]:
        """The hash to keep for ``password``, made later, off the reactor thread; raises PasswordTooShortError.

        A front end that hashes no passwords registers nobody.
        """
        raise NotIdentifiedError()

    def guarded(self, action: Callable[[], Waiting]) -> Waiting:
        """Run ``action``; a refusal becomes one ERR line, a bug is logged too.

        An action that waits returns a Deferred: its failure, when it comes,
        is answered the same way, and the Deferred returned (None if the
        action is done) fires with None once it is, never with a failure.
        That one is new, so its ``called`` is honest: the action's own may
        be called already yet wait on another Deferred chained to it.
        """
        try:
            waiting = action()
        except Exception:
            self._failed(Failure())
            return None
        if waiting is None:
            return None
        done: Deferred[None] = Deferred()
        waiting.addErrback(self._failed).addCallback(lambda _: done.callback(None))
        return done

    def _failed(self, failure: Failure) -> None:
        """Answer an action that failed: a ChatError (or one naming the offer or accept it refuses) is the user's,
        anything else a bug."""
        if isinstance(failure.value, ChatError | NamedRefusal):
            self.send(failure.value)
            return
        self.log.failure("Handling a line from {peer} failed", failure, peer=self.peer)
        self.send(InternalError())

    def perform(self, row: Spec, command: Command) -> Waiting:
        """Run ``command`` by its ``row``, once the row's checks pass; before a nickname a plain line names the user.

        A command that waits (for a password check, say) returns a Deferred
        that fires when it is done; its failure is the command's refusal.
        """
        if self.user is None:
            if row is LINE:
                assert isinstance(command, Say), "the plain line's row gives Say"
                row, command = self._first_line(command.text.strip())
            elif row.needs_nick:
                raise NeedNicknameError()
            elif row.shows_chat and self._banned():
                return None
        elif row.operators and not self.user.operator:
            raise NotOperatorError()
        if row is not COMMANDS["history"]:
            # /history goes back further only while nothing else comes between.
            self.paging = None
        return row.run(self, command)

    def _first_line(self, text: str) -> tuple[Spec, Command]:
        """A plain line before a nickname: ``NICK PASSWORD`` identifies to a registered nickname; ``help`` alone asks
        how to choose one (a newcomer typed it at the prompt and became "help"); else it is the nickname."""
        if text.lower() == HELP_WORD:
            return COMMANDS["help"], Help(None, bare=True)
        identify = parse_identify(text)
        assert isinstance(identify, Identify), "parse_identify gives Identify"
        if identify.nick is not None and self.chat.is_registered(identify.nick):
            return COMMANDS["identify"], identify
        return COMMANDS["nick"], Nick(text)

    def _banned(self) -> bool:
        """Whether the session's address is banned; if so it is told why, and closed (issue 12)."""
        try:
            self.chat.check_address(self.peer)
        except BannedError as error:
            self.close(error)
            return True
        return False

    def me(self) -> UserView:
        """This session's user; only for commands that need a nickname (``perform`` checks)."""
        assert self.user is not None, "perform checks needs_nick"
        return self.user

    def room_or_current(self, room: str | None) -> str:
        """``room`` if given, else the current room; raises NoCurrentRoomError if there is none."""
        if room is not None:
            return room
        if self.current is None:
            raise NoCurrentRoomError()
        return self.current

    def room_then_text(self, given: RoomThenText) -> tuple[str, str]:
        """The room a command means (the current one if it names none) and the text after it.

        A bare first word names a room only if one by that name exists;
        otherwise it was the first word of the text (see ``RoomThenText``).
        """
        if given.whole is not None and (given.room is None or not self.chat.has_room(given.room)):
            return self.room_or_current(None), given.whole
        return self.room_or_current(given.room), given.text

    def acts(self, request: Callable[[], T]) -> T:
        """Run ``request``, a call to the chat on this session's own behalf, while ``acting`` says so."""
        self.acting = True
        try:
            return request()
        finally:
            self.acting = False

    def joined_elsewhere(self, name: str) -> None:
        """Another connection of this session's user joined room ``name``: show it here as on joining.

        Not the join itself, which would read as this connection's own (a
        client follows its joins to know where its lines go): ``in_room``
        says it is in the room, then its members, topic and last lines, as
        for the joiner. Plain lines go where they went, for the join was
        not this session's, unless they went nowhere: then the room is
        current, and said so after it.
        """
        room = self.me().rooms[fold(name)]
        self.send(in_room(room.name))
        # The joiner paid for its join's replay; this connection asked for none, and was told it floods with
        # nothing typed.
        self.guarded(partial(show_room, self, room, asked=False))
        if self.current is None:
            self.current = room.name
            self.send(now_talking(room.name))

    def settle(self) -> None:
        """Catch up after the user may have left a room or the chat (part, kick, ban, kill), from this session or
        another of theirs.

        Taken off the server, the session ends; out of its current room, it
        talks in the last joined room it is still in, and says so.
        """
        if self.user is None:
            return
        if not self.user.online:
            self.user = None
            self.close(None)
            return
        if self.current is None or fold(self.current) in self.user.rooms:
            return
        rooms = list(self.user.rooms.values())
        self.current = rooms[-1].name if rooms else None
        self.send(now_talking(self.current))


def decode(line: bytes, limit: int) -> str:
    """The text of ``line`` (its ending removed); raises LineTooLongError or BadEncodingError."""
    if len(line) > limit:
        raise LineTooLongError(limit, len(line))
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        raise BadEncodingError() from None
