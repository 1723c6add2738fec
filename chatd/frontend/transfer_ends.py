"""How a transfer ends for one side: a recipient declines it or stops fetching it, its sender or an operator withdraws it.

Each end tells whoever is left to hear: the sender's sessions, the
recipient's others, and the people not done with a withdrawn offer, with
how many recipients are left to finish with it (``left``). A recipient with
another session fetching the file is not done with it: that download goes
on and tells once it ends. The transfer engine (chatd.frontend.transfers)
hands these commands here, as it hands uploads to ``Uploads`` and
downloads to ``Downloads``; what a download's last chunk ends is its own
(``Transfers.fetched``).
"""

from chatd.domain.chat import Chat
from chatd.domain.errors import ChatError, NoSuchFileError
from chatd.domain.file_replies import FileCancelled, FileDeclined
from chatd.domain.ports import Session, UserView
from chatd.frontend.downloads import Downloads
from chatd.frontend.named_refusals import FileRefusedError
from chatd.frontend.open_transfers import OpenTransfers
from chatd.frontend.transfer_parts import Peer, Transfer, named_user, person
from chatd.frontend.transfer_people import TransferPeople
from chatd.frontend.upload_sessions import UploadSessions


class TransferEnds:
    """The declines, stops and withdrawals of ``chat``'s transfers open in ``open_transfers``: downloads cancelled in
    ``downloads``, uploads ended in ``sessions``, and people told through ``people``."""

    def __init__(
        self,
        chat: Chat,
        open_transfers: OpenTransfers,
        downloads: Downloads,
        sessions: UploadSessions,
        people: TransferPeople,
    ) -> None:
        self._chat = chat
        self._open = open_transfers
        self._downloads = downloads
        self._sessions = sessions
        self._people = people

    def decline(self, peer: Peer, file: str, *, tell_peer: bool = False) -> bool:
        """A recipient refuses ``file``: the recipient is done with it, and the sender and the recipient's other
        sessions are told; unless another of their sessions is fetching it, which goes on, and tells once it ends
        (then False).

        ``tell_peer``: ``peer`` is told too, as their other sessions are, for
        a decline that named no file (``/file decline *``, chatd.line.file_declines):
        its client learns from it which of the offers it shows ended.
        Raises NoSuchFileError for a file not offered to them, or one they are done with."""
        me = named_user(peer)
        transfer = self._open.offered_to(me, file)
        self._downloads.cancel(file, peer)
        return self._declined(transfer, me, None if tell_peer else peer)

    def decline_elsewhere(self, session: Session, user: UserView, file: str) -> bool:
        """``user`` refuses ``file`` on ``session``, of a front end the engine does not serve (IRC's FILES DECLINE,
        chatd.irc.declines), as ``decline`` does; False if a session of theirs the engine serves is fetching it, which
        goes on. Raises NoSuchFileError for a file not offered to them, or one they are done with."""
        return self._declined(self._open.offered_to(user, file), user, session)

    def _declined(self, transfer: Transfer, me: UserView, on: Peer | Session | None) -> bool:
        """``me`` is done with ``transfer``, declined on the session ``on``: its sender and each other session of
        theirs are told (every one, ``on`` None), unless a session of theirs is fetching it (then False, and nothing
        changes)."""
        key = person(me)
        if self._people.fetching(transfer, key):
            return False
        declined = FileDeclined(transfer.file, me.nick, self._open.finished(transfer, key))
        self._people.tell_sender(transfer, declined)
        self._people.tell_recipient(transfer, key, declined, but=on)
        return True

    def cancel(self, peer: Peer, file: str, reason: str = "") -> None:
        """The sender withdraws ``file`` (everyone not done is told, and each of the sender's sessions: the one
        uploading it may be another), or a recipient stops fetching it (the sender is, and the recipient's other
        sessions, as for ``decline``)."""
        transfer = self._open.get(file)
        me = named_user(peer)
        key = person(me)
        if transfer is not None and transfer.by == key:
            self._withdraw(
                transfer, peer, FileCancelled(file, me.nick, reason or "withdrawn by the sender", 0)
            )
            return
        transfer = self._open.fetchable(peer, file)
        self._downloads.cancel(file, peer)
        why = reason or "cancelled by the recipient"
        if key not in transfer.pending or self._people.fetching(transfer, key):
            # Only this session's download stops: its user is done with the file already, or fetches it elsewhere.
            peer.send(FileCancelled(file, me.nick, why, len(transfer.pending)))
            self._open.download_ended(transfer)
            return
        cancelled = FileCancelled(file, me.nick, why, self._open.finished(transfer, key))
        self._people.tell_sender(transfer, cancelled)
        self._people.tell_recipient(transfer, key, cancelled, but=peer)
        peer.send(cancelled)

    def withdraw(self, peer: Peer, file: str) -> None:
        """``peer``'s user withdraws the offer ``file``: their own, as ``cancel`` does, or someone else's offer to a
        room, as an operator or one with authority in that room (``Chat.check_file_withdrawer``). Everyone told
        of a withdrawal is told, the withdrawer's nickname in ``nick``, why in ``reason`` and the room in
        ``taken_down_from``. Raises NoSuchFileError for an offer to a nickname not theirs, or one not offered yet
        (nobody has seen its upload); a FileRefusedError naming ``file`` for one without the authority, so that a
        client with a take-down out tells its refusal from another command's ``not-owner``."""
        transfer = self._open.get(file)
        me = named_user(peer)
        if transfer is not None and transfer.by == person(me):
            self.cancel(peer, file)
            return
        if transfer is None or not transfer.target.room or transfer.offered_at is None:
            raise NoSuchFileError(file)
        room = transfer.target.to
        try:
            self._chat.check_file_withdrawer(me, room)
        except ChatError as refusal:
            raise FileRefusedError(refusal, file) from None
        why = f"withdrawn from {room} by an operator"
        self._withdraw(transfer, peer, FileCancelled(file, me.nick, why, 0, taken_down_from=room))

    def _withdraw(self, transfer: Transfer, peer: Peer, withdrawn: FileCancelled) -> None:
        """End ``transfer``, withdrawn on ``peer`` (its sender's session, or an operator's), telling its recipients
        not done with it, each session of its sender's but ``peer``, and ``peer`` unless told as a recipient."""
        self._sessions.withdrawn(transfer, peer)
        self._people.tell_recipients(transfer, withdrawn)
        self._people.tell_sender(transfer, withdrawn, but=peer)
        if person(named_user(peer)) not in transfer.pending and not self._downloads.downloading(
            transfer.file, peer
        ):
            peer.send(withdrawn)
        self._downloads.cancel_file(transfer.file)
        transfer.pending.clear()
        self._open.forget(transfer)
