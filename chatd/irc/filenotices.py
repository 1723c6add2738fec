"""What an IRC client hears of a file after its offer, in NOTICEs from the server (issue 16).

IRC carries no file bytes: its users read an offer as a NOTICE (with a link
of their own when the web port is on), and nothing else of the transfer
reaches them but through here. The transfer engine hands this front end,
for each of its clients a transfer concerns, the reply the sessions it
serves are sent (``Transfers.tell_elsewhere``), and ``FileNotices`` says it
in words: to a recipient, that the sender withdrew the offer or that it
expired, that it is theirs no longer as they left its room (a late
joiner's: chatd.frontend.late_joiners), or that they fetched it, or
declined or stopped it on another of their connections (the bundled
client, the page); to its sender, that a recipient fetched, declined or stopped it, or
that it was withdrawn on another of their connections, or expired. Each
NOTICE goes where the offer's went (the channel, or the recipient's
nickname: a recipient's own now). No event is behind it, so it carries
server-time's time tag and no msgid.
"""

from typing import cast

from twisted.internet.interfaces import IReactorTime

from chatd.domain.file_replies import FileCancelled, FileDeclined, FileExpired, FileFetched, FileReply
from chatd.domain.ports import Session
from chatd.frontend.transfer_parts import Transfer
from chatd.irc.lines import Shape
from chatd.irc.render import EventLines
from chatd.irc.session import IRCSession
from chatd.text import counted, fold


class FileNotices:
    """Tells the clients of ``audience`` (an IRC front end) what becomes of the files offered to and by them."""

    def __init__(self, audience: object, events: EventLines, reactor: IReactorTime) -> None:
        self._audience = audience
        self._events = events
        self._reactor = reactor

    def recipient_told(self, session: Session, transfer: Transfer, item: FileReply) -> None:
        """An offer to ``session``'s user ended for them (withdrawn, expired; fetched, declined or stopped by them
        elsewhere; left with its room): if it is a client of this front end, a NOTICE says so where the offer's did
        (the channel, or the user's nickname now; theirs for a room they left)."""
        if session.audience is not self._audience:
            return
        client = cast(IRCSession, session)
        to = transfer.target.to if transfer.target.room else client.shown
        text = recipient_words(transfer, to, item)
        if isinstance(item, FileCancelled) and item.left_room is not None:
            # They left the channel the offer's NOTICE went to: this one comes to them.
            to = client.shown
        if text is not None:
            self._notice(client, to, text)

    def sender_told(self, session: Session, transfer: Transfer, item: FileReply) -> None:
        """``session``'s user offered ``transfer``: if it is a client of this front end, a NOTICE says what became of
        it where the offer's went. An upload not offered yet is not said: the client never heard of it."""
        if session.audience is not self._audience or transfer.offered_at is None:
            return
        text = sender_words(transfer, item)
        if text is not None:
            self._notice(cast(IRCSession, session), transfer.target.to, text)

    def _notice(self, client: IRCSession, to: str, text: str) -> None:
        client.sink.write(self._events.server_notice(Shape(client.shape), self._reactor.seconds(), to, text))


def recipient_words(transfer: Transfer, to: str, item: FileReply) -> str | None:
    """What a recipient reads of ``item``, ``transfer``'s end, the offer made to ``to``; None for nothing to say."""
    what = f'"{transfer.offered.name}" to {to}'
    sender = transfer.sender.nick
    if isinstance(item, FileExpired):
        return f"{sender}'s offer of {what} expired ({item.reason}): it can no longer be fetched"
    if isinstance(item, FileCancelled) and fold(item.nick) == fold(sender):
        return f"{sender} withdrew the offer of {what}: it can no longer be fetched"
    if isinstance(item, FileCancelled) and item.taken_down_from is not None:
        return (
            f"{item.nick} took {sender}'s offer of {what} down ({item.reason}): it can no longer be fetched"
        )
    if isinstance(item, FileCancelled) and item.left_room is not None:
        return (
            f"{sender}'s offer of {what} is no longer yours to fetch ({item.reason}): join {item.left_room}"
            " again to be offered it again"
        )
    if isinstance(item, FileFetched):
        return f"You have fetched {sender}'s offer of {what}"
    if isinstance(item, FileDeclined):
        return f"You declined {sender}'s offer of {what} on another connection"
    if isinstance(item, FileCancelled):
        return f"You stopped fetching {sender}'s offer of {what} on another connection"
    return None


def sender_words(transfer: Transfer, item: FileReply) -> str | None:
    """What ``transfer``'s sender reads of ``item``; None for nothing to say."""
    what = f'your offer of "{transfer.offered.name}" to {transfer.target.to}'
    if isinstance(item, FileExpired):
        return f"{what[0].upper()}{what[1:]} expired ({item.reason}): it can no longer be fetched"
    if isinstance(item, FileCancelled) and fold(item.nick) == fold(transfer.sender.nick):
        return f"You withdrew {what} on another connection: it can no longer be fetched"
    if isinstance(item, FileCancelled) and item.taken_down_from is not None:
        return f"{item.nick} took {what} down ({item.reason}): nobody can fetch it now"
    if isinstance(item, FileFetched):
        done = f"{item.nick} has fetched {what}"
    elif isinstance(item, FileDeclined):
        done = f"{item.nick} declined {what}"
    elif isinstance(item, FileCancelled):
        done = f"{item.nick} stopped fetching {what}"
    else:
        return None
    if not transfer.target.room:
        return done
    if item.left:
        return f"{done}; {counted(item.left, 'other recipient')} may still fetch it"
    return (
        f"{done}; it stays offered to whoever joins {transfer.target.to} until you withdraw it or it expires"
    )
