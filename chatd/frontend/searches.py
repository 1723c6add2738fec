"""A room's search as every front end runs it: checked, charged and taken in the host's turn alike.

The line protocol's ``/search`` and IRC's ``SEARCH`` (soju.im/search) ask
the same question of the History port (``Chat.search``): the newest lines
of a room holding every word, for its members alone; or of a conversation's
private messages (``Chat.search_private``), for its two identified accounts,
alike. A search with a word under three characters reads the room's (or
the conversation's) last lines, as no index helps with it
(``chatd.domain.search.scans``): such a search costs a burst of flood
budget (the session's ``charge_burst``) as it is asked, so a charge that
cuts the connection off reads nothing. Every search, scan or indexed,
waits for its host's search before it to be answered (``Turns``, one for
every front end), so a host's connections keep at most one search on the
store's reader thread, whatever their number or port: an indexed search
the index barely narrows reads as much as a scan (20 connections of one
address looping such searches held another user's /history back 2-2.8 s).
A turn whose session has gone by then is skipped: nobody is left to be
answered. An indexed search is charged, once answered, a line more for
every ``CHECKED_PER_LINE`` characters the store checked (chatd.domain.search's
``Found``): what the index left it to read, not what it shows. A scan has
paid up front for all it may read.
"""

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from twisted.internet.defer import Deferred, succeed

from chatd.domain.chat import Chat
from chatd.domain.events import RoomEvent, Whispered
from chatd.domain.networks import counted_as
from chatd.domain.ports import UserView
from chatd.domain.search import EVER, Found, Period, scans, search_words
from chatd.frontend.flood import CHECKED_PER_LINE
from chatd.turns import Turns

Answer = Callable[[str, Sequence[RoomEvent | Whispered], bool], None]
"""What a front end does with a search's hits: the room's name as it shows (or the nickname as asked), its events,
and whether it scanned."""


class Searcher(Protocol):
    """The session a search is asked on: its user, address and chat, and how to charge it."""

    @property
    def chat(self) -> Chat: ...

    @property
    def peer(self) -> str: ...

    @property
    def closing(self) -> bool: ...

    @property
    def search_turns(self) -> Turns: ...

    def me(self) -> UserView: ...

    def charge_burst(self) -> bool:
        """Charge a burst of flood budget; False once that cut the session off (or it is closing)."""
        ...

    def charge_answer(self, lines: int) -> None:
        """Charge ``lines`` more lines of flood budget for an answer."""
        ...


def search(
    session: Searcher, name: str, query: str, answer: Answer, *, private: bool = False, period: Period = EVER
) -> "Deferred[None] | None":
    """Search room ``name`` (``private``: the private messages with the account ``name``) within ``period`` for
    ``query`` and hand the hits to ``answer``; the session waits for the Deferred.

    Refused before any charge or turn, as a ChatError (not a member, not
    identified, ``SearchWordsError``): it reads nothing. None when the
    scan's charge cut the session off: nothing is read or answered.
    Indexed or not, it waits for the host's search before it to
    be answered (``session.search_turns``).
    """
    me, chat = session.me(), session.chat
    if private:
        chat.private_searchable(me, query)
    scan = scans(search_words(query))
    target = name if private else chat.searchable(me, name, query)
    if scan and not session.charge_burst():
        return None

    def turn() -> "Deferred[None]":
        if session.closing:
            return succeed(None)
        read = (
            chat.search_private(me, target, query, period)
            if private
            else chat.search(me, target, query, period)
        )
        return Deferred.fromCoroutine(_found(session, read, target, answer, scan=scan))

    return session.search_turns.run(counted_as(session.peer), turn)


async def _found(session: Searcher, read: Awaitable[Found], room: str, answer: Answer, *, scan: bool) -> None:
    """Answer with what ``read`` finds in ``room`` (checked again by ``Chat.search`` as the read starts), then charge
    an indexed search for the characters it checked."""
    found = await read
    answer(room, found.events, scan)
    lines = 0 if scan else found.checked // CHECKED_PER_LINE
    if lines:
        session.charge_answer(lines)
