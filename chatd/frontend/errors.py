"""Refusals any front end can meet, before a connection is any protocol's.

They are ``ChatError``s with a stable code, so each front end words them as
it words the domain's own (the line front end: ``ERR code message``).
"""

from dataclasses import dataclass

from chatd.domain.errors import ChatError


@dataclass(eq=False)
class ServerFullError(ChatError):
    """The server holds as many connections as its host allows."""

    code = "server-full"


@dataclass(eq=False)
class TooManyConnectionsError(ChatError):
    """The client's address already holds ``limit`` connections, as many as allowed."""

    code = "too-many-connections"
    limit: int


@dataclass(eq=False)
class ConnectingTooFastError(ChatError):
    """The client's address has opened as many connections of late as allowed; the next in ``seconds_left``."""

    code = "connecting-too-fast"
    seconds_left: int


NOT_ADMITTED = (ServerFullError, TooManyConnectionsError, ConnectingTooFastError)
"""What ``Admission.admit`` refuses a new connection with, for the ``except`` of every front end's factory, which
tells the connection why in its own protocol's words before closing it."""
