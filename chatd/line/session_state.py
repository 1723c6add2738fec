"""What a line session holds and how it is written to and charged: the part of ``LineSession`` that runs no command.

Its state in the chat (its user, rooms, format, ignores, paging, resuming),
its sink and the renderings it writes in, and the charges a front end makes
for what it answers. On its own so that chatd.line.session reads as what a
session does: its greeting, its proofs, and the commands it runs.
"""

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

from chatd.domain.chat import Chat
from chatd.domain.events import Event, RoomEvent, Whispered
from chatd.domain.ids import Point
from chatd.domain.ports import Audience, UserView
from chatd.domain.replies import Reply
from chatd.frontend.flood import ENTRIES_PER_LINE, file_listing_lines
from chatd.frontend.sinks import NOWHERE, Sink
from chatd.frontend.transfers import Transfers
from chatd.line.render import (
    Renderable,
    found_json,
    found_text,
    history_json,
    history_text,
    json_line,
    text_line,
)
from chatd.turns import Turns

if TYPE_CHECKING:
    from chatd.line.session import LineSession


class SessionState(ABC):
    """A line session's state in the chat, its output and its charges; ``LineSession`` runs its commands."""

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

        Set by a replay (chatd.line.replay) or ``/history`` (chatd.line.history); any other command clears it, and it lapses
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
        """Send a listing of ``entries`` rooms, nicknames or file transfers (a page of one), charged for its size
        (``charge_listing``)."""
        self.send(listing)
        self.charge_listing(entries)

    def charge_listing(self, entries: int, per: int = ENTRIES_PER_LINE) -> None:
        """Charge for an answer of ``entries`` rooms, nicknames, file transfers or lines of history just sent.

        A command costs one line of flood budget, whatever it answers; a
        listing costs one more for every ``per`` entries (``ENTRIES_PER_LINE``),
        so asking for page after page of a big chat is slowed like a flood
        (issue 12), while a short listing costs what any command does.
        """
        lines = entries // per
        if lines:
            self.charge_answer(lines)

    def charge_file_listing(self, files: int) -> None:
        """Charge for an answer about ``files`` transfers or offers (``/file list``'s page, ``/file decline *``):
        as ``file_listing_lines`` says, its command's line the first of its lines."""
        lines = file_listing_lines(files)
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
