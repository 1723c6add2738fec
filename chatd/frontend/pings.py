"""One ping round for all of a front end's connections, so a peer that vanished without a word is noticed.

A TCP connection whose peer is gone (a laptop shut, a NAT that forgot it)
looks open until something is written to it. Each front end that asks
clients to answer (WebSocket pings, IRC's PING) keeps its sessions here:
one round every ``seconds`` for all of them, rather than a timer each (a
timer costs a connection as much memory as half its own state, and a round
is a single pass over the set). Each session decides in ``ping`` whether
to ask again or to give up on a peer that never answered the last round.
The timer runs only while there is a session to ping, so an idle daemon
(or a test) keeps no call waiting.
"""

import typing

from twisted.internet.interfaces import IReactorTime
from twisted.internet.task import LoopingCall


class Pingable(typing.Protocol):
    """A session a ``PingRound`` pings."""

    def ping(self) -> None:
        """Ask the peer to answer, or close the session if it has not answered the last round."""


class PingRound:
    """The sessions of a front end that are pinged, and the one timer that pings them all."""

    def __init__(self, reactor: IReactorTime, seconds: float) -> None:
        self._seconds = seconds
        self._live: set[Pingable] = set()
        self._round = LoopingCall(self._ping)
        self._round.clock = reactor

    def add(self, session: Pingable) -> None:
        """Ping ``session`` from the next round on."""
        self._live.add(session)
        if not self._round.running:
            self._round.start(self._seconds, now=False)

    def discard(self, session: Pingable) -> None:
        """``session`` is gone; the last one gone stops the rounds."""
        self._live.discard(session)
        if not self._live and self._round.running:
            self._round.stop()

    def _ping(self) -> None:
        for session in list(self._live):
            session.ping()
