"""What the chat keeps outside itself, as typing.Protocols: the ports the stores of chatd.storage fill.

``History`` keeps events (in memory, or in SQLite); it takes each event
from the one seam in chatd.domain.publish and never makes it wait.
``Accounts`` keeps who owns which nickname, and the hashes of their
passwords; ``Mailbox`` the private messages waiting for offline accounts;
``KeyStore`` the entries of the key log; ``RoomStore`` the registered
rooms: who owns each, its room operators, and its settings; and the
settings of the server's rooms. What a store must read answers with an
``Awaitable`` (a Deferred), so one on disk reads off the reactor thread.
They are apart from the front ends' ports (chatd.domain.ports) because
only storage (chatd.storage) fills them.
"""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Protocol

from chatd.domain.events import Deleted, Event, ModeChange, Private, RoomEvent
from chatd.domain.keylog import KeyEntry
from chatd.domain.room_settings import NO_SETTINGS, RoomSettings
from chatd.domain.rooms import RegisteredRoom
from chatd.domain.search import EVER, Found, Period


class History(Protocol):
    """Where events are kept, in the order they happened.

    Writing never waits: ``append`` queues, and a store on disk logs a
    reactor pass's events when it ends, before its output goes, so no line
    reaches anyone before it is safe from a crash, and commits them off the
    reactor thread. ``when_written`` waits for that commit. Reads are slow
    work too: each
    answers with an ``Awaitable`` (a Deferred from a store), oldest event
    first, and takes the room by its folded name.
    """

    def append(self, event: Event) -> None:
        """Keep ``event``; never waits."""
        ...

    def when_written(self, call: Callable[[], None]) -> None:
        """Call ``call`` once every event appended so far is committed (at once if none waits).

        Called at once, ``call`` runs in the middle of whatever asked, so it
        may send bytes or start a read, never publish an event.
        """
        ...

    def last_seq(self, room: str) -> int:
        """The ``seq`` of the last event kept for room ``room``; 0 if none. Answered from memory, for a room
        ``read_last_seq`` has answered None for: a store may hold it for some rooms only."""
        ...

    def read_last_seq(self, room: str) -> Awaitable[None] | None:
        """None if ``last_seq`` answers for room ``room`` now; else what to await before it does (a read)."""
        ...

    def room_events(self, room: str, after: int, limit: int) -> Awaitable[Sequence[RoomEvent]]:
        """Up to ``limit`` kept events of room ``room`` with ``seq`` above ``after``: what a client missed."""
        ...

    def place(self, room: str, event_id: str) -> Awaitable[int]:
        """The ``seq`` of the first kept message of room ``room`` whose id is ``event_id`` or above; one past the
        room's last ``seq`` if none is.

        Where a point in the order of events falls among the room's lines
        (chatd.domain.ids.Point): ids sort as events happened, in every
        room, so ``event_id`` need name no event of the room, nor any kept
        (a QUIT's, another room's, one forgotten, a time's). Found by
        bisection, not by reading the room's lines in turn.
        """
        ...

    def count(self, room: str, after: int, before: int) -> Awaitable[int]:
        """How many kept messages of room ``room`` have a ``seq`` above ``after`` and below ``before``."""
        ...

    def recent(self, room: str, before: int | None, limit: int) -> Awaitable[Sequence[RoomEvent]]:
        """The last ``limit`` kept events of room ``room`` with ``seq`` below ``before`` (None: the latest)."""
        ...

    def at_hand(self, room: str, before: int | None, limit: int) -> Sequence[RoomEvent] | None:
        """What ``recent`` answers, if the store holds it in memory; None if only a read can tell.

        Every join replays its room's last lines, nearly always the ones in
        memory: taken as they are, a join makes, fires and chains no
        Deferred for them (docs/PERFORMANCE.md, "Registering after a restart").
        """
        ...

    def deletions(self, room: str, point: str, limit: int) -> Awaitable[Sequence[Deleted]]:
        """The first ``limit`` deletions kept of room ``room`` (its ``Deleted`` events, the tombstones of lines
        ``/delete`` took away) made at or after the id ``point`` of lines said before it, oldest first.

        What a client that resumes after a point is told was deleted since
        (chatd.domain.resume): the lines are gone from every other read. A
        line said after the point the client never had, so its deletion is
        left out before ``limit`` is counted: the limit counts what is told.
        Kept as long as lines are (``prune``), and forgotten with what
        their deleter sent (``forget``).
        """
        ...

    def search(self, room: str, query: str, limit: int, period: Period = EVER) -> Awaitable[Found]:
        """Up to ``limit`` lines said or acted in room ``room`` within ``period`` that match ``query``, the newest
        first, with the characters of text checked to find them (``Found``: what the search cost, which the front
        end charges).

        What matches is chatd.domain.search's rule (every word, as words or
        as text); a query with a word under three characters looks only at
        the last ``SCAN_LINES`` lines of the period. Unlike the other reads,
        newest first: the lines a search is most likely after. The period
        bounds what is looked at, so lines after it use up none of a
        search's bounds, and the newest ``limit`` of it are found however
        many newer lines match.
        """
        ...

    def search_private(
        self, pair: str, query: str, limit: int, since: float = 0.0, period: Period = EVER
    ) -> Awaitable[Found]:
        """Up to ``limit`` private messages of conversation ``pair`` sent at ``since`` or later and within
        ``period`` that match ``query``, the newest first, with the characters checked (``Found``), as ``search``
        answers for a room.

        As a room's search: a query with a word under three characters
        looks only at the conversation's last ``SCAN_LINES`` of the period (``scanned``).
        ``Encrypted`` ones hold ciphertext alone and are never looked at.
        """
        ...

    def conversation(
        self, pair: str, limit: int, since: float = 0.0, period: Period = EVER
    ) -> Awaitable[Sequence[Private]]:
        """The last ``limit`` private messages kept of conversation ``pair`` (chatd.domain.offline.conversation)
        sent at ``since`` (seconds) or later and within ``period``, oldest first.

        ``period`` is how a client pages back (``/history @NICK before ID``):
        bounded as a search is, so the messages after it use up none of ``limit``.

        A store keeps a private message only if both sides were identified
        (``conversation_of`` is not None).
        """
        ...

    def conversations(
        self, account: str, after: float, before: float
    ) -> Awaitable[Sequence[tuple[str, float]]]:
        """The accounts ``account`` has kept private messages with (itself, if it wrote to itself), each with the
        time of the latest of them, for those whose latest falls after ``after`` and before ``before`` (seconds).

        IRC's CHATHISTORY TARGETS; in no particular order. Only ``account``'s own conversations: its key is in
        their ``pair`` (chatd.domain.offline.conversation).
        """
        ...

    def forget(self, nick: str, since: float) -> Awaitable[int]:
        """Delete every message, action and private message sent under nickname ``nick`` (any case) at ``since``
        (seconds) or later; answers how many. The deletions they made then (``deletions``: their reason is theirs
        too) go as well, uncounted: the count is of messages.

        ``/forget``: an account's own lines, from its registration on (what
        its nickname sent before was a former owner's, or nobody's account's).
        """
        ...

    def prune(self, before: float) -> Awaitable[int]:
        """Forget the events appended before now from before ``before`` (seconds), bar what the chat needs back
        at start, and the deletions made before it; answers how many went. The daemon calls it for
        ``--retain-days``, never the chat."""
        ...


class Accounts(Protocol):
    """Who owns which nickname: accounts, each a registered nickname and its password's hash.

    An account is named by its folded nickname (``chatd.text.fold``).
    ``owner`` is asked at every nickname taken, so it is answered from
    memory: a store keeps every registered nickname there (by key and by
    look), and only the hashes on disk. Reading a hash is slow work like a
    history read, so it answers with an ``Awaitable``; each change answers
    with one that fires once the change is kept (the SQLite store: written
    in the same transaction as the pass's events), and takes effect in
    ``owner`` at once.
    """

    def owner(self, nick: str) -> str | None:
        """The account whose nickname has ``nick``'s key or look; None if none does."""
        ...

    def nick(self, account: str) -> str:
        """The nickname of ``account`` as it was registered (its case and form)."""
        ...

    def count(self) -> int:
        """How many accounts there are, from memory (a change counts at once, as in ``owner``)."""
        ...

    def since(self, account: str) -> float:
        """When ``account`` was registered (seconds since the epoch), from memory.

        An account is its nickname, which is anyone's to register again once
        given up: what was kept for the account before then was another's.
        """
        ...

    def password(self, account: str) -> Awaitable[str | None]:
        """The password hash of ``account``; None if there is no such account."""
        ...

    def create(self, nick: str, hashed: str, at: float) -> Awaitable[None]:
        """Register ``nick`` with password hash ``hashed`` at time ``at``; the caller checked ``owner(nick)`` is None."""
        ...

    def change(self, account: str, hashed: str) -> Awaitable[None]:
        """Give ``account`` the password hash ``hashed``."""
        ...

    def delete(self, account: str) -> Awaitable[None]:
        """Forget ``account``: its nickname is anyone's again."""
        ...


class Mailbox(Protocol):
    """Private messages kept for offline accounts (chatd.domain.offline), each account's oldest first.

    ``waiting`` is asked at every message kept, so it is answered from
    memory; ``keep`` writes as ``Accounts``' changes do (the SQLite store:
    in the pass's transaction, so output waits for it).
    """

    def waiting(self, account: str) -> int:
        """How many messages wait for ``account``."""
        ...

    def held(self, account: str) -> int:
        """The bytes of the messages waiting for ``account`` (chatd.domain.offline.kept_size), from memory."""
        ...

    def keep(self, account: str, event: Private, lost: Callable[[str], None]) -> None:
        """Keep ``event`` for ``account``; never waits.

        A store that finds later it could not keep it after all (its write
        failed) calls ``lost`` with why, in the few words its sender reads
        (chatd.failures.not_kept), once it has counted it off.
        """
        ...

    def take(self, account: str) -> Awaitable[Sequence[Private]]:
        """The messages kept for ``account``, oldest first, and forget them."""
        ...


class KeyStore(Protocol):
    """The key log (chatd.domain.keylog) and the keys it gives each account (issue 17).

    ``head`` and ``keys`` are asked at every ``/key`` and ``/emsg``, so they
    are answered from memory (a store reads every account's keys and the
    last entry at start); ``append`` changes them at once and writes as
    ``Mailbox.keep`` does (the SQLite store: in the pass's transaction, so
    the answer, which output holds until then, is shown once it is kept).
    """

    def head(self) -> tuple[int, str]:
        """The last entry's seq and hash; ``(0, "")`` for an empty log."""
        ...

    def keys(self, account: str) -> tuple[str, ...]:
        """The keys ``account`` has published and not dropped, in the order published."""
        ...

    def append(self, entry: KeyEntry) -> None:
        """Add ``entry``, whose seq is one past ``head``'s and whose ``prev`` is its hash; never waits."""
        ...

    def entries(self, first: int, limit: int) -> Awaitable[Sequence[KeyEntry]]:
        """Up to ``limit`` entries from seq ``first`` on, in order."""
        ...


class RoomStore(Protocol):
    """The registered rooms, kept across restarts: each room's owner and its room operators, all accounts, and
    its settings (chatd.domain.room_settings.RoomSettings); and the settings of the server's rooms, which nobody registers.

    A port of its own rather than more of ``Accounts``: a room is not a
    nickname, and a store may keep one without the other. Rooms are named
    by their folded names. ``registered`` answers from memory (read at
    start); each change answers with an ``Awaitable`` that fires once it is
    kept, as ``Accounts`` changes do (the SQLite store: in the pass's
    transaction, with its events).
    """

    def registered(self) -> Sequence[RegisteredRoom]:
        """Every registered room, as kept when the store was opened and changed since."""
        ...

    def server_settings(self) -> Mapping[str, RoomSettings]:
        """The settings kept for rooms that are not registered (``change_settings`` with ``server``), by room, as
        kept when the store was opened and changed since: whatever the server's rooms are now, as the chat decides.
        """
        ...

    def register(
        self, room: str, name: str, owner: str, at: float, settings: RoomSettings = NO_SETTINGS
    ) -> Awaitable[None]:
        """Register room ``room`` (shown as ``name``) to the account ``owner`` at time ``at``, with no operators,
        set as ``settings``."""
        ...

    def unregister(self, room: str) -> Awaitable[None]:
        """Forget room ``room``'s registration, its operators and its settings."""
        ...

    def change_settings(
        self, room: str, changes: Sequence[ModeChange], by: str, at: float, *, server: bool = False
    ) -> Awaitable[None]:
        """Make ``changes`` (of settings, checked, in normal form) to what the registered room ``room`` keeps, as
        made by nickname ``by`` at ``at`` (``RoomSettings.changed``); ``server``: to what the server's room
        ``room`` keeps, with no registration (``server_settings``). A registered room's are changed only while it
        is registered when the change is kept, so a registration that failed keeps none.

        The changes, not the settings they lead to: applied to whatever is
        kept when they are, so a change kept stays though an earlier one
        failed, and a change that fails takes nothing of another with it.
        """
        ...

    def add_operator(self, room: str, account: str) -> Awaitable[None]:
        """Make ``account`` an operator of the registered room ``room``."""
        ...

    def remove_operator(self, room: str, account: str) -> Awaitable[None]:
        """Take ``account`` off the operators of the registered room ``room``."""
        ...
