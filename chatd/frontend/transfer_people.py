"""A transfer's people, its sender and recipients: which of their sessions hear what becomes of it, and their renames.

The engine (chatd.frontend.transfers) decides what happened (a recipient
fetched, declined or stopped a file, the sender withdrew it, it expired);
this says it to whoever must hear, on each of their sessions: those the
engine serves (nc's and the page's, ``attach``) are sent the reply, the
others (IRC's) are told through the front ends that asked
(``tell_elsewhere``), so that no session goes on showing what is over. A
session still fetching the file is left to fetch it to its end. Who the
people are (``chatd.domain.people.person_key``: an account, else a nickname
from an address) follows them through every rename, and as they identify
or give an account up, as the chat's bus carries it.
"""

from collections.abc import Callable
from typing import cast

from chatd.domain.chat import Chat
from chatd.domain.events import Actor, Event
from chatd.domain.file_replies import FileCancelled, FileExpired, FileReply
from chatd.domain.people import MOVING, person_key, person_moved
from chatd.domain.ports import Bus, Session
from chatd.frontend.downloads import Downloads
from chatd.frontend.open_transfers import OpenTransfers
from chatd.frontend.transfer_parts import Elsewhere, Peer, Transfer, named_user, person


class TransferPeople:
    """The people of ``open_transfers``, found on ``chat`` and renamed as ``bus`` says."""

    def __init__(self, chat: Chat, open_transfers: OpenTransfers, bus: Bus) -> None:
        self._chat = chat
        self._open = open_transfers
        self._downloads: Downloads = open_transfers.downloads
        self._peers: set[object] = set()
        """The sessions the engine serves (as objects: the chat's sessions are looked up in it)."""
        self._elsewhere: list[Elsewhere] = []
        """Front ends that carry no files (IRC), told what becomes of a transfer to or from one of their sessions."""
        self._followers: list[Callable[[str, str, str], None]] = []
        """Told of each change of someone's key (the web port's links, made for a recipient)."""
        # Every rename, however made (/nick, NICK, identifying, a guest's name given), and every change of account:
        # transfers follow their people, until the engine stops (``stop``).
        self._unsubscribe: Callable[[], None] | None = bus.subscribe(self._heard, MOVING)

    def stop(self) -> None:
        """Follow no more renames, for good: the daemon is stopping. The bus hears no more of it, as it hears no more
        of the late joiners (``LateJoiners.stop``), so a rename published as sessions close on the way down rewrites
        no transfer's record in a store being let go, and an engine made again on the same bus is followed by no
        stopped one."""
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._unsubscribe = None

    def tell_elsewhere(self, told: Elsewhere) -> None:
        """Have ``told`` hear, for each session the engine does not serve (an IRC client's, sent no file bytes but
        told of offers), what the sessions it serves are sent of a transfer to or from its user: a recipient, that
        the offer was withdrawn or expired, or that they fetched, declined or stopped it elsewhere; a sender, that a
        recipient fetched, declined or stopped it, or that it was withdrawn on another session, or expired."""
        self._elsewhere.append(told)

    def attach(self, peer: Peer) -> None:
        """``peer`` is served: news of transfers goes to it as a reply."""
        self._peers.add(peer)

    def detach(self, peer: Peer) -> None:
        """``peer`` is gone: it hears nothing more."""
        self._peers.discard(peer)

    def follow(self, moved: Callable[[str, str, str], None]) -> None:
        """Have ``moved`` told, each time someone's key changes, the old key, the new and the nickname they go by."""
        self._followers.append(moved)

    def fetching(self, transfer: Transfer, key: str) -> bool:
        """Whether a session of the person ``key`` is fetching ``transfer``: they are not done with it while one is."""
        return any(
            self._downloads.downloading(transfer.file, cast(Peer, session))
            for session in self._chat.file_sessions(key)
        )

    def _heard(self, event: Event) -> None:
        moved = person_moved(event)
        if moved is not None:
            self._moved(*moved)

    def _moved(self, was: Actor, now: Actor) -> None:
        """Whoever was ``was`` is ``now`` (renamed, identified, an account given up): what they send and what they
        were offered follow them.

        A recipient's key in ``pending`` moves to the new one, so they may
        still fetch or decline (and in ``done``, so that they are not offered
        it again as they join its room; and in ``joined``, so that they are
        let go as they leave it); a sender's snapshot becomes ``now`` (and with
        it the key they cancel and resume by), so each fetch, decline and
        cancel reaches them under it. The store is written only for what it
        keeps: a late joiner's rename, done with it or not, is not in it
        (``Transfer.record``).
        """
        old, new = person_key(was), person_key(now)
        # Their own transfers, found by person: a walk of every open transfer made each rename cost them all.
        for transfer in self._open.of_person(old):
            changed = (
                old != new
                and old not in transfer.joined
                and (old in transfer.done or old in transfer.pending)
            )
            for people in (transfer.pending, transfer.done, transfer.joined):
                if old != new and old in people:
                    people.discard(old)
                    people.add(new)
            if transfer.by == old:
                transfer.sender = now
                changed = True
            if changed:
                self._open.settled(transfer)
        self._open.moved(old, new)
        for moved in self._followers:
            moved(old, new, now.nick)

    def tell_recipients(self, transfer: Transfer, ended: FileCancelled | FileExpired) -> None:
        """Send ``ended`` to each session of each recipient not done with ``transfer``: those this engine serves as
        a reply, unless its offer was hidden from them (``_tell_if_shown``), the others (IRC's) through the front
        ends that asked (``tell_elsewhere``)."""
        for key in transfer.pending:
            for session in self._chat.file_sessions(key):
                if session in self._peers:
                    _tell_if_shown(cast(Peer, session), transfer, ended)
                    continue
                for told in self._elsewhere:
                    told.recipient_told(session, transfer, ended)
        # A session still fetching it for a recipient done with it on another session: its download stops too.
        for peer in self._downloads.peers(transfer.file):
            if person(named_user(peer)) not in transfer.pending:
                peer.send(ended)

    def tell_recipient(
        self, transfer: Transfer, key: str, item: FileReply, but: Peer | Session | None
    ) -> None:
        """Send ``item``, the news that the recipient ``key`` is done with ``transfer``, to each of their sessions
        that this engine serves but ``but`` (where they did it), those still fetching it (they go on to its end) and
        those its offer was hidden from (``_tell_if_shown``), so that none goes on showing an offer that is over for
        them; the front ends that asked are told of the others but ``but`` (``tell_elsewhere``: IRC's, where
        ``but`` may be one)."""
        for session in self._chat.file_sessions(key):
            peer = cast(Peer, session)
            if session is but:
                continue
            if session not in self._peers:
                for told in self._elsewhere:
                    told.recipient_told(session, transfer, item)
            elif not self._downloads.downloading(transfer.file, peer):
                _tell_if_shown(peer, transfer, item)

    def tell_sender(self, transfer: Transfer, item: FileReply, but: Peer | None = None) -> None:
        """Send ``item`` to each session of ``transfer``'s sender that this engine serves (``but`` one), and tell the
        front ends that asked of the others (``tell_elsewhere``), if they are online as they were (by ``person_key``:
        their account if identified, else their nickname from their address)."""
        for session in self._chat.file_sessions(transfer.by):
            peer = cast(Peer, session)
            if session not in self._peers:
                for told in self._elsewhere:
                    told.sender_told(session, transfer, item)
            elif peer is not but:
                peer.send(item)


def _tell_if_shown(peer: Peer, transfer: Transfer, item: FileReply) -> None:
    """Send ``item``, news that ``transfer`` is over for ``peer``'s user, unless its offer was hidden from ``peer`` as
    it came (its sender ignored): a session is told the end of what it was shown, an offer it saw before its user
    ignored the sender among them, and never of a file it was not shown. Either way the offer is over for the
    session, which forgets it hid it."""
    if transfer.file in peer.offers_hidden:
        peer.offers_hidden.discard(transfer.file)
        return
    peer.send(item)
