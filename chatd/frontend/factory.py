"""``FrontEndFactory``, what every front end's factory sets up alike, and ``Served``, a front end as the service
wires it.

Every factory takes its ``Wiring`` apart the same way, keeps its live
connections to say goodbye to, and sends its output through one ``Outbox``;
each subclass adds what is its own (limits, rendering, delivery, the
protocol it builds) and says its goodbye (``say_goodbye``).
"""

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IReactorTime, IStreamServerEndpoint
from twisted.internet.protocol import Protocol, ServerFactory

from chatd.frontend.connections import Connections
from chatd.frontend.outbox import Outbox
from chatd.frontend.sockets import Tuning
from chatd.frontend.wiring import Wiring

P = TypeVar("P", bound=Protocol)


class FrontEndFactory(ServerFactory, ABC, Generic[P]):
    """A front end's factory, building ``P`` protocols: what it was handed, its connections and its outbox."""

    # Twisted's "Starting factory <...>" lines tell an operator nothing
    # that chatd.daemon.listeners' "listening on" lines do not.
    noisy = False

    def __init__(self, wiring: Wiring, tuning: Tuning) -> None:
        reactor = wiring.reactor
        self.chat = wiring.chat
        self.reactor: IReactorTime = reactor
        self.server_name = wiring.server_name
        self.motd = wiring.motd
        self.admission = wiring.admission
        """Counts connections across every front end of the daemon; the service shares one."""
        self.login = wiring.login
        """Checks ``/oper`` passwords and budgets failures; the service shares one among front ends.

        Without one, nobody becomes an operator by password.
        """
        self.accounts = wiring.accounts
        """Hashes and checks account passwords and budgets failures; the service's runs on its thread pool."""
        self.search_turns = wiring.search_turns
        """Each host's searches, one at a time; the service shares one among front ends."""
        self.files = wiring.files
        """The transfer engine; None: files are not carried (and no link is named)."""
        self.tuning = tuning
        """The socket settings made on each listener, which its connections start with (chatd.frontend.sockets)."""
        self.outbox = Outbox(reactor, wiring.keep)
        """Sends each connection's output once per reactor pass, once ``keep`` (the SQLite store's) has made the
        pass's events safe from a crash."""
        self.connections: Connections[P] = Connections(reactor)
        """Live connections, so shutdown can say goodbye to each."""

    @abstractmethod
    def say_goodbye(self, protocol: P) -> None:
        """Tell ``protocol``'s connection the server is going, in its own words, and close it."""

    def shutdown(self) -> "Deferred[None]":
        """Tell everyone the server is going, close every connection, and fire when done."""
        closed = self.connections.shutdown(self.say_goodbye)
        # Each went with what waited for it; the call that would have sent it is left with nothing to send.
        return closed.addCallback(lambda _: self.outbox.send_waiting())


F = TypeVar("F", bound=FrontEndFactory[Any])


@dataclass(frozen=True, slots=True)
class Served(Generic[F]):
    """A ``chatd.frontend.ports.FrontEnd``: one factory served on every endpoint of its front end."""

    factory: F
    endpoints: Sequence[IStreamServerEndpoint]

    def shutdown(self) -> "Deferred[None]":
        """Say goodbye to every connection and fire once all are closed (``FrontEndFactory.shutdown``)."""
        return self.factory.shutdown()
