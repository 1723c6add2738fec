"""A transfer's people, its sender and recipients: which of their sessions hear what becomes of it, and their renames.

The engine (chatd.frontend.transfers) decides what happened (a recipient
fetched, declined or stopped a file, the sender withdrew it, it expired);
this says it to whoever must hear, on each of their sessions: those the
engine serves (nc's and the page's, ``attach``) are sent the reply, the
others (IRC's) are told through the front ends that asked
(``tell_elsewhere``), so that no session goes on showing what is over. A
session still fetching the file is left to fetch it to its end. Who the
people are follows them through every rename the chat's bus carries.
"""

from dataclasses import replace
from typing import cast

from chatd.domain.chat import Chat
from chatd.domain.events import Actor, Event, NickChanged
from chatd.domain.ports import Bus
from chatd.domain.replies import FileCancelled, FileExpired, FileReply
from chatd.frontend.downloads import Downloads
from chatd.frontend.open_transfers import OpenTransfers
from chatd.frontend.transfer_parts import Elsewhere, Peer, Transfer, named_user, sender_key
from chatd.text import fold


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
        # Every rename, however made (/nick, NICK, identifying, a guest's name given): transfers follow their people.
        bus.subscribe(self._heard)

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

    def fetching(self, transfer: Transfer, nick: str) -> bool:
        """Whether a session of ``nick``'s is fetching ``transfer``: they are not done with it while one is."""
        return any(
            self._downloads.downloading(transfer.file, cast(Peer, session))
            for session in self._chat.file_sessions(nick)
        )

    def _heard(self, event: Event) -> None:
        if isinstance(event, NickChanged):
            self._renamed(event.actor, event.new)

    def _renamed(self, was: Actor, nick: str) -> None:
        """Whoever was ``was`` is called ``nick`` now: what they send and what they were offered follow them.

        A recipient's key in ``pending`` moves to the new nickname, so they
        may still fetch or decline; a sender's snapshot takes it too (and,
        if not identified, the key they cancel and resume by), so each
        fetch, decline and cancel reaches them under it.
        """
        old, new, by = fold(was.nick), fold(nick), sender_key(was)
        for transfer in self._open.all():
            changed = False
            if old != new and old in transfer.pending:
                transfer.pending.discard(old)
                transfer.pending.add(new)
                changed = True
            if transfer.by == by:
                transfer.sender = replace(transfer.sender, nick=nick)
                transfer.by = sender_key(transfer.sender)
                changed = True
            if changed:
                self._open.settled(transfer)

    def tell_recipients(self, transfer: Transfer, ended: FileCancelled | FileExpired) -> None:
        """Send ``ended`` to each session of each recipient not done with ``transfer``: those this engine serves as
        a reply, the others (IRC's) through the front ends that asked (``tell_elsewhere``)."""
        for nick in transfer.pending:
            for session in self._chat.file_sessions(nick):
                if session in self._peers:
                    cast(Peer, session).send(ended)
                    continue
                for told in self._elsewhere:
                    told.recipient_told(session, transfer, ended)
        # A session still fetching it for a recipient done with it on another session: its download stops too.
        for peer in self._downloads.peers(transfer.file):
            if fold(named_user(peer).nick) not in transfer.pending:
                peer.send(ended)

    def tell_recipient(self, transfer: Transfer, nick: str, item: FileReply, but: Peer | None) -> None:
        """Send ``item``, the news that the recipient ``nick`` is done with ``transfer``, to each of their sessions
        that this engine serves but ``but`` (where they did it) and those still fetching it (they go on to its end),
        so that none goes on showing an offer that is over for them; the front ends that asked are told of the
        others (``tell_elsewhere``)."""
        for session in self._chat.file_sessions(nick):
            peer = cast(Peer, session)
            if session not in self._peers:
                for told in self._elsewhere:
                    told.recipient_told(session, transfer, item)
            elif peer is not but and not self._downloads.downloading(transfer.file, peer):
                peer.send(item)

    def tell_sender(self, transfer: Transfer, item: FileReply, but: Peer | None = None) -> None:
        """Send ``item`` to each session of ``transfer``'s sender that this engine serves (``but`` one), and tell the
        front ends that asked of the others (``tell_elsewhere``), if they are online as they were
        (``Chat.file_sender_sessions``: by account if identified)."""
        for session in self._chat.file_sender_sessions(transfer.sender):
            peer = cast(Peer, session)
            if session not in self._peers:
                for told in self._elsewhere:
                    told.sender_told(session, transfer, item)
            elif peer is not but:
                peer.send(item)
