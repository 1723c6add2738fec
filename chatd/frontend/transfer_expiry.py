"""When a transfer has waited too long, and letting it go then (issue 16).

An offer waits ``--file-keep`` for its recipients, an upload as long to be
finished and no more than ``UPLOAD_IDLE_SECONDS`` between chunks. Once the
daemon starts it (``start``), this wakes at the first open transfer's time
and lets it go, telling its sender and each recipient not done with it; a
transfer being fetched waits for its last download to end, which brings
the next look forward to that transfer's time if it is sooner
(``download_ended``), and so does a new upload's (``opened``); a change of
the limits has the next look found again among them all (the engine,
chatd.frontend.transfers, calls ``wake``). The daemon's hourly sweep
(``expire``) lets go what is due too, and prunes what has no time of its
own: bytes no transfer names, past days' counts. A new
offer the spool has no room for lets go, first, the uploads that stalled
(``make_room``), whatever their time.

Each transfer's time is kept in a heap, soonest first: a look weighs what
is due, and a time that moved on since it was noted (an upload took a
chunk) is noted again. Walking every open transfer at each look made
letting N transfers go one after another cost N * N weighings: 40,000
for 200 (tests/test_transfer_expiry.py). Times only move on, but for a
change of the limits or the hourly sweep, which note them all again.
"""

import heapq
from itertools import count

from twisted.internet.interfaces import IDelayedCall, IReactorTime
from twisted.logger import Logger

from chatd.domain.durations import format_duration
from chatd.domain.file_replies import FileExpired
from chatd.frontend.open_transfers import OpenTransfers
from chatd.frontend.transfer_parts import Transfer
from chatd.frontend.transfer_people import TransferPeople
from chatd.frontend.uploads import Uploads

UPLOAD_IDLE_SECONDS = 3600.0
"""An upload that takes no chunk for this long is let go, and the room its offer reserved with it: long enough
for a client to come back after a drop and go on, short of the week an offer may wait for its recipients."""

STALLED_SECONDS = 60.0
"""An upload that took no chunk for this long gives its room up to a new offer the spool has none for
(``make_room``). A client uploading sends a chunk a second even on a 128 kbit/s link; one that holds room with a
chunk a minute sends a 100 MiB file whole in four and a half days, about what filling the spool outright costs."""


LOST = "the server lost its bytes"
"""Why a file is let go when its bytes cannot be read back (removed from ``--files`` by hand, cut short, or a
failing disk): the reason its senders and recipients read in ``file_expired``."""


class TransferExpiry:
    """Lets go the transfers of ``open_transfers`` that waited too long, by ``reactor``'s time, or whose bytes are
    lost: their uploads ended by ``uploads``, their people told by ``people``."""

    log = Logger()

    def __init__(
        self, open_transfers: OpenTransfers, uploads: Uploads, people: TransferPeople, reactor: IReactorTime
    ) -> None:
        self._open = open_transfers
        self._downloads = open_transfers.downloads
        self._uploads = uploads
        self._people = people
        self._reactor = reactor
        self._watching = False
        """Whether what waited too long goes as its time comes (``start``), not only when asked."""
        self._due: IDelayedCall | None = None
        """The next look, at the first open transfer's time."""
        self._times: list[tuple[float, int, Transfer]] = []
        """A heap of each open transfer's time as last noted (``_deadline``), with its place in the order they were
        opened: a transfer gone since, or being fetched, is passed over, one whose time moved on is noted again."""
        self._places: dict[str, int] = {}
        """Each noted transfer's place, by file: they are let go in the order they were opened, as a walk of them all
        went."""
        self._next_place = count()

    def start(self) -> None:
        """From now on, let each transfer that waits too long go as its time comes, not only when ``expire`` is
        called (the daemon calls it at start, then every ``chatd.daemon.files.EXPIRY_SECONDS``)."""
        self._watching = True
        self.wake()

    def stop(self) -> None:
        """Look no more until started again: the daemon is stopping."""
        self._watching = False
        if self._due is not None and self._due.active():
            self._due.cancel()
        self._due = None

    def expire(self) -> None:
        """Drop what waited past ``--file-keep`` (offers nobody fetched, uploads nobody finished) and uploads that took
        no chunk for ``UPLOAD_IDLE_SECONDS``, bytes nobody refers to and past days' counts.

        An offer reserves its whole size in the spool (``--file-store-bytes``)
        before a byte comes: offers never uploaded held the whole store for
        everyone else until ``--file-keep``, a week, ran out.

        The spool can hold bytes no open transfer names: a daemon killed
        between forgetting a transfer and removing its file, or a --files
        folder kept while the transfers were in memory (``--db :memory:``).
        Nothing but a transfer stays on the server, so they go too.
        """
        self._note_all()
        self._let_go()
        self._uploads.expire()
        self._open.sweep()
        self.wake()

    def wake(self) -> None:
        """Once started, have the next look come at the first open transfer's time, so that none outlives it (an
        hourly look let an offer under a --file-keep of minutes wait up to an hour more). A transfer being fetched
        is left out: the end of its last download brings the next look forward (``download_ended``)."""
        if not self._watching:
            return
        if self._due is not None and self._due.active():
            self._due.cancel()
        self._due = None
        self._note_all()
        self._look_by_first()

    def _note_all(self) -> None:
        """Note the time of every open transfer not being fetched, afresh: the limits may have changed them all."""
        self._places = {}
        self._times = []
        for transfer in self._open.all():
            if not self._downloads.under_way(transfer.file):
                self._note(transfer)

    def _note(self, transfer: Transfer) -> None:
        """Note ``transfer``'s time now, in its place (a new one's after every other's)."""
        place = self._places.get(transfer.file)
        if place is None:
            place = self._places[transfer.file] = next(self._next_place)
        heapq.heappush(self._times, (self._deadline(transfer), place, transfer))

    def _first(self) -> float | None:
        """The soonest time of an open transfer not being fetched, passing over the heap's entries that are no longer
        one (gone, or being fetched: the end of its download notes it again) and noting again those whose time moved
        on; None if there is none."""
        times = self._times
        while times:
            at, place, transfer = times[0]
            if self._open.get(transfer.file) is not transfer or self._downloads.under_way(transfer.file):
                heapq.heappop(times)
                if self._open.get(transfer.file) is not transfer:
                    self._places.pop(transfer.file, None)
                continue
            now = self._deadline(transfer)
            if now == at:
                return at
            heapq.heapreplace(times, (now, place, transfer))
        return None

    def _look_by_first(self) -> None:
        """Have the next look come at the soonest open transfer's time, if there is one."""
        first = self._first()
        if first is not None:
            self._look_by(first)

    def opened(self, transfer: Transfer) -> None:
        """``transfer`` is a new upload: the next look comes no later than its time. The others' times are as they
        were, so only it is looked at, not every transfer open."""
        if self._watching:
            self._note(transfer)
            self._look_by(self._deadline(transfer))

    def download_ended(self, transfer: Transfer) -> None:
        """A download of ``transfer`` ended: if it was the last, the next look comes no later than the transfer's
        time. Only its time counts again, so only it is looked at: the next look is the sooner of the two."""
        if (
            self._watching
            and self._open.get(transfer.file) is transfer
            and not self._downloads.under_way(transfer.file)
        ):
            self._note(transfer)
            self._look_by(self._deadline(transfer))

    def _look_by(self, at: float) -> None:
        """Have the next look come at ``at``, unless one comes sooner."""
        if self._due is not None and self._due.active():
            if self._due.getTime() <= at:
                return
            self._due.cancel()
        self._due = self._reactor.callLater(max(0.0, at - self._reactor.seconds()), self._look)

    def _look(self) -> None:
        self._due = None
        self._let_go()
        self._look_by_first()

    def _let_go(self) -> None:
        """Let go each transfer whose time has come (``_deadline``), unless a session is fetching it, in the order
        they were opened."""
        now = self._reactor.seconds()
        due: dict[str, tuple[int, Transfer]] = {}
        while (first := self._first()) is not None and first <= now:
            _, place, transfer = heapq.heappop(self._times)
            # Noted twice (opened, then a download's end), it is due once.
            due.setdefault(transfer.file, (place, transfer))
        for _, transfer in sorted(due.values(), key=lambda entry: entry[0]):
            self._places.pop(transfer.file, None)
            self.drop(transfer, self._why(transfer, transfer.began + self._open.limits.keep <= now))

    def make_room(self, size: int) -> bool:
        """Make room for ``size`` more bytes in the spool (``--file-store-bytes``) by letting go uploads that took no
        chunk for ``STALLED_SECONDS``, the longest idle first; whether the bytes fit now. None goes unless enough
        of them make the room.

        An offer reserves its whole size: offers that sent a chunk an hour
        (``UPLOAD_IDLE_SECONDS``) held all of the spool for everyone else
        until ``--file-keep``, a week, ran out, at no cost.

        The uploads come longest idle first (``OpenTransfers.longest_idle``),
        so the look ends at the first that moved within the minute, or once
        the room is made: a walk of every open transfer, sorted, at each
        offer the full spool refused cost as many weighings as transfers
        open, 200 for one let go among 200 (tests/test_transfer_expiry.py).
        """
        spool, limit = self._open.spool, self._open.limits.store_bytes
        need = spool.reserved + size - limit
        now = self._reactor.seconds()
        going: list[Transfer] = []
        for transfer in self._open.longest_idle():
            if need <= 0 or now - transfer.moved < STALLED_SECONDS:
                break
            # Bytes of its own, which no other transfer shares: letting it go frees them. Checked whole, its
            # content's may be another's too, and it is offered in a moment.
            if not transfer.whole:
                going.append(transfer)
                need -= transfer.offered.size
        if need > 0:
            return False
        idle = format_duration(STALLED_SECONDS)
        for transfer in going:
            self.drop(transfer, f"its upload took no chunk for {idle} and the server needed its room")
        return True

    def _deadline(self, transfer: Transfer) -> float:
        """When ``transfer`` has waited too long: ``--file-keep`` after it began, or for an upload an idle hour
        after its last chunk if that is sooner."""
        kept = transfer.began + self._open.limits.keep
        if transfer.offered_at is None:
            return min(kept, transfer.moved + UPLOAD_IDLE_SECONDS)
        return kept

    def _why(self, transfer: Transfer, kept_long: bool) -> str:
        """Why ``transfer`` goes as its time comes: past ``--file-keep`` (``kept_long``), or idle."""
        keep = format_duration(self._open.limits.keep)
        if transfer.offered_at is not None:
            return f"offers wait {keep} at most"
        if kept_long:
            return f"an upload must be finished within {keep}"
        return f"its upload took no chunk for {format_duration(UPLOAD_IDLE_SECONDS)}"

    def lost(self, transfer: Transfer, why: str) -> None:
        """``transfer``'s bytes cannot be read back, for ``why`` (the system's words): every open transfer of those
        bytes (the same file offered to others, or by others) is let go at once, each of its people told ``LOST``
        once, every download of them stops, and the host reads a line for each.

        Each other transfer of the bytes had waited for someone to fetch
        it to find them gone, offered meanwhile; and the spool, holding
        them whole as far as it knew, answered a new offer of the file with
        them, checked and offered at once.
        """
        for each in [other for other in self._open.sharing(transfer.content) if other.key == transfer.key]:
            self.log.error(
                "Could not read an offered file from the --files folder ({why}): {file} from {nick} was let go",
                why=why,
                file=each.file,
                nick=each.sender.nick,
            )
            self.drop(each, LOST)
            self._downloads.cancel_file(each.file)

    def drop(self, transfer: Transfer, reason: str) -> None:
        """Let ``transfer`` go for ``reason``: its sender is told, and for an offer each recipient not done with it,
        so that no client goes on showing what the server no longer has. Its time come, its room needed, or its
        bytes refused by the spool's disk (chatd.frontend.uploads)."""
        expired = FileExpired(transfer.file, reason)
        self._people.tell_recipients(transfer, expired)  # none before the offer
        self._people.tell_sender(transfer, expired)
        self._uploads.sessions.stop(transfer)
        self._open.forget(transfer)
