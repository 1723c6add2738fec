"""``FrontEnd``: a front end as ``chatd.service`` wires it, whatever protocol it speaks.

The service knows a front end only by this: the protocol factory it serves,
the endpoints it serves it on, and how it says goodbye. The service listens
on each endpoint (logging "chatd listening on ..." for each), closes those
listeners first when the daemon stops, then calls ``shutdown`` and waits for
it. So a new front end (IRC, the browser) is one builder returning a
``FrontEnd`` and one line in ``service.build`` (or, for one imported only when
asked for, in ``chatd.daemon.web_and_irc``); no other front end changes.
"""

from collections.abc import Sequence
from typing import Protocol

from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IProtocolFactory, IStreamServerEndpoint


class FrontEnd(Protocol):
    """One front end's factory, where it listens, and its shutdown."""

    @property
    def factory(self) -> IProtocolFactory:
        """Builds a protocol for each connection on any of ``endpoints``."""
        ...

    @property
    def endpoints(self) -> Sequence[IStreamServerEndpoint]:
        """Where to listen, in the order the listeners start; may be empty."""
        ...

    def shutdown(self) -> "Deferred[None]":
        """Tell this front end's connections the server is going, close them, and fire once all are closed.

        Called after every listener of every front end has stopped, so no
        connection arrives meanwhile; it must fire (cutting off connections
        that do not close in time), as the daemon's stop waits for it.
        """
        ...
