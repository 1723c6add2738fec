"""What a user may read of what the store kept: a room's past, searches, what was missed, private messages.

Only a room's members read its lines (``rules.check_reader``,
``rules.check_member``); only an identified user reads the private
messages of their account (chatd.domain.offline). The chat checks; the
store reads, slowly, so each answer is an ``Awaitable`` the front end
waits on, bar ``history_at_hand``'s, which a store holds in memory.
"""

from collections.abc import Awaitable, Sequence

from chatd.domain import resume, rules
from chatd.domain.errors import NotIdentifiedError
from chatd.domain.events import Private, RoomEvent
from chatd.domain.ids import Point
from chatd.domain.offline import Offline
from chatd.domain.ports import UserView
from chatd.domain.resume import RESUME_MOST, Between, Missed
from chatd.domain.search import EVER, SEARCH_HITS, Found, Period, period_between, search_words
from chatd.domain.state import ChatState
from chatd.domain.storage_ports import Accounts, History
from chatd.domain.users import own
from chatd.text import fold

HISTORY_MOST = 100
"""Most lines of a room's history one read gives: an answer of a few screens, never the whole room."""


class Reads:
    """The reads of ``history`` a user may make, checked against ``state``.

    ``accounts`` names the accounts conversations were with; ``offline``
    keeps private messages (None without a mailbox: there are none to read,
    and asking is refused as for anyone unproven).
    """

    def __init__(
        self, state: ChatState, history: History, accounts: Accounts, offline: Offline | None
    ) -> None:
        self._state = state
        self._history = history
        self._accounts = accounts
        self._offline = offline

    def history(
        self, view: UserView, name: str, before: int | None, count: int
    ) -> Awaitable[Sequence[RoomEvent]]:
        """The last ``count`` lines of room ``name`` before sequence number ``before`` (None: the latest), oldest first.

        Only members read a room's history (``rules.check_reader``: raises
        NotMemberError, or LineCountError past ``HISTORY_MOST``). The chat
        checks; the store reads, slowly, so the answer is an ``Awaitable``
        the front end waits on.
        """
        room = rules.check_reader(own(view), name, count, HISTORY_MOST)
        return self._history.recent(fold(room.name), before, count)

    def history_at_hand(
        self, view: UserView, name: str, before: int | None, count: int
    ) -> Sequence[RoomEvent] | None:
        """``history``'s answer if the store holds it in memory (``History.at_hand``), checked as ``history`` is;
        None if only a read can tell."""
        room = rules.check_reader(own(view), name, count, HISTORY_MOST)
        return self._history.at_hand(fold(room.name), before, count)

    def history_around(
        self, view: UserView, name: str, at: Point, count: int
    ) -> Awaitable[Sequence[RoomEvent]]:
        """Up to ``count`` lines of room ``name`` centred on the point ``at`` in the order of events
        (chatd.domain.ids): a line's id, or any other event's, or a time.

        Checked as ``history`` is.
        """
        room = rules.check_reader(own(view), name, count, HISTORY_MOST)
        return resume.around(self._history, fold(room.name), at, count)

    def history_before(
        self, view: UserView, name: str, at: Point, count: int
    ) -> Awaitable[Sequence[RoomEvent]]:
        """The last ``count`` lines of room ``name`` before the point ``at`` in the order of events
        (chatd.domain.ids), oldest first.

        Checked as ``history`` is.
        """
        room = rules.check_reader(own(view), name, count, HISTORY_MOST)
        return resume.before(self._history, fold(room.name), at, count)

    def history_after(
        self, view: UserView, name: str, at: Point, count: int
    ) -> Awaitable[Sequence[RoomEvent]]:
        """The first ``count`` lines of room ``name`` after the point ``at``, oldest first.

        Checked as ``history`` is.
        """
        room = rules.check_reader(own(view), name, count, HISTORY_MOST)
        return resume.after(self._history, fold(room.name), at, count)

    def history_beside(
        self, view: UserView, name: str, at: Point, count: int
    ) -> Awaitable[tuple[Sequence[RoomEvent], Sequence[RoomEvent]]]:
        """The last ``count`` lines of room ``name`` before the point ``at``, and the first ``count`` from it on (the
        line it names first, if it names one), each oldest first.

        Checked as ``history`` is.
        """
        room = rules.check_reader(own(view), name, count, HISTORY_MOST)
        return resume.beside(self._history, fold(room.name), at, count)

    def history_between(
        self, view: UserView, name: str, first: Point, second: Point, count: int
    ) -> Awaitable[Between]:
        """Up to ``count`` lines of room ``name`` between the points ``first`` and ``second``, counted from the
        first, forward or back (``resume.between``).

        Checked as ``history`` is.
        """
        room = rules.check_reader(own(view), name, count, HISTORY_MOST)
        return resume.between(self._history, fold(room.name), first, second, count)

    def search(self, view: UserView, name: str, query: str, period: Period = EVER) -> Awaitable[Found]:
        """The newest ``SEARCH_HITS`` lines of room ``name`` within ``period`` holding every word of ``query``
        (chatd.domain.search).

        Only members search a room (``rules.check_member``: raises
        NotMemberError), and a query holds 1 to ``MOST_WORDS`` words
        (SearchWordsError); the store looks, slowly, as ``history`` reads.
        """
        return self._history.search(fold(self.searchable(view, name, query)), query, SEARCH_HITS, period)

    def searchable(self, view: UserView, name: str, query: str) -> str:
        """The name of room ``name`` as the room shows it, if ``view`` may search it for ``query``; raises as
        ``search`` does, reading nothing: what a front end checks before it charges for a search or queues it."""
        room = rules.check_member(own(view), name)
        search_words(query)
        return room.name

    def search_private(
        self, view: UserView, nick: str, query: str, period: Period = EVER
    ) -> Awaitable[Found]:
        """The newest ``SEARCH_HITS`` private messages between the identified user and the account ``nick`` within
        ``period`` holding every word of ``query``: ``search``'s answer for a conversation (``Offline.search``),
        checked as ``private_searchable`` checks."""
        return self._private_search().search(view, nick, query, SEARCH_HITS, period)

    def private_searchable(self, view: UserView, query: str) -> None:
        """Raise as ``search_private`` does (NotIdentifiedError, SearchWordsError), reading nothing: what a front
        end checks before it charges for a search of private messages or queues it."""
        self._private_search().searcher(view, query)

    def _private_search(self) -> Offline:
        """What keeps private messages; without a mailbox there are none: NotIdentifiedError as for anyone unproven."""
        if self._offline is None:
            raise NotIdentifiedError()
        return self._offline

    def missed(
        self, view: UserView, name: str, at: Point, before: int, most: int = RESUME_MOST
    ) -> Awaitable[Missed]:
        """What was said in room ``name`` after the point ``at`` in the order of events (chatd.domain.ids) and below
        ``before``: the latest ``most``, and how many; and the deletions since of lines up to ``at``
        (``chatd.domain.resume.missed``: up to ``RESUME_MOST`` however few lines are asked).

        Checked as ``history`` is: a member reads it, the rejoin just made.
        """
        room = rules.check_reader(own(view), name, most, most)
        return resume.missed(self._history, fold(room.name), at, before, most)

    def conversation(
        self, view: UserView, nick: str, count: int, before: Point | None = None
    ) -> Awaitable[Sequence[Private]]:
        """The last ``count`` private messages between the identified user and the account ``nick`` (``Offline``),
        or (``before``) the last ``count`` before that point in the order of events, as ``history_before`` reads a
        room's.

        Without a mailbox there are no accounts' private messages to read: NotIdentifiedError as for anyone unproven.
        """
        if self._offline is None:
            raise NotIdentifiedError(nick)
        return self._offline.conversation(view, nick, count, HISTORY_MOST, period_between(None, before))

    async def targets(self, view: UserView, after: float, before: float) -> list[tuple[str, float]]:
        """Where the user has history whose latest line was said after ``after`` and before ``before`` (seconds),
        with that line's time, oldest first: each room they are in, by its name, and, identified, each account
        they exchanged kept private messages with, by its nickname (IRC's CHATHISTORY TARGETS).

        Only the user's own: the rooms they may read, and their account's conversations, never another's.
        An account given up since is left out: it has no nickname to name it by; so is a conversation of the
        account's nickname before it was registered, a former owner's.
        """
        user = own(view)
        found: list[tuple[str, float]] = []
        for room in list(user.rooms.values()):
            last = await self._history.recent(fold(room.name), None, 1)
            if last and after < last[-1].at < before:
                found.append((room.name, last[-1].at))
        if user.account is not None and self._offline is not None:
            # What was said before the account was registered was a former owner's of its nickname.
            since = self._accounts.since(user.account)
            for other, at in await self._history.conversations(user.account, after, before):
                if at >= since and self._accounts.owner(other) == other:
                    found.append((self._accounts.nick(other), at))
        return sorted(found, key=lambda target: target[1])

    async def take_offline(self, view: UserView) -> Sequence[Private]:
        """The private messages kept for the identified user while offline, oldest first; gone from the mailbox.

        None without a mailbox. Raises NotIdentifiedError (chatd.domain.offline).
        """
        if self._offline is None:
            return ()
        return await self._offline.take(view)
