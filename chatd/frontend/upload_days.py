"""Each owner's upload bytes a day (``--file-day-bytes``), what their unfinished uploads will still send among them.

Uploads (chatd.frontend.uploads) ask before an upload opens or goes on,
and count each chunk as it is stored; the hourly sweep
(chatd.frontend.transfer_expiry) forgets past days. An offer reserves its
whole size before a byte comes, so what an owner's unfinished uploads have
yet to send counts as sent: else an offer that never sent a byte cost
nothing, and one owner held any number of them.
"""

from twisted.internet.interfaces import IReactorTime

from chatd.domain.errors import FileDayLimitError
from chatd.frontend.open_transfers import OpenTransfers
from chatd.frontend.transfer_parts import Transfer

DAY = 86400


class UploadDays:
    """The bytes each owner of ``open_transfers`` uploaded by day, by ``reactor``'s clock."""

    def __init__(self, open_transfers: OpenTransfers, reactor: IReactorTime) -> None:
        self._open = open_transfers
        self._reactor = reactor
        self._days: dict[tuple[str, int], int] = {}
        """Each owner's bytes uploaded by day."""

    def _today(self) -> int:
        return int(self._reactor.seconds() // DAY)

    def check(self, owner: str, coming: int, but: Transfer | None = None) -> None:
        """Refuse (FileDayLimitError) ``coming`` more bytes from ``owner`` past ``--file-day-bytes``, for a new upload
        or for ``but``, one of theirs going on: counted with those uploaded today and those the owner's other
        unfinished uploads have yet to send, the room they hold in the spool."""
        unsent = self._unsent(owner, but)
        limit = self._open.limits.day_bytes
        if self._days.get((owner, self._today()), 0) + unsent + coming > limit:
            raise FileDayLimitError(limit, unsent)

    def _unsent(self, owner: str, but: Transfer | None) -> int:
        """The bytes ``owner``'s unfinished uploads but ``but`` have yet to send, each into bytes of its own."""
        held = self._open.spool.held
        return sum(
            transfer.offered.size - held(transfer.key)
            for transfer in self._open.uploads(owner)
            if transfer is not but
        )

    def count(self, owner: str, size: int) -> None:
        """``owner`` uploaded ``size`` bytes now."""
        day = (owner, self._today())
        self._days[day] = self._days.get(day, 0) + size

    def expire(self) -> None:
        """Forget the bytes counted for past days."""
        today = self._today()
        for day in [day for day in self._days if day[1] != today]:
            del self._days[day]
