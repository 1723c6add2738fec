"""A room's offer reaches whoever joins the room while it is open, as a file shared in a room stays there (issue 16).

An offer to a room went to its members as they were when it was made: a
student who came in a minute after the teacher offered a worksheet never
saw it. Now each join (``Joined``, however made, on whichever front end, as
the chat's bus carries it) is looked at here, once for every front end: for
each offer to that room still open (offered, not withdrawn, its time not
up), the joiner is shown the same ``FileOffered`` its members were, and is
one of its people from then on, who may fetch, decline or stop it and is
counted among those left.

A room's offer stays open though nobody else was in the room when it was
made, or everyone offered it is done with it (``Transfer.awaited``): the
teacher prepares the room, the class comes in after. It ends when its
sender withdraws it, ``--file-keep`` after it was made, or when the server
lets it go (its bytes lost); not when its sender leaves the room or the
chat, as a file shared in a room stays there.

Not offered it: its sender (any of their sessions), and whoever was offered
it already, still to fetch it (a member who left and comes back) or done
with it (fetched, declined, stopped: ``Transfer.done``).

A late joiner is one of its people while in the room: one who leaves it
(part, kick, quit) without having fetched, declined or stopped it is one
no longer, and is offered it again if they come back. Each of their
sessions still connected is told so, as a ``FileCancelled`` with their
own nickname, the room in ``left_room`` and the reason ``you left #maths``
(``left_room_reason``), so that none goes on showing an offer whose accept would be refused; a
session fetching it goes on to its end, untold. That is said on the next
pass too, after the leave itself. And they are held
in memory only (``Transfer.joined``), never written to the store's
record of the offer: a reconnect storm of thousands into a room with an
offer open wrote the whole record again on each join, a cost that grew
with the square of the joins, and kept every passer-by in it for a week.
So is a late joiner's answer (fetched, declined, stopped: ``Transfer.done``,
``OpenTransfers.finished``): only those offered it as it was made are
written as done with it. A guest's answer (not identified: a nickname from
an address) is forgotten as they leave the room, so that memory is bounded
by who is in it, not by how many new nicknames came by in a week: a guest
who fetched or declined it, and comes back, is offered it again. An
account's is held until the offer ends: accounts are as many as their
creation limits let be made. After a restart, everyone joins again and is
offered it as a late joiner, unless the record says they are done with it:
a late joiner who declined it before the restart is offered it again, a
cost of a restart taken for not rewriting the record at each answer.

The offer is shown on the next reactor pass, not while the join is being
published: the bus hears an event before the front ends deliver it, and a
joiner's session writes the room's names, topic and last lines (or keeps
their place, chatd.frontend.held) after the chat's join returns, so the
offer comes after all of it, as live news does.
"""

from collections.abc import Callable

from twisted.internet.interfaces import IDelayedCall, IReactorTime

from chatd.domain.chat import Chat
from chatd.domain.events import Event, Joined, Kicked, Parted, Quit
from chatd.domain.file_replies import FileCancelled
from chatd.domain.people import is_account_key, person_key
from chatd.domain.ports import Bus
from chatd.frontend.open_transfers import OpenTransfers
from chatd.frontend.transfer_parts import Transfer
from chatd.frontend.transfer_people import TransferPeople
from chatd.text import left_room_reason


class LateJoiners:
    """Offers the open room offers of ``open_transfers`` on ``chat`` to those who join their room, as ``bus`` says,
    on ``reactor``'s next pass; ``people`` tells one who leaves before fetching it that it is theirs no longer."""

    def __init__(
        self,
        chat: Chat,
        open_transfers: OpenTransfers,
        people: TransferPeople,
        reactor: IReactorTime,
        bus: Bus,
    ) -> None:
        self._chat = chat
        self._open = open_transfers
        self._people = people
        self._reactor = reactor
        self._waiting: list[tuple[Transfer, str]] = []
        """Each offer with the person (``person_key``) who joined its room, to be offered it on the next pass."""
        self._leaving: list[tuple[Transfer, str, FileCancelled]] = []
        """Each offer with the late joiner (``person_key``) who left its room before fetching it, and what they are to
        be told of it on the next pass."""
        self._due: IDelayedCall | None = None
        self._unsubscribe: tuple[Callable[[], None], ...] = (
            bus.subscribe(self._heard, (Joined,)),
            bus.subscribe(self._left, (Parted, Kicked, Quit)),
        )

    def stop(self) -> None:
        """Offer nothing more, for good: the daemon is stopping, and its sessions with it. The bus hears no more of it,
        so the joins and leaves published as sessions close on the way down cost nothing and schedule nothing."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = ()
        self._waiting.clear()
        self._leaving.clear()
        if self._due is not None and self._due.active():
            self._due.cancel()
        self._due = None

    def _heard(self, event: Event) -> None:
        assert isinstance(event, Joined)
        key = person_key(event.actor)
        # Its own room's offers, found by room: a join costs nothing for other rooms' (a walk of every open transfer
        # made each join cost twice as much at 3,000 offers open), and each user keeps few open (room_offers).
        for transfer in self._open.in_room(event.room):
            if self._open_to(transfer, key):
                self._waiting.append((transfer, key))
        self._next_pass()

    def _next_pass(self) -> None:
        """Have what waits (leavers told, joiners offered) done on the reactor's next pass, once."""
        if (self._waiting or self._leaving) and self._due is None:
            self._due = self._reactor.callLater(0, self._offer)

    def _open_to(self, transfer: Transfer, key: str) -> bool:
        """Whether ``transfer``, open, is still on offer and new to the person ``key``: offered, its time not up (a
        room's offer is open until then, ``Transfer.awaited``, unless withdrawn or let go, which closes it), and
        ``key`` neither its sender nor one of its people already."""
        return (
            transfer.offered_at is not None
            and transfer.began + self._open.limits.keep > self._reactor.seconds()
            and key != transfer.by
            and key not in transfer.pending
            and key not in transfer.done
        )

    def _offer(self) -> None:
        """Tell each late joiner who left that the offer is theirs no longer, then offer each waiting joiner what is
        still open to them now (it may have ended, or they may have gone or become its people meanwhile): one who
        left and came back in the same pass reads the end before the offer again."""
        self._due = None
        leaving, self._leaving = self._leaving, []
        for transfer, key, gone in leaving:
            self._people.tell_recipient(transfer, key, gone, but=None)
        waiting, self._waiting = self._waiting, []
        for transfer, key in waiting:
            if self._open.get(transfer.file) is not transfer or not self._open_to(transfer, key):
                continue
            if self._chat.offer_file_joiner(transfer.sender, transfer.target, transfer.offered, key):
                # Not written to the store: a late joiner is never in its record (Transfer.record).
                transfer.pending.add(key)
                transfer.joined.add(key)
                # Found by person as they leave (OpenTransfers.of_person), and followed through their renames there.
                self._open.involve(transfer, (key,))

    def _left(self, event: Event) -> None:
        """Whoever left a room (or the chat) is no longer one of the late joiners of its offers that they have yet
        to fetch, and is told so on each session left to them: those offers wait for them to come back, as for
        anyone who joins."""
        if isinstance(event, Kicked):
            nick = event.nick
            key = self._chat.file_person_called(nick)
        else:
            nick = event.actor.nick
            key = person_key(event.actor)
        if key is None:
            return
        # Their own transfers, found by person: a walk of every open transfer made each leave cost them all.
        for transfer in self._open.of_person(key):
            if key not in transfer.joined or self._chat.file_person_present(key, transfer.target.to):
                continue
            if key not in transfer.pending:
                if not is_account_key(key):
                    # A guest's answer is forgotten as they go, so what memory holds is bounded by who is in the
                    # room: one address making new nicknames that each decline grew it for the offer's week.
                    transfer.done.discard(key)
                    transfer.joined.discard(key)
                    self._open.let_go(transfer, key)
                continue
            transfer.pending.discard(key)
            transfer.joined.discard(key)
            self._open.let_go(transfer, key)
            room = transfer.target.to
            gone = FileCancelled(
                transfer.file, nick, left_room_reason(room), len(transfer.pending), left_room=room
            )
            self._leaving.append((transfer, key, gone))
        self._next_pass()
