"""Refusals any front end can meet, before a connection is any protocol's.

They are ``ChatError``s with a stable code, so each front end words them as
it words the domain's own (the line front end: ``ERR code message``).
"""

from chatd.domain.errors import ChatError


class ServerFullError(ChatError):
    """The server holds as many connections as its host allows."""

    code = "server-full"

    def __init__(self) -> None:
        super().__init__("the server is full; try again later")


class TooManyConnectionsError(ChatError):
    """The client's address already holds as many connections as allowed."""

    code = "too-many-connections"

    def __init__(self, limit: int) -> None:
        super().__init__(f"at most {limit} connections from one address; close one first")
