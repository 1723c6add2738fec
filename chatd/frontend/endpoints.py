"""Where a front end listens: its port and TLS port on ``--interface``, then its ``--listen`` endpoints.

Every front end is given the same three things (a plain port, a TLS port
with its certificate, endpoint descriptions) and listens on them the same
way, with a backlog that fits a reconnect storm; only what it serves there
differs.
"""

from collections.abc import Sequence
from typing import Any

from twisted.internet.endpoints import (
    SSL4ServerEndpoint,
    TCP4ServerEndpoint,
    TCP6ServerEndpoint,
    serverFromString,
)
from twisted.internet.interfaces import IStreamServerEndpoint
from twisted.internet.ssl import CertificateOptions

LISTEN_BACKLOG = 1024
"""Connections the kernel may hold waiting to be accepted (it caps this at net.core.somaxconn).

Twisted's default of 50 drops connection attempts when a thousand clients
come back at once after a restart; each then waits a second to retry.
"""


def listening(
    reactor: Any,
    interface: str,
    port: int | None,
    tls: tuple[int, CertificateOptions] | None,
    listen: Sequence[str],
) -> tuple[tuple[IStreamServerEndpoint, bool], ...]:
    """Each endpoint to listen on, and whether it is TLS: ``port``, ``tls`` (both on ``interface``), then ``listen``.

    ``reactor`` provides ``IReactorTCP`` and whatever the ``listen``
    descriptions need; a description counts as TLS if it is an ``ssl:`` one.
    """
    found: list[tuple[IStreamServerEndpoint, bool]] = []
    if port is not None:
        kind = TCP6ServerEndpoint if ":" in interface else TCP4ServerEndpoint
        found.append((kind(reactor, port, backlog=LISTEN_BACKLOG, interface=interface), False))
    if tls is not None:
        secure = SSL4ServerEndpoint(reactor, tls[0], tls[1], backlog=LISTEN_BACKLOG, interface=interface)
        found.append((secure, True))
    found.extend(
        (serverFromString(reactor, description), description.startswith("ssl:")) for description in listen
    )
    return tuple(found)
