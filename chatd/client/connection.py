"""The client's link to the server: its connections' life, and every server line followed and shown.

``Link`` outlives each connection: it greets the server as soon as one
is made, feeds every server object to ``Presence`` (who and where the
user is) and to the renderer, and hands the rendered lines to a
``Screen``: the interactive terminal or plain stdout. Interactive links
come back after a drop or a failed attempt, saying so on screen; plain
links, run by scripts, give up with exit status 1 instead of hanging.

Its parts are modules of their own: one connection's bytes and lines
(``serverconnection``), the pauses between attempts (``retries``), the
first line that tells chatd from another service (``firstline``), the
server's silence (``liveness``), what the user types (``outbox``) and
what coming back after a drop takes (``comeback``).
"""

from collections.abc import Callable
from datetime import tzinfo
from typing import cast

from twisted.internet.defer import CancelledError, Deferred
from twisted.internet.interfaces import IDelayedCall, IReactorTime, IStreamClientEndpoint, ITCPTransport
from twisted.python.failure import Failure

from chatd.client.comeback import Comeback
from chatd.client.e2e import EndToEnd
from chatd.client.files import Transfers
from chatd.client.firstline import FirstLine
from chatd.client.liveness import PROBE, STALLED, Watch, answers_probe
from chatd.client.outbox import Outbox
from chatd.client.presence import Presence
from chatd.client.reach import GREETING_SECONDS, NotChatdError, Server, SilentError
from chatd.client.render import parse, render, render_text, status
from chatd.client.retries import RETRY_POLICY, Retries
from chatd.client.screen import Screen
from chatd.client.seen import SeenLines
from chatd.client.serverconnection import ConnectionFactory, ServerConnection
from chatd.client.shown import Shown
from chatd.client.style import View
from chatd.client.unechoed import Unechoed

LEAVE_GRACE_SECONDS = 3.0
"""How long leaving waits for the server to say goodbye and close before closing anyway."""


class Link:
    """The connection to one server, over as many TCP connections as it takes.

    ``start`` returns a Deferred that fires with the process's exit status
    once the user has left (0) or, for a link that does not retry, once the
    server cannot be reached or goes away (1).
    """

    def __init__(
        self,
        endpoint: IStreamClientEndpoint,
        reactor: IReactorTime,
        presence: Presence,
        server: Server,
        *,
        colour: bool = False,
        retry: bool = True,
        policy: Callable[[int], float] = RETRY_POLICY,
        zone: tzinfo | None = None,
    ) -> None:
        self.presence = presence
        self.server = server
        """The server as the user named it, which words the reasons it cannot be reached."""
        self._endpoint = endpoint
        self._reactor = reactor
        self._colour = colour
        self._retry = retry
        self._zone = zone
        self._screen: Screen | None = None
        self._retries = Retries(reactor, policy, self.say)
        """The pauses between attempts, started only if the link retries (chatd.client.retries)."""
        self._connection: ServerConnection | None = None
        self._named_at: float | None = None
        """When this connection's user got a nickname, for WORKED_SECONDS."""
        self._leaving = False
        self._outbox = Outbox(self, reactor, self._quit_now)
        """The lines typed, sent or carried out in the order typed (chatd.client.outbox)."""
        self._cutoff: IDelayedCall | None = None
        self._watch: Watch | None = None
        """The quiet of this connection, which says when the server has gone silent (chatd.client.liveness)."""
        self._stalled = False
        """True once this connection was dropped for its silence: the user was told so already."""
        self.unechoed = Unechoed()
        """Room lines sent and not seen back, to send again after a drop unless the resume shows them."""
        self._comeback = Comeback(self, retry)
        """What a new connection does for the one that dropped (chatd.client.comeback)."""
        self._first: FirstLine | None = None
        """Whether this connection's other end is chatd, as its first line tells (chatd.client.firstline)."""
        self._handshake: IDelayedCall | None = None
        """The deadline of this connection's TLS handshake, while it is under way."""
        self._handshake_unanswered = False
        """True once a TLS handshake went unanswered for ``GREETING_SECONDS`` and its connection was cut."""
        self._answered_before = False
        """True once a connection of this link has shown chatd: a later one's silence is then no wrong port."""
        self._finished: Deferred[int] = Deferred()
        self.seen = SeenLines()
        """The lines shown lately, so a ``deleted`` says whose line of when went (chatd.client.seen)."""
        self.e2e: EndToEnd | None = None
        """Encrypted private messages (``/msg`` sealed, ``/fingerprint`` and the rest), if set by whoever builds the link."""
        self.files: Transfers | None = None
        """File transfers (``/send`` and the rest), if this client carries files: set by whoever builds the link."""

    @property
    def view(self) -> View:
        """How lines are rendered now: for the current nickname, in the zone given (default: local time)."""
        return View(me=self.presence.nick, colour=self._colour, zone=self._zone)

    @property
    def connected(self) -> bool:
        """True while a TCP connection to the server is up."""
        return self._connection is not None

    @property
    def reaches_chatd(self) -> bool:
        """True while a connection is up whose first line has shown chatd: lines typed go out only then, never to
        another service at a wrong port (an ``/identify`` with its password), nor ahead of the client's own
        ``/identify``, where chatd would take them for a nickname."""
        return self._first is not None and self._first.shown_chatd

    @property
    def named(self) -> bool:
        """True once the server has accepted a nickname on this connection: until then it answers any command but
        naming ones ``need-nick``."""
        return self._named_at is not None

    def start(self, screen: Screen) -> "Deferred[int]":
        """Connect, showing everything on ``screen``; fires with the exit status when done."""
        self._screen = screen
        factory = ConnectionFactory(self)
        if self._retry:
            self._retries.start(self._endpoint, factory, self._attempt_failed)
        else:
            self._endpoint.connect(factory).addErrback(self._attempt_failed)
        return self._finished

    def send(self, text: str) -> bool:
        """Send one line as typed, or carry out a client command (``Outbox.send``); False with no connection that
        has shown chatd (``reaches_chatd``)."""
        return self._outbox.send(text)

    def send_line(self, text: str) -> bool:
        """Send ``text`` to the server as it is, no command of the client's own; False with no connection."""
        if self._connection is None:
            return False
        self._connection.sendLine(text.encode("utf-8"))
        return True

    def show_lines(self, shown: Shown) -> None:
        """Put lines of the client's own, already rendered, on screen."""
        if self._screen is not None and shown.lines:
            self._screen.note(shown)

    def leave(self, line: str = "/quit") -> None:
        """Send ``line`` (a quit), wait for the server to close, then stop for good.

        Leaving a second time, or with no connection, stops at once. Lines
        typed before and still held behind a sealed ``/msg`` go first.
        """
        if self._leaving or self._connection is None:
            self._leaving = True
            self._stop()
            return
        self._leaving = True
        self._outbox.quit(line)

    def _quit_now(self, line: str) -> None:
        assert self._connection is not None, "a leave still waiting is dropped with the connection"
        self._connection.sendLine(line.encode("utf-8"))
        self._cutoff = self._reactor.callLater(LEAVE_GRACE_SECONDS, self._stop)

    def say(self, text: str) -> None:
        """Show a line of the client's own, stamped now."""
        if self._screen is not None:
            self._screen.note(status(text, self.view, self._reactor.seconds()))

    def show(self, shown: Shown) -> None:
        """Put lines of the server's on screen (a message held until its sender's keys were fetched)."""
        if self._screen is not None and shown.lines:
            self._screen.show(shown)

    def handshaking(self, connection: ServerConnection) -> None:
        """A TLS connection is up over TCP: chatd's TLS port answers the handshake at once, while its web port, named
        with ``--tls`` by mistake, waits for an HTTP request until its own timeout, so the handshake has as long as
        a first line has (``GREETING_SECONDS``), and is then no chatd."""
        self._handshake = self._reactor.callLater(
            GREETING_SECONDS, self._handshake_unanswered_for, connection
        )

    def _handshake_unanswered_for(self, connection: ServerConnection) -> None:
        self._handshake = None
        self._handshake_unanswered = True
        assert connection.transport is not None, "a handshake under way has a transport"
        # Not loseConnection: over TLS it waits for the handshake that is not coming.
        cast(ITCPTransport, connection.transport).abortConnection()

    def made(self, connection: ServerConnection) -> None:
        """A connection is up (over TLS, checked): greet the server and time its first line and its quiet; it is
        said once that line shows chatd (``_speaks_chatd``)."""
        if self._handshake is not None:
            self._handshake.cancel()
            self._handshake = None
        self._connection = connection
        assert connection.transport is not None, "connectionMade has a transport"
        for line in self.presence.greeting():
            connection.sendLine(line.encode("utf-8"))
        self._first = FirstLine(self._reactor, self._speaks_chatd, connection.transport.loseConnection)
        self._watch = Watch(self._reactor, lambda: self.send_line(PROBE), self._stall)

    def _stall(self) -> None:
        """The server answered nothing, not even the probe: drop the connection and come back (a new one works at
        once where the old one stalled), saying so, and what typed since may be lost."""
        self.say(STALLED)
        self._comeback.stalled()
        self._stalled = True
        if self._connection is not None and self._connection.transport is not None:
            # Not loseConnection: that waits for the unsent bytes to go, and nothing goes on a stalled connection.
            cast(ITCPTransport, self._connection.transport).abortConnection()

    def _speaks_chatd(self) -> None:
        """The first line shows chatd: say so, the password may go (``--identify``), and lines typed now reach chatd.

        "Connected" waits for that line: a connection closed before it, or
        that is no chatd's, is an attempt that failed, said in one line.
        """
        self._answered_before = True
        if self._connection is not None and self._connection.transport is not None:
            self.say(self.server.connected(self._connection.transport.getPeer()))
        for line in self.presence.identification():
            self.send_line(line)
        if self._screen is not None:
            self._screen.server_connected()

    def received(self, text: str) -> None:
        """A line from the server: check, follow and show it."""
        if self._watch is not None:
            self._watch.heard()
        self.unechoed.heard()
        if self._first is not None and not self._first.passes(text):
            return
        now = self._reactor.seconds()
        message = parse(text)
        if message is not None and answers_probe(message):
            return
        if message is not None and self._comeback.back(message):
            return
        if message is not None:
            message = self.seen.received(message)
        if message is None:
            # The server greets again in JSON once it reads the client's first
            # line, /format json (docs/PROTOCOL.md): of the text before it, only
            # a refusal on connect (ERR, then the close) is news.
            if text.startswith("ERR "):
                self.show(render_text(text, self.view, now))
            return
        if message.get("type") == "notice" and message.get("kind") == "bye":
            # The server closes after its goodbye: that close is no loss, whoever sent the quit.
            self._leaving = True
        self.presence.received(message)
        self.unechoed.echoed(message, self.presence.nick)
        answer = self.presence.answer(message)
        named = self._named_at is None and self.presence.nick is not None
        if named:
            self._named_at = now
            self._comeback.named()
        if answer is not None and self._comeback.instead_of_takeover(answer):
            return
        shown = self.e2e.received(message) if self.e2e is not None else None
        if shown is None and self.files is not None:
            shown = self.files.received(message)
        self.show(render(message, self.view, now) if shown is None else shown)
        if named and self.files is not None:
            self.files.online()
        if answer is not None:
            self._comeback.refused(answer)
        if answer is not None and self._screen is not None:
            self._screen.answered(answer)

    def lost(self, reason: Failure) -> None:
        """The connection is gone: say why, and come back, finish, or count a failed attempt."""
        reached, self._connection = self._connection is not None, None
        if self._named_at is not None:
            # Only a named connection carried lines typed (``reaches_chatd``, ``Unechoed.sent``): one closed before
            # that, as a load balancer closes them while chatd is away, must not age the lines a stall lost.
            self.unechoed.lost(self._reactor.seconds())
        if self._watch is not None:
            self._watch.stop()
            self._watch = None
        stalled, self._stalled = self._stalled, False
        first, self._first = self._first, None
        not_chatd = first.ended(self._leaving, reason) if first is not None else None
        if self._handshake is not None:
            self._handshake.cancel()
            self._handshake = None
        if self._handshake_unanswered:
            self._handshake_unanswered = False
            not_chatd = Failure(NotChatdError(None))
        if self._answered_before and not_chatd is not None and _silent(not_chatd):
            not_chatd = Failure(SilentError())
        named_at, self._named_at = self._named_at, None
        self._outbox.lost()
        self.presence.lost()
        if self.e2e is not None:
            self.e2e.offline()
        if self.files is not None:
            self.files.offline()
        if self._leaving and not_chatd is None:
            self._stop()
            return
        if not reached or not_chatd is not None:
            # The TLS handshake failed or was cut, or the other end is no chatd: an attempt that failed, not a server lost.
            self._attempt_failed(not_chatd or reason)
            return
        self._retries.ended(None if named_at is None else self._reactor.seconds() - named_at)
        if not stalled:
            self.say(self.server.lost(reason))
        if not self._retry:
            self._finish(1)

    def _attempt_failed(self, failure: Failure) -> None:
        if failure.check(CancelledError):
            return
        if self._retry and not self._leaving:
            self._retries.failed(self.server.unreachable(failure))
        else:
            self.say(self.server.unreachable(failure))
            self._finish(1)

    def _stop(self) -> None:
        if self._cutoff is not None and self._cutoff.active():
            self._cutoff.cancel()
        stopping = self._retries.stop()
        if stopping is not None:
            stopping.addBoth(lambda _: self._finish(0))
        elif self._connection is not None and self._connection.transport is not None:
            # connectionLost comes back here with no connection, and finishes.
            self._connection.transport.loseConnection()
        else:
            self._finish(0)

    def _finish(self, status: int) -> None:
        if self.files is not None:
            self.files.bars.stop()
        if not self._finished.called:
            self._finished.callback(status)


def _silent(failure: Failure) -> bool:
    """Whether ``failure`` is a first line that never came in time, rather than one that was not chatd's."""
    return isinstance(failure.value, NotChatdError) and failure.value.answer is None
