"""What a line connection's input costs: lines and bytes to its flood budget, a transfer's bytes to the transfer budget.

Every byte is charged as it arrives and every line as it is taken
(chatd.line.receiving, chatd.line.taking); over the flood budget the
connection stops reading for a while (chatd.frontend.flood decides), is
told once that its lines now wait, and in the end is cut off. An open
upload or download is paced by its own budget instead, with no warning
and no cut-off.
"""

from typing import TYPE_CHECKING

from twisted.internet.interfaces import IDelayedCall
from typing_extensions import override

from chatd.frontend.flood import FloodControl
from chatd.frontend.reading import Pause, Reading
from chatd.line.errors import FloodError
from chatd.line.render import Notice
from chatd.line.session import LineSession

if TYPE_CHECKING:
    from chatd.line.factory import LineFactory

SLOWED = Notice("flood", "You are sending faster than the server allows; your lines now wait their turn.")


class LineBudget(LineSession):
    """The charging part of ``LineProtocol``: its flood and transfer budgets, set up by its ``__init__``."""

    __slots__ = ("_flood", "_quit_reason", "_reading", "_transfer_release")

    factory: "LineFactory"
    _flood: FloodControl
    _reading: Reading
    _transfer_release: IDelayedCall | None
    _quit_reason: str

    def _charge(self, lines: int, size: int = 0) -> bool:
        """Spend flood budget; over it, stop reading for a while, and in the end cut off.

        While an upload or a download is open, bytes go to the transfer
        budget instead (``_charge_transfer``). False once the connection is closing or cut
        off: what was charged is not done.
        """
        if self.closing:
            return False
        if size and self.files is not None and self.files.transferring(self):
            self._charge_transfer(size)
            size = 0
            if not lines:
                return True
        return self._flood.charge(lines, size)

    def _charge_transfer(self, size: int) -> None:
        """Charge a transfer's bytes (an upload's chunks, a download's acknowledgements) to the transfer budget.

        Over it, reading stops until it refills: that is an upload's rate
        limit, with no warning and no cut-off.
        """
        assert self.files is not None, "only a connection with files transfers"
        wait = self.files.charge(self, size)
        if wait and self._transfer_release is None:
            self._reading.pause(Pause.TRANSFER)
            self._transfer_release = self.factory.reactor.callLater(wait, self._transfer_refilled)

    def _transfer_refilled(self) -> None:
        self._transfer_release = None
        self._reading.resume(Pause.TRANSFER)

    @override
    def charge_answer(self, lines: int) -> None:
        self._charge(lines, 0)

    @override
    def budget_full_in(self) -> float:
        return self._flood.full_in()

    @override
    def budget_held(self) -> float:
        return self._flood.lines_held()

    @override
    def charge_burst(self) -> bool:
        return self._charge(max(self.factory.limits.flood_burst - 1, 0), 0)

    def warn_flooding(self) -> None:
        """Say once per stretch over the flood budget that lines now wait their turn."""
        self.send(SLOWED)

    def cut_off_flooding(self) -> None:
        """Over the flood budget for too long: say why and close."""
        self.factory.admission.bounded.warn(self.log, "Disconnecting {peer} for flooding", peer=self.peer)
        self._quit_reason = "flooding"
        self.close(FloodError(self.factory.limits.flood_disconnect, self._flood.over()))
