"""The bundled client's progress bars for its file transfers: which transfers have one, and when they are redrawn.

``TransferBars`` measures the running transfers of one link (chatd.client.files)
and hands their bars to a ``Display`` (the terminal) every half second
while any runs, a timer only while one does; the arithmetic and the text
of a bar are chatd.client.progress's. It also tells a piped client at the
end of its stdin when no transfer is moving any more (``when_still``).
Apart from the transfers' commands and answers because it is about time
and the screen, not about the server.
"""

from collections.abc import Callable, Sequence
from typing import Protocol

from twisted.internet.interfaces import IDelayedCall, IReactorTime

from chatd.client.download import Download
from chatd.client.download import Stage as Down
from chatd.client.progress import SHOWN_AFTER_SECONDS, Bar, Meter
from chatd.client.upload import Stage as Up
from chatd.client.upload import Upload
from chatd.text import safe_file_name, scrub

TICK_SECONDS = 0.5
"""How often the progress bars are redrawn while a transfer runs."""

Transfer = Upload | Download


class Display(Protocol):
    """Where progress bars are drawn: above the input line."""

    def progress(self, bars: Sequence[Bar]) -> None:
        """Draw ``bars`` (none: take them away)."""


class TransferBars:
    """The progress bars of every file going up or down on one link."""

    def __init__(self, reactor: IReactorTime, transfers: Callable[[], Sequence[Transfer]]) -> None:
        self._reactor = reactor
        self._transfers = transfers
        """The open transfers, oldest first (``Transfers.transfers``)."""
        self._meters: dict[tuple[int, bool], Meter] = {}
        """Each running transfer's meter, by its number and whether it is hashing."""
        self._since: dict[int, float] = {}
        """When each running transfer was first measured: its bar shows a moment after."""
        self._display: Display | None = None
        self._ticking: IDelayedCall | None = None
        self._drawn = False
        self._when_still: list[Callable[[], None]] = []
        """Who waits for no transfer to be moving (a piped client at the end of its stdin)."""

    def watch(self, display: Display) -> None:
        """Draw progress bars on ``display``."""
        self._display = display

    def _active(self) -> list[Transfer]:
        return [
            transfer
            for transfer in self._transfers()
            if (isinstance(transfer, Upload) and transfer.stage in _UPLOAD_BARS)
            or (isinstance(transfer, Download) and transfer.stage in _DOWNLOAD_BARS)
        ]

    def moving(self) -> int:
        """How many transfers are moving bytes now (hashing, sending, receiving, being checked)."""
        return len(self._active())

    def when_still(self, call: Callable[[], None]) -> None:
        """Call ``call`` once no transfer is moving: now if none is.

        A transfer stopped by a dropped connection does not count: it goes
        on only when a connection comes back, which may never happen.
        """
        if self._active():
            self._when_still.append(call)
        else:
            call()

    def tick_soon(self) -> None:
        """Redraw the bars in a moment, if anything is running (a timer only while something is)."""
        if self._active() and (self._ticking is None or not self._ticking.active()):
            self._ticking = self._reactor.callLater(TICK_SECONDS, self._tick)

    def stop(self) -> None:
        """The link is done: no more redraws."""
        if self._ticking is not None and self._ticking.active():
            self._ticking.cancel()
        self._ticking = None

    def _tick(self) -> None:
        self._ticking = None
        self.refresh()
        if self._active():
            self.tick_soon()

    def refresh(self) -> None:
        """Measure the running transfers and redraw their bars; take the bars of ended ones away.

        A transfer's bar shows once it has run a moment, hashing included:
        a file hashed for longer than that goes on to its upload's bar at
        once, in the same row. Hashing and sending are measured apart, so
        the rate of one is not taken for the other's.
        """
        now = self._reactor.seconds()
        bars = []
        active = self._active()
        for transfer in active:
            label, done, size = _progress(transfer)
            key = _meter_key(transfer)
            meter = self._meters.get(key)
            if meter is None:
                meter = self._meters[key] = Meter(now, done)
            else:
                meter.sample(now, done)
            if now - self._since.setdefault(transfer.number, now) >= SHOWN_AFTER_SECONDS:
                bars.append(Bar(label, min(done, size), size, meter.rate))
        going = {transfer.number for transfer in active}
        measured = {_meter_key(transfer) for transfer in active}
        self._meters = {key: meter for key, meter in self._meters.items() if key in measured}
        self._since = {number: since for number, since in self._since.items() if number in going}
        if self._display is not None and (bars or self._drawn):
            self._display.progress(bars)
            self._drawn = bool(bars)
        if not active and self._when_still:
            calls, self._when_still = self._when_still, []
            for call in calls:
                call()


_UPLOAD_BARS = (Up.HASHING, Up.OFFERING, Up.SENDING, Up.CHECKING)
"""The stages of an upload that have a bar."""

_DOWNLOAD_BARS = (Down.ACCEPTING, Down.RECEIVING, Down.CHECKING)
"""The stages of a download that have a bar."""


def _meter_key(transfer: Transfer) -> tuple[int, bool]:
    """Hashing and sending are measured apart: the transfer's number, and whether it is hashing."""
    return transfer.number, isinstance(transfer, Upload) and transfer.stage is Up.HASHING


def _progress(transfer: Transfer) -> tuple[str, int, int]:
    """A running transfer's bar label (scrubbed), bytes done and bytes in all."""
    if isinstance(transfer, Download):
        offer = transfer.offer
        return f"↓ {scrub(safe_file_name(offer.name))} from {scrub(offer.nick)}", transfer.held, offer.size
    if transfer.stage is Up.HASHING:
        return f"hashing {scrub(transfer.name)}", transfer.hashing_done, transfer.expected
    return f"↑ {scrub(transfer.name)} to {scrub(transfer.target)}", transfer.held, transfer.size
