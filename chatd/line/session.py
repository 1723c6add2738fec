"""One person on a line front end, as the chat and the command table see them.

A ``LineSession`` holds what a line-oriented session has in the chat: its
user once named, the room its plain lines go to, its rendering (text or
JSON) and the nicknames it ignores; and it runs typed commands by their
rows in the command table (chatd.line.table). Two front ends build
on it: ``LineProtocol`` (nc, telnet, the bundled client) and ``Console``
(the host's own terminal). ``deliver`` is how both write an event to their
sessions.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from functools import partial
from typing import TypeVar, cast

from twisted.internet.defer import Deferred
from twisted.logger import Logger
from twisted.python.failure import Failure

from chatd.domain.chat import Chat
from chatd.domain.errors import (
    BannedError,
    ChatError,
    IdentifyFailedError,
    NotIdentifiedError,
    NotOperatorError,
    OperFailedError,
)
from chatd.domain.events import (
    AccountDropped,
    AccountNotDropped,
    AccountNotKept,
    AccountRegistered,
    Acted,
    Actor,
    AwayChanged,
    Banned,
    Encrypted,
    Event,
    FileOffered,
    Identified,
    Invited,
    Joined,
    Kicked,
    Killed,
    MessageNotKept,
    OperatorGranted,
    Parted,
    RoomEvent,
    Said,
    Whispered,
)
from chatd.domain.ids import Point
from chatd.domain.ports import Audience, UserView
from chatd.domain.replies import Reply
from chatd.frontend.fanout import Fanouts
from chatd.frontend.flood import ENTRIES_PER_LINE
from chatd.frontend.named_refusals import NamedRefusal
from chatd.frontend.own import acted, news_of
from chatd.frontend.sinks import NOWHERE, Sink
from chatd.frontend.transfers import Transfers
from chatd.line.account_commands import Identify, parse_identify
from chatd.line.accounts import (
    dropped_by_operator_notice,
    registered_notice,
    still_registered_notice,
    unregistered_notice,
)
from chatd.line.commands import Help, Join, Nick, Say
from chatd.line.errors import (
    BadEncodingError,
    InternalError,
    LineTooLongError,
    NeedNicknameError,
    NoCurrentRoomError,
    TakeoverFailedError,
)
from chatd.line.moderation import NOW_OPERATOR
from chatd.line.render import (
    Notice,
    Renderable,
    found_json,
    found_text,
    history_json,
    history_text,
    json_line,
    text_line,
)
from chatd.line.syntax import Command, RoomThenText, Spec
from chatd.line.table import COMMANDS, LINE
from chatd.line.talk import (
    away_notice,
    come_back,
    in_room,
    nick_fields,
    not_kept_notice,
    now_talking,
    show_room,
)
from chatd.text import HELP_WORD, fold
from chatd.turns import Turns

PROMPT = Notice("prompt", "Choose a nickname:")
"""Asked on connect and again after a refused nickname; nothing else repeats it."""

T = TypeVar("T")
"""What a request run by ``LineSession.acts`` gives back."""

Waiting = Deferred[None] | None
"""What running a command returns: a Deferred that fires when a command that waits is done, or None."""


class LineSession(ABC):
    """One session of a line front end: its state in the chat, and the commands it runs."""

    __slots__ = (
        "acting",
        "audience",
        "came_back",
        "chat",
        "current",
        "default_room",
        "files",
        "ignored",
        "ignorers",
        "json",
        "offers_hidden",
        "paging",
        "peer",
        "resuming",
        "returning",
        "search_turns",
        "sink",
        "user",
    )
    log = Logger()

    def __init__(
        self,
        chat: Chat,
        audience: Audience,
        peer: str,
        default_room: str,
        ignorers: set["LineSession"],
        search_turns: Turns | None = None,
    ) -> None:
        self.chat = chat
        self.search_turns = search_turns or Turns()
        """Searches, one at a time per host: shared by every front end's connections (chatd.frontend.searches,
        chatd.turns)."""
        self.audience = audience
        """The front end that delivers this session's events (a plain attribute: the chat reads it per recipient)."""
        self.peer = peer
        """The client's address, as connections are counted and bans compare; empty on the console."""
        self.default_room = default_room
        self.ignorers = ignorers
        """The sessions of this front end that ignore someone; delivery filters only when it is not empty."""
        self.user: UserView | None = None
        self.json = False
        self.current: str | None = None
        """The room plain lines go to: the last joined, or None."""
        self.acting = False
        """True while a request of this session's own is with the chat (``acts``): what the chat delivers of it to
        the user's other sessions (a join's room, an away, an account given up or made), this one is answered
        by the command itself."""
        self.ignored: dict[str, str] = {}
        """Nicknames whose messages this session does not see: the shown nickname by its key."""
        self.offers_hidden: set[str] = set()
        """The files whose offer this session hid as it came, its sender ignored (``deliver``): it is told nothing
        of their end either (chatd.frontend.transfer_people), unlike an offer it was shown before it ignored them.
        An offer it names since (``/file accept``, ``decline``, ``cancel``, ``link``) or is listed (``/file list``)
        it knows, and leaves here; one that ends leaves too."""
        self.paging: tuple[str, int, int, float] | None = None
        """Where ``/history`` goes on from: a room's key, the ``seq`` of the oldest line shown of it, how many
        lines a page, and when it was shown.

        Set by a replay or ``/history`` (chatd.line.history); any other command clears it, and it lapses
        (``PAGING_LAPSE``).
        """
        self.resuming: dict[str, tuple[str, Point | None]] = {}
        """The rooms ``/resume`` named that the session has yet to join, by key: each one's name and where the
        session left off there (the point a line's id or a time names), if it said.

        The join of that room shows what was said after that point, and uses the note up.
        """
        self.returning = False
        """True once ``/resume`` came before a nickname: choosing one enters the rooms noted, not the default room."""
        self.came_back = False
        """True once the session was put in its rooms without a join of its own: the rooms noted, on choosing a
        nickname, or an account's, on identifying to it online elsewhere. That first time, each room's replay is
        charged as a resume is (``RESUMED_PER_CHARGE``); a later one, identifying again, as a join's."""
        self.files: Transfers | None = None
        """The transfer engine this session's ``/file`` commands go to; None where files are not carried."""
        self.sink: Sink = NOWHERE
        """Where this session's bytes go (NOWHERE until connected), and whether it is open.

        Delivery writes to it directly, one call per recipient, since it runs
        for every member of a room for every line said; a closing sink drops it.
        """

    @property
    def closing(self) -> bool:
        """Whether the session is closing or closed, as its sink says: the one place that is kept."""
        return self.sink.closing

    def write(self, data: bytes) -> None:
        """Write rendered bytes to this session, unless it is closing."""
        self.sink.write(data)

    @abstractmethod
    def close(self, last: Renderable | None) -> None:
        """Say ``last`` (if any) as the final line and end the session; once only."""

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

    def prove_operator(self, name: str, password: str) -> Deferred[None]:
        """Make this session's user an operator if ``password`` is operator ``name``'s; fires once they are.

        The check takes time, so the answer comes later; a wrong password
        fails the Deferred with OperFailedError. A front end that checks no
        passwords refuses every attempt.
        """
        raise OperFailedError()

    def prove_account(self, nick: str, password: str) -> Deferred[None]:
        """Fire once ``password`` is that of the account ``nick``; a wrong one fails with IdentifyFailedError.

        Checked later, off the reactor thread, throttled. A front end that
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

    def send(self, item: Renderable) -> None:
        """Render ``item`` in this session's format and write it."""
        self.write(self.render(item))

    def render(self, item: Renderable) -> bytes:
        """``item`` in this session's format."""
        return json_line(item) if self.json else text_line(item)

    def render_history(self, event: Event) -> bytes:
        """``event`` in this session's format, marked as shown again from history."""
        return history_json(event) if self.json else history_text(event)

    def render_found(self, event: RoomEvent | Whispered) -> bytes:
        """``event`` in this session's format, marked as found by ``/search``."""
        return found_json(event) if self.json else found_text(event)

    def send_listing(self, listing: Reply, entries: int) -> None:
        """Send a page of a listing of ``entries`` rooms or nicknames, charged for its size (``charge_listing``)."""
        self.send(listing)
        self.charge_listing(entries)

    def charge_listing(self, entries: int, per: int = ENTRIES_PER_LINE) -> None:
        """Charge for an answer of ``entries`` rooms, nicknames or lines of history just sent.

        A command costs one line of flood budget, whatever it answers; a
        listing costs one more for every ``per`` entries (``ENTRIES_PER_LINE``),
        so asking for page after page of a big chat is slowed like a flood
        (issue 12), while a short listing costs what any command does.
        """
        lines = entries // per
        if lines:
            self.charge_answer(lines)

    @abstractmethod
    def charge_burst(self) -> bool:
        """Charge a command that costs a thread far more than a line, as it is asked: a burst of flood budget in all,
        its command's line in it.

        A scan reads thousands of lines for the store (a ``/search`` with a
        word under three characters), some 500 times a line's work; a
        ``/password`` takes two Argon2 runs, half a second of the password
        thread. One on its own is within a burst, a second right after is
        told it floods. False when the charge cut the session off (or it is
        closing): the work is not to be done.
        """

    @abstractmethod
    def charge_answer(self, lines: int) -> None:
        """Charge ``lines`` more lines of flood budget for an answer just sent.

        Over budget, what the client sends next waits (or, in the end, the
        client is cut off).
        """

    @abstractmethod
    def budget_held(self) -> float:
        """The lines of flood budget there are to spend now (below 0: the debt the client is waiting out)."""

    @abstractmethod
    def budget_full_in(self) -> float:
        """Seconds until the flood budget is full again (0: it is).

        What a program reading page after page should let pass before it
        asks for the next: it is never told it floods, and what its user
        types meanwhile has the rest of the burst.
        """

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


NOT_SHOWN: frozenset[type[Event]] = frozenset[type[Event]](
    (
        AwayChanged,
        AccountRegistered,
        Identified,
        AccountDropped,
        AccountNotKept,
        AccountNotDropped,
        MessageNotKept,
        OperatorGranted,
    )
)
"""Events the line protocol shows nobody as events, though the chat sends them to people: IRC clients are
told who went away (away-notify) and who is identified to what (account-notify); a line session, text or
JSON, saw none of it before and sees none now. A user's own away and account changes are told them
in notices instead: by the command, to the session that asked; on delivery, to their other sessions
(``_tell_own_sessions``). Becoming an operator is told on delivery to each of them, the one whose ``/oper`` was
checked (later, not while it acts) too: ``NOW_OPERATOR``, so a page in another tab knows it at once. An unregistering the store could not keep is told on delivery to every one of
them, the asker too (beside its ``ERR not-saved``), as a room's registration not kept is; and a message
for an offline account that the store lost after its receipt, as a notice (``not_kept_notice``)."""


def _tell_own_sessions(
    event: AwayChanged | AccountRegistered | AccountDropped | AccountNotDropped | OperatorGranted,
    sessions: Sequence[LineSession],
) -> None:
    """Tell the actor's sessions among ``sessions``, bar the one that asked (``acting``), the notice the command
    answers it with: they went away or came back, their nickname is registered, or no longer is (by an operator's
    doing, if one gave it up: then to every session of theirs); or that giving it up could not be saved, so it still
    is; or that they are an operator now."""
    for session in sessions:
        user = session.user
        if user is None or not _elsewhere(session, event.actor):
            continue
        if isinstance(event, OperatorGranted):
            session.send(NOW_OPERATOR)
        elif isinstance(event, AccountNotDropped):
            session.send(still_registered_notice(user))
        elif isinstance(event, AwayChanged):
            # An away text that changed: blank is back from away.
            session.send(away_notice(event.text, was_away=True))
        elif isinstance(event, AccountRegistered):
            session.send(registered_notice(user))
        elif event.operator is not None:
            session.send(dropped_by_operator_notice(user, event.operator.nick))
        else:
            session.send(unregistered_notice(user))


def deliver(
    event: Event,
    sessions: Sequence[LineSession],
    ignorers: set[LineSession],
    json: Callable[[Event], bytes] = json_line,
    text: Callable[[Event], bytes] = text_line,
    fanouts: "Fanouts[LineSession, bool] | None" = None,
) -> None:
    """Render ``event`` at most once per format and write it to each session that does not ignore its sender.

    ``json`` and ``text`` render it: a front end that wraps each rendering
    (the browser's, in a WebSocket frame) wraps it here once for all its sessions.
    A line said in a room goes through the front end's ``fanouts`` when it
    keeps them: one C loop a format (chatd.frontend.fanout).

    An event in ``NOT_SHOWN`` is dropped here, once for all its recipients.
    The ignore check runs only while ``ignorers`` (the front end's sessions
    that ignore someone) is not empty, so it costs nothing otherwise. It hides
    file offers too, a room's late joiners' among them: an offer's name is the
    sender's text, shown to everyone offered it. A session an offer is hidden
    from notes it (``offers_hidden``), to be told nothing of its end. After
    a part, a kick, a ban or a kill the sessions catch up with what it did to them: each of the
    user's connections that talked in the room left talks in another (``settle``), wherever the
    part was asked. A join is not sent to the joiner's other connections, which did not ask for
    it: each is told it is in the room and shown it, as the one that joined shows it itself
    (``joined_elsewhere``).
    """
    if type(event) in NOT_SHOWN:
        if isinstance(
            event, AwayChanged | AccountRegistered | AccountDropped | AccountNotDropped | OperatorGranted
        ):
            _tell_own_sessions(event, sessions)
        elif isinstance(event, MessageNotKept):
            for session in sessions:
                session.send(not_kept_notice(event))
        return
    if ignorers and isinstance(event, Said | Acted | Whispered | Encrypted | Invited | FileOffered):
        sender = fold(event.actor.nick)
        shown = [session for session in sessions if sender not in session.ignored]
        if isinstance(event, FileOffered) and len(shown) < len(sessions):
            for session in sessions:
                if sender in session.ignored:
                    session.offers_hidden.add(event.file)
        sessions = shown
    if fanouts is not None and isinstance(event, Said | Acted):
        fanout = fanouts.find(cast(list[LineSession], sessions))
        if fanout is not None:
            for as_json_kind, group in fanout.groups:
                fanout.write(json(event) if as_json_kind else text(event), group)
            return
    as_text = as_json = b""
    # ``_elsewhere`` written out, with the nickname read once: it runs for every member a join is shown to.
    joiner = event.actor.nick if isinstance(event, Joined) else None
    # Someone else's coming or going may wait for company (``Sink.write_later``); their own is an answer.
    movers = news_of(event)
    for session in sessions:
        user = session.user
        if joiner is not None and not session.acting and user is not None and user.nick == joiner:
            session.joined_elsewhere(cast(Joined, event).room)
            continue
        if session.json:
            as_json = as_json or json(event)
            data = as_json
        else:
            as_text = as_text or text(event)
            data = as_text
        if movers is not None and (user is None or user.nick not in movers):
            session.sink.write_later(data)
        else:
            session.sink.write(data)
    if isinstance(event, Parted | Kicked | Banned | Killed):
        for session in sessions:
            session.settle()


def _elsewhere(session: LineSession, actor: Actor) -> bool:
    """Whether ``session`` is one of ``actor``'s that did not ask for what the chat delivers (``acting``): a join,
    an away, an account made or given up, which the command answers itself."""
    return not session.acting and acted(session.user, actor)
