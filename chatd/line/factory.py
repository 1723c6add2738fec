"""``LineFactory``: the line front end of one server, and its way into the chat.

The factory holds references to the chat, the clock and the limits (no chat
state of its own), admits connections through the ``Admission`` every front
end shares (refusing the ones over its limits with a line saying why),
checks ``/oper`` passwords through the ``OperatorLogin`` the front ends
share (account passwords through their ``AccountLogin``, takeover tokens through their ``SessionTokens``), and is the ``Audience`` through which the chat reaches this front
end: it renders each event once per format and writes the same bytes to
every recipient that does not ignore its sender.
"""

from collections.abc import Callable, Sequence
from typing import cast

from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IAddress, IReactorTime
from twisted.internet.protocol import Protocol, ServerFactory
from twisted.logger import Logger
from typing_extensions import override

from chatd import __version__
from chatd.domain.chat import Chat
from chatd.domain.events import Event, FileOffered
from chatd.domain.ports import Session
from chatd.frontend.accounts import AccountLogin, on_calling_thread
from chatd.frontend.admission import Admission, Refusal
from chatd.frontend.connections import Connections
from chatd.frontend.errors import ConnectingTooFastError, ServerFullError, TooManyConnectionsError
from chatd.frontend.fanout import Fanouts
from chatd.frontend.oper import OperatorLogin, no_operators
from chatd.frontend.outbox import Outbox
from chatd.frontend.sinks import Keep
from chatd.frontend.sockets import Tuning
from chatd.frontend.transfers import Transfers
from chatd.line.delivery import deliver
from chatd.line.file_lines import offered_text
from chatd.line.limits import LineLimits
from chatd.line.protocol import SHUTDOWN, LineProtocol
from chatd.line.render import Notice, text_line
from chatd.line.session import PROMPT, LineSession
from chatd.line.takeover import SessionTokens
from chatd.turns import Turns

DEFAULT_LIMITS = LineLimits()


class LineFactory(ServerFactory):
    """Builds a ``LineProtocol`` per connection and delivers chat events to them."""

    log = Logger()
    # Twisted's "Starting factory <...>" lines tell an operator nothing
    # that chatd.daemon.listeners' "listening on" lines do not.
    noisy = False
    FIXED_SEND_BUFFER = True
    """Whether the listeners fix their connections' send buffers (``Tuning``)."""

    def __init__(
        self,
        chat: Chat,
        reactor: IReactorTime,
        server_name: str,
        motd: str = "",
        default_room: str = "#lobby",
        limits: LineLimits = DEFAULT_LIMITS,
        login: OperatorLogin | None = None,
        *,
        admission: Admission,
        keep: Keep | None = None,
        accounts: AccountLogin | None = None,
        files: Transfers | None = None,
        search_turns: Turns | None = None,
        tokens: SessionTokens | None = None,
    ) -> None:
        self.chat = chat
        self.search_turns = search_turns or Turns()
        """Each host's searches, one at a time; the service shares one among front ends."""
        self.files = files
        """The transfer engine every connection's ``/file`` commands go to; None: files are not carried."""
        self.reactor = reactor
        self.server_name = server_name
        self.motd = motd
        self._greetings: dict[bool, tuple[tuple[str, int | None], bytes]] = {}
        """The greeting last rendered in each format (``greeting_line``), with what it said."""
        self.default_room = default_room
        self.limits = limits
        self.tuning = Tuning(limits.keepalive, send_buffer=self.FIXED_SEND_BUFFER)
        """The socket settings made on each listener, which its connections start with (chatd.frontend.sockets)."""
        self.admission = admission
        """Counts connections across every front end of the daemon; the service shares one."""
        self.connections: Connections[LineProtocol] = Connections(reactor)
        """Live connections, so shutdown can say goodbye to each."""
        self.ignorers: set[LineSession] = set()
        """Connections that ignore someone: only their deliveries are filtered."""
        self.login = login or OperatorLogin(no_operators, reactor, bounded=admission.bounded)
        """Checks ``/oper`` passwords and budgets failures; the service shares one among front ends.

        Without one, nobody becomes an operator by password.
        """
        self.accounts = accounts or AccountLogin(*on_calling_thread(), reactor, bounded=admission.bounded)
        """Hashes and checks account passwords and budgets failures; the service's runs on its thread pool."""
        self.tokens = tokens or SessionTokens(reactor, bounded=admission.bounded)
        """Checks takeover tokens and budgets wrong ones; the service shares one between the line and web ports."""
        self.outbox = Outbox(reactor, keep)
        """Sends each connection's output once per reactor pass, once ``keep`` (the SQLite store's) has made the
        pass's events safe from a crash."""
        self.fanouts: Fanouts[LineSession, bool] = Fanouts(self.outbox, _format)
        """Each room's recipients kept for the lines said there, grouped by format."""

    @override
    def buildProtocol(self, addr: IAddress | None) -> Protocol:
        try:
            peer = self.admission.admit(addr)
        except (ServerFullError, TooManyConnectionsError, ConnectingTooFastError) as refused:
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

    def shutdown(self) -> "Deferred[None]":
        """Tell everyone the server is going, close every connection, and fire when done."""
        closed = self.connections.shutdown(lambda protocol: protocol.close(SHUTDOWN))
        # Each went with what waited for it; the call that would have sent it is left with nothing to send.
        return closed.addCallback(lambda _: self.outbox.send_waiting())


def _format(session: LineSession) -> bool:
    """How ``session`` is sent a line, its fan-out group: in JSON (True) or text."""
    return session.json


def _offered_with_link(event: Event) -> bytes:
    """An offer's text line on a server with a web port: it names ``/file link`` too."""
    assert isinstance(event, FileOffered)
    return offered_text(event, link=True)
