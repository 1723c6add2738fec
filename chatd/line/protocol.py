"""Bytes <-> chat: one ``LineProtocol`` per nc, telnet or client connection.

The protocol owns what belongs to a connection: its telnet parser (made
only if the client speaks telnet), line buffer, flood budget (driven by
chatd.frontend.flood), the reasons it is not reading, if any
(chatd.frontend.reading), paste being gathered, output
(chatd.frontend.output) and ``/oper`` budget; what it has in the chat
(user, current room, format, ignores) and the commands it runs come from
``LineSession``. It holds its limits on both directions: lines are capped,
fast clients are slowed and then cut off, and a client that stops reading
is cut off before its waiting output outgrows the send queue.

Here are its life (greeting, deadlines, output, closing) and what it does
for ``LineSession``; its parts by what each does are chatd.line.budget
(charging), chatd.line.receiving (bytes -> lines) and chatd.line.taking
(lines -> pastes and commands).
"""

from dataclasses import replace
from typing import TYPE_CHECKING, cast

from twisted.internet.defer import Deferred
from twisted.internet.interfaces import (
    IDelayedCall,
    IHalfCloseableProtocol,
    IHandshakeListener,
    ITransport,
)
from twisted.internet.protocol import connectionDone
from twisted.logger import Logger
from twisted.python.failure import Failure
from typing_extensions import override
from zope.interface import implementer

from chatd.domain.flood import FloodGate
from chatd.domain.ports import UserView
from chatd.frontend.deadlines import Deadlines
from chatd.frontend.flood import FloodControl
from chatd.frontend.oper import Attempts
from chatd.frontend.reading import Reading
from chatd.line.errors import RegisterTimeoutError
from chatd.line.passwords import Typed
from chatd.line.render import Notice, Renderable
from chatd.line.session import LineSession
from chatd.line.takeover import new_token
from chatd.line.taking import LineTaking
from chatd.line.telnet import TelnetFilter

if TYPE_CHECKING:
    from chatd.line.factory import LineFactory

SHUTDOWN = Notice("shutdown", "Server shutting down. Goodbye.")


@implementer(IHandshakeListener, IHalfCloseableProtocol)
class LineProtocol(LineTaking, Deadlines):
    """One person (or program) on nc, telnet or the bundled client.

    Its one timer (TimeoutMixin's, kept by chatd.frontend.deadlines) holds its deadline: on TLS first the
    handshake's, then the nickname's, and once it is closing the grace its
    goodbye has to be written before the connection is aborted.
    """

    # Slots keep a connection's state out of a __dict__: about 1.3 KiB less
    # per connection (CPython stops sharing a dict's keys once an instance
    # adds attributes after many instances exist, and then the dict is 1.5
    # KiB). Twisted's bases have no slots, so what their methods set on the
    # instance (connected, transport, paused, timeOut, _buffer,
    # _busyReceiving, _TimeoutMixin__timeoutCall) is in slots here too, set
    # in ``__init__`` to their class defaults: else the first byte read made
    # a dict of 270 bytes a connection (issue 18). An attribute a later
    # Twisted adds lands in a __dict__ again, which works and costs memory.
    # The state its parts keep (chatd.line.budget, receiving, taking) is in
    # their slots.
    __slots__ = (
        "MAX_LENGTH",
        "_TimeoutMixin__timeoutCall",
        "_account_budget",
        "_buffer",
        "_busyReceiving",
        "_handshaking",
        "_oper_budget",
        "_takeover_budget",
        "connected",
        "factory",
        "paused",
        "timeOut",
        "token",
        "transport",
    )
    delimiter = b"\n"
    log = Logger()

    def __init__(self, factory: "LineFactory", peer: str) -> None:
        LineSession.__init__(
            self, factory.chat, factory, peer, factory.default_room, factory.ignorers, factory.search_turns
        )
        # Twisted's own attributes, at its classes' defaults (see __slots__).
        self.connected = 0
        self.transport: ITransport | None = None
        self._buffer = b""
        self._busyReceiving = False
        self.paused = False
        self.timeOut: int | None = None
        self._TimeoutMixin__timeoutCall: IDelayedCall | None = None
        self.factory: LineFactory = factory
        limits = factory.limits
        # One more byte than the limit, for the CR of a CRLF ending.
        self.MAX_LENGTH = limits.max_line + 1
        self._telnet: TelnetFilter | None = None
        self._quit_reason = "connection closed"
        self._overflow = b""
        self._discarding = False
        self._read_ended = False
        self._paste: list[str] | None = None
        """The plain lines of this read not yet said; None when none (most of the time: issue 18)."""
        self._blanks = 0
        """Blank lines among the paste's: paid for as its lines, shown as nothing."""
        self._handshaking = False
        """Whether this is a TLS connection whose handshake is not done: nothing can be said to it yet."""
        self._reading = Reading(self)
        """Why this connection is not reading, if it is not: its flood budget, a waiting command."""
        gate = FloodGate(
            limits.flood_rate,
            self._opening_burst(),
            limits.flood_bytes,
            4 * limits.flood_bytes,
            factory.reactor.seconds,
        )
        self._flood = FloodControl(gate, self._reading, self, factory.reactor, limits.flood_disconnect)
        self._oper_budget: Attempts | None = None
        """This connection's failed /oper attempts; made at its first attempt."""
        self._account_budget: Attempts | None = None
        """This connection's wrong account passwords; made at its first attempt."""
        self._takeover_budget: Attempts | None = None
        """This connection's wrong takeover tokens; made at its first attempt."""
        self.token: str | None = None
        """The secret that lets a new connection take this session's place (chatd.line.takeover): a new one with
        each "You are NICK." (``nick_notice``); None until then."""
        self._notes_free = factory.chat.limits.rooms_per_user
        """``/resume`` lines before a nickname still free (``_free_note``)."""
        self.files = factory.files
        self._transfer_release: IDelayedCall | None = None

    def _opening_burst(self) -> int:
        """Lines the flood budget holds when the connection opens: ``--flood-burst``."""
        return self.factory.limits.flood_burst

    @override
    def named(self) -> None:
        """A named connection has no deadline: people may stay quiet for hours."""
        self.setTimeout(None)

    @override
    def greeting_line(self) -> bytes:
        return self.factory.greeting_line(self.json, self.render)

    @override
    def prove_operator(self, name: str, password: Typed) -> "Deferred[None]":
        if self._oper_budget is None:
            self._oper_budget = self.factory.login.attempts()
        return self.factory.login.attempt(
            self.chat, self.me(), self.peer, self._oper_budget, name, password.text, also=password.as_typed
        )

    @override
    def prove_account(self, nick: str, password: Typed) -> "Deferred[None]":
        if self._account_budget is None:
            self._account_budget = self.factory.accounts.attempts()
        return self.factory.accounts.prove(
            self.chat, self.user, self.peer, self._account_budget, nick, password.text, also=password.as_typed
        )

    @override
    def nick_notice(self) -> Notice:
        notice = super().nick_notice()
        self.token = new_token()
        return replace(notice, fields={**notice.fields, "token": self.token})

    @override
    def take_over(self, nick: str, token: str) -> "Deferred[tuple[UserView, LineSession]]":
        tokens = self.factory.tokens
        if self._takeover_budget is None:
            self._takeover_budget = tokens.attempts()
        return tokens.take_over(self.chat, self, self._takeover_budget, nick, token)

    @override
    def hash_password(self, password: str) -> "Deferred[str]":
        return self.factory.accounts.hash(self.peer, password)

    @override
    def connectionMade(self) -> None:
        self.opened(cast(ITransport, self.transport))
        if self.files is not None:
            self.files.attach(self)
        self.greet()

    @override
    def registration_timed_out(self) -> None:
        self.close(RegisterTimeoutError(self.factory.limits.register_timeout))

    @override
    def close(self, last: Renderable | None) -> None:
        """Say ``last`` (if any) as the final line and close once it is written; once only.

        The last words, as all output, go out once the events behind them
        are kept (``Output.close``): a ``kill -9`` loses no line a closing
        session was shown. What is not written within ``GOODBYE_GRACE_SECONDS`` is dropped with
        the connection: a client that does not read (or a TLS peer that
        does not answer the close) cannot hold it open.
        """
        if self.closing:
            return
        if last is not None:
            self.send(last)
        self.close_when_written()

    @override
    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.sink.drop()
        self.setTimeout(None)
        self._flood.stop()
        if self._transfer_release is not None:
            self._transfer_release.cancel()
            self._transfer_release = None
        if self.files is not None:
            self.files.detach(self)
        if self.user is not None:
            self.chat.quit(self.user, self._quit_reason, self)
        self.factory.forget(self)
