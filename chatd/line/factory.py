"""``LineFactory``: the line front end of one server, and its way into the chat.

The factory is handed the chat, the clock and what the front ends share
(a ``Wiring``, taken apart by chatd.frontend.factory's ``FrontEndFactory``)
and its limits, with no chat state of its own; it admits connections through the ``Admission`` every front
end shares (refusing the ones over its limits with a line saying why),
checks ``/oper`` passwords through the ``OperatorLogin`` the front ends
share (account passwords through their ``AccountLogin``, takeover tokens through their ``SessionTokens``), and is the ``Audience`` through which the chat reaches this front
end: it renders each event once per format and writes the same bytes to
every recipient that does not ignore its sender.
"""

from collections.abc import Callable, Sequence
from typing import cast

from twisted.internet.interfaces import IAddress
from twisted.internet.protocol import Protocol
from twisted.logger import Logger
from typing_extensions import override

from chatd import __version__
from chatd.domain.events import Event, FileOffered
from chatd.domain.ports import Session
from chatd.frontend.admission import Refusal
from chatd.frontend.errors import NOT_ADMITTED
from chatd.frontend.factory import FrontEndFactory
from chatd.frontend.fanout import Fanouts
from chatd.frontend.sockets import Tuning
from chatd.frontend.wiring import Wiring
from chatd.line.delivery import deliver
from chatd.line.file_lines import offered_text
from chatd.line.limits import LineLimits
from chatd.line.protocol import SHUTDOWN, LineProtocol
from chatd.line.render import Notice, text_line
from chatd.line.session import PROMPT, LineSession
from chatd.line.takeover import SessionTokens

DEFAULT_LIMITS = LineLimits()


class LineFactory(FrontEndFactory[LineProtocol]):
    """Builds a ``LineProtocol`` per connection and delivers chat events to them."""

    log = Logger()
    FIXED_SEND_BUFFER = True
    """Whether the listeners fix their connections' send buffers (``Tuning``)."""

    def __init__(
        self,
        wiring: Wiring,
        limits: LineLimits = DEFAULT_LIMITS,
        default_room: str = "#lobby",
        *,
        tokens: SessionTokens | None = None,
    ) -> None:
        """``wiring`` as every front end is handed it; ``tokens`` checks takeover tokens (the service shares one
        between the line and web ports; none: this front end's own)."""
        super().__init__(wiring, Tuning(limits.keepalive, send_buffer=self.FIXED_SEND_BUFFER))
        self._greetings: dict[bool, tuple[tuple[str, int | None], bytes]] = {}
        """The greeting last rendered in each format (``greeting_line``), with what it said."""
        self.default_room = default_room
        self.limits = limits
        self.ignorers: set[LineSession] = set()
        """Connections that ignore someone: only their deliveries are filtered."""
        self.tokens = tokens or SessionTokens(self.reactor, bounded=self.admission.bounded)
        """Checks takeover tokens and budgets wrong ones; the service shares one between the line and web ports."""
        self.fanouts: Fanouts[LineSession, bool] = Fanouts(self.outbox, _format)
        """Each room's recipients kept for the lines said there, grouped by format."""

    @override
    def buildProtocol(self, addr: IAddress | None) -> Protocol:
        try:
            peer = self.admission.admit(addr)
        except NOT_ADMITTED as refused:
            return Refusal(text_line(refused), self.reactor)
        protocol = LineProtocol(self, peer)
        self.connections.add(protocol)
        return protocol

    def greeting(self) -> list[Notice]:
        """What a new connection is told before the nickname prompt."""
        welcome = f"Welcome to chatd {__version__} on {self.server_name}. Type /help for help."
        fields: dict[str, object] = {"server": self.server_name, "version": __version__}
        if self.files is not None:
            # So that a page refuses a file over it at once, before reading and hashing it (docs/PROTOCOL.md).
            fields["file_max_size"] = self.files.limits.max_size
        return [Notice("welcome", welcome, fields)] + [
            Notice("motd", line) for line in self.motd.splitlines() if line.strip()
        ]

    def greeting_line(self, json: bool, render: Callable[[Notice], bytes]) -> bytes:
        """The greeting and the nickname prompt as this front end's connections in JSON (``json``) or text are sent
        them, each notice rendered by ``render`` (a session's own, which a browser's wraps in a frame).

        Rendered once for every connection of a format, as long as what it
        says stays the same (the MOTD and the file limit may change): after a
        restart thousands connect at once, and rendering it for each was a
        twentieth of what registering them cost.
        """
        said = (self.motd, None if self.files is None else self.files.limits.max_size)
        kept = self._greetings.get(json)
        if kept is None or kept[0] != said:
            kept = self._greetings[json] = (said, b"".join(map(render, (*self.greeting(), PROMPT))))
        return kept[1]

    def deliver(self, event: Event, sessions: Sequence[Session]) -> None:
        """Render ``event`` at most once per format and write it to each session that wants it."""
        # Every session whose audience is this factory is one of its protocols.
        if isinstance(event, FileOffered) and self.files is not None and self.files.links is not None:
            # nc users are told of /file link only when there is a web port to fetch from.
            deliver(event, cast(Sequence[LineProtocol], sessions), self.ignorers, text=_offered_with_link)
            return
        deliver(event, cast(Sequence[LineProtocol], sessions), self.ignorers, fanouts=self.fanouts)

    def hand_over(self, protocol: LineProtocol) -> None:
        """``protocol``'s connection now belongs to another front end, its place under the limits with it."""
        self.ignorers.discard(protocol)
        self.connections.discard(protocol)

    def forget(self, protocol: LineProtocol) -> None:
        """``protocol``'s connection is gone; the last one gone ends a shutdown."""
        self.ignorers.discard(protocol)
        self.release(protocol)
        self.connections.discard(protocol)

    def release(self, protocol: LineProtocol) -> None:
        """Free the place ``protocol``'s connection held under the limits, as it was admitted."""
        self.admission.release(protocol.peer)

    @override
    def say_goodbye(self, protocol: LineProtocol) -> None:
        protocol.close(SHUTDOWN)


def _format(session: LineSession) -> bool:
    """How ``session`` is sent a line, its fan-out group: in JSON (True) or text."""
    return session.json


def _offered_with_link(event: Event) -> bytes:
    """An offer's text line on a server with a web port: it names ``/file link`` too."""
    assert isinstance(event, FileOffered)
    return offered_text(event, link=True)
