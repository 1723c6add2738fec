"""Private messages kept: for a registered nickname whose owner is offline, and between two identified users.

``/msg`` to someone online goes through ``Talk.whisper``; to a registered
nickname nobody holds, ``Offline.whisper`` keeps the message in the
``Mailbox`` port (memory, or the ``--db`` file) instead, as the same
``Whispered`` event the sender is echoed, so it keeps its id and time. At
most ``MAILBOX_MOST`` wait for one account: a stranger cannot fill a disk
through it (``MailboxFullError`` beyond). The account's user takes them
(``Offline.take``) once identified; they are then gone from the mailbox,
and held with the user (``User.kept``) while the account stays online, so
every connection that proves it later (a second browser tab, a terminal)
is shown them as the first was; with its last connection they are gone.

A private message between two identified users (both accounts known when
it was sent) is kept in history under its ``conversation`` key, readable
by those two accounts alone (``Offline.conversation``); one where either
side had not identified is not kept, as nobody could later prove it theirs.
"""

from collections.abc import Awaitable, Callable, Sequence

from chatd.domain import rules
from chatd.domain.encoding import encode_event
from chatd.domain.errors import LineCountError, MailboxFullError, NoSuchNicknameError, NotIdentifiedError
from chatd.domain.events import MessageNotKept, Private, Whispered
from chatd.domain.names import check_said
from chatd.domain.ports import UserView
from chatd.domain.publish import Publisher
from chatd.domain.replies import Away, Kept
from chatd.domain.search import EVER, Found, Period, search_words
from chatd.domain.state import ChatState
from chatd.domain.storage_ports import Accounts, History, Mailbox
from chatd.domain.talk import Talk
from chatd.domain.users import User, own
from chatd.text import fold

MAILBOX_MOST = 100
"""Most private messages kept for one offline account; the next is refused until they identify."""

MAILBOX_BYTES = 64 * 1024
"""Most bytes of messages (as kept, ``encode_event``) waiting for one offline account. An ``/emsg`` may be 16 KiB:
a hundred of them filled the disk 1.6 MB a mailbox, and handed over at once they overflowed the owner's send
queue, which cut them off and lost the lot. This much fits Twisted's own buffer whatever ``--sendq`` is."""


def conversation(first: str, second: str) -> str:
    """The key of the private messages between accounts ``first`` and ``second``, whoever sent them.

    Both, sorted, joined by a space, which no account (a folded nickname) holds.
    """
    return " ".join(sorted((first, second)))


def conversation_of(event: Private) -> str | None:
    """The ``conversation`` ``event`` belongs to; None unless both sides were identified (it is not kept)."""
    sender, to = event.actor.account, event.to_account
    return None if sender is None or to is None else conversation(sender, to)


def kept_size(event: Private) -> int:
    """The bytes ``event`` takes in a mailbox: its whole encoding, as a store keeps it."""
    return len(encode_event(event).encode())


def keep_for(
    seam: Publisher,
    mailbox: Mailbox,
    sender: User,
    account: str,
    to: str,
    make: Callable[[str, float], Private],
) -> Kept:
    """Keep the private message ``make`` builds (from its id and time) for the offline ``account`` (``to``).

    Only the sender is shown it (the receipt); past ``MAILBOX_MOST`` waiting
    for the account, or ``MAILBOX_BYTES`` of them, it is refused
    (MailboxFullError) and nothing is kept. The receipt and ``Kept`` go out
    once the store has the message safe from a crash, before it is written
    to its file; a store that then cannot write it tells the sender, if
    still online, that it was not kept after all (``MessageNotKept``), on
    each of their connections.
    """
    waiting = mailbox.waiting(account)
    if waiting >= MAILBOX_MOST:
        raise MailboxFullError(to, MAILBOX_MOST)
    id, at = seam.stamp()
    event = make(id, at)
    if mailbox.held(account) + kept_size(event) > MAILBOX_BYTES:
        raise MailboxFullError(to, MAILBOX_BYTES, waiting)
    seam.publish(event, (sender,))
    mailbox.keep(account, event, lambda reason: _not_kept(seam, sender, event, reason))
    return Kept(to, waiting + 1)


def _not_kept(seam: Publisher, sender: User, event: Private, reason: str) -> None:
    """The mailbox lost ``event`` (for ``reason``), whose sender was told it was kept: tell them, if still online."""
    if sender.online:
        id, at = seam.stamp()
        lost = MessageNotKept(id=id, at=at, actor=sender.actor, to=event.to, message=event.id, reason=reason)
        seam.publish(lost, (sender,))


class Offline:
    """``/msg`` that falls back to the mailbox for an offline account, and the handing over of what waits."""

    def __init__(
        self,
        state: ChatState,
        seam: Publisher,
        accounts: Accounts,
        mailbox: Mailbox,
        history: History,
        now: Callable[[], float],
        talk: Talk,
    ) -> None:
        self._history = history
        self._state = state
        self._seam = seam
        self._accounts = accounts
        self._mailbox = mailbox
        self._now = now
        self._talk = talk

    def whisper(self, view: UserView, nick: str, text: str) -> Away | Kept | None:
        """Send ``text`` to ``nick`` (``Talk.whisper``), or keep it if ``nick`` is an offline account's nickname.

        Kept, the sender alone is shown it (the receipt) and told it is kept
        (``Kept``). Raises NoSuchNicknameError for a nickname neither online
        nor registered, MailboxFullError past ``MAILBOX_MOST``.
        """
        try:
            return self._talk.whisper(view, nick, text)
        except NoSuchNicknameError:
            account = fold(nick)
            if self._accounts.owner(nick) != account:
                raise
        user = own(view)
        rules.check_voice(self._state, user, self._now())
        text = check_said(text)
        to = self._accounts.nick(account)

        def whispered(id: str, at: float) -> Private:
            return Whispered(id=id, at=at, actor=user.actor, to=to, text=text, to_account=account)

        return keep_for(self._seam, self._mailbox, user, account, to, whispered)

    async def take(self, view: UserView) -> Sequence[Private]:
        """The messages kept for the user's account while it was offline, oldest first: those the mailbox
        held, now gone from it, after those an earlier connection of the account online took (``User.kept``).

        A message two connections' takes both read (a store that answers the
        second before it deleted for the first; the SQLite store takes an
        account's one at a time) is held once. Raises
        NotIdentifiedError for a user not identified.
        """
        user = own(view)
        account = user.account
        if account is None:
            raise NotIdentifiedError()
        taken = await self._mailbox.take(account)
        if not (user.online and user.account == account):
            return taken
        held = {event.id for event in user.kept}
        user.kept = (*user.kept, *(event for event in taken if event.id not in held))
        return user.kept

    async def empty_once(self, account: str, dropped: Awaitable[None]) -> None:
        """Once ``dropped`` (the giving up of ``account``) is kept, forget what its mailbox holds: an operator may
        give up an account whose owner is offline, and whoever registered its nickname next was handed the former
        owner's messages on identifying. Fails with ``dropped``'s failure, and then forgets nothing."""
        await dropped
        await self._mailbox.take(account)

    def conversation(
        self, view: UserView, nick: str, count: int, most: int, period: Period = EVER
    ) -> Awaitable[Sequence[Private]]:
        """The last ``count`` private messages between the user's account and the account ``nick`` within
        ``period`` (the messages before a point, to page back), oldest first.

        Only its two parties read a conversation, so the user must be
        identified (NotIdentifiedError); ``count`` is 1 to ``most``
        (LineCountError). A nickname no account has, or one never written
        to, has none.
        """
        account = own(view).account
        if account is None:
            raise NotIdentifiedError(nick)
        if not 1 <= count <= most:
            raise LineCountError(count, most)
        # Only what was said since the account was registered: one given up earlier was someone else's.
        return self._history.conversation(
            conversation(account, fold(nick)), count, self._accounts.since(account), period
        )

    def search(self, view: UserView, nick: str, query: str, limit: int, period: Period) -> Awaitable[Found]:
        """The newest ``limit`` private messages between the user's account and the account ``nick`` within
        ``period`` holding every word of ``query`` (chatd.domain.search); checked as ``searcher`` checks, read as
        ``conversation`` reads."""
        account = self.searcher(view, query)
        return self._history.search_private(
            conversation(account, fold(nick)), query, limit, self._accounts.since(account), period
        )

    def searcher(self, view: UserView, query: str) -> str:
        """The account of the user, who may search their private messages for ``query``; raises NotIdentifiedError
        (only its two parties read a conversation) or SearchWordsError, reading nothing."""
        account = own(view).account
        if account is None:
            raise NotIdentifiedError()
        search_words(query)
        return account
