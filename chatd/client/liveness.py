"""Noticing that the server has gone silent: a stalled connection, not a quiet chat.

A connection whose packets are lost without an error (a train in a
tunnel, a phone moving to another network before the old socket fails)
shows nothing at all: TCP tells neither end for minutes, and what the user
types goes into it. So after ``QUIET_SECONDS`` with no line from the
server the client asks ``/ping`` (docs/PROTOCOL.md, "Liveness"); any line
within ``ANSWER_SECONDS`` more shows the connection alive, and none shows
it stalled. A busy chat is never pinged: every line heard starts the
quiet afresh.
"""

from collections.abc import Callable

from twisted.internet.interfaces import IDelayedCall, IReactorTime
from twisted.protocols.policies import TimeoutMixin
from typing_extensions import override

from chatd.client.shown import Message

QUIET_SECONDS = 10.0
"""Silence from the server after which the client asks whether the connection still works."""

ANSWER_SECONDS = 8.0
"""How long the server has to answer that, or say anything: 18 s from the last line heard to a reconnection."""

PROBE_TEXT = "chatd-client-liveness"
"""The text of the client's own ``/ping``: its pong is the client's business, never shown."""

PROBE = f"/ping {PROBE_TEXT}"

STALLED = "The connection is not answering; reconnecting…"


def is_pong(message: Message, text: str) -> bool:
    """Whether ``message`` answers ``/ping text``."""
    return message.get("type") == "notice" and message.get("kind") == "pong" and message.get("echo") == text


def answers_probe(message: Message) -> bool:
    """Whether ``message`` answers the client's own ``/ping``: its pong, or an older server's ``unknown-command``
    for it (an answer too: the connection works, and the user typed no ping)."""
    if message.get("type") == "error":
        return message.get("code") == "unknown-command" and message.get("command") == "ping"
    return is_pong(message, PROBE_TEXT)


class Watch(TimeoutMixin):
    """The quiet of one connection: ``probe`` is called after ``QUIET_SECONDS`` without a line, ``stalled`` after
    ``ANSWER_SECONDS`` more; ``heard`` each line received, ``stop`` once the connection is gone."""

    def __init__(
        self, reactor: IReactorTime, probe: Callable[[], object], stalled: Callable[[], None]
    ) -> None:
        self._reactor = reactor
        self._probe = probe
        self._stalled = stalled
        self._asked = False
        self.setTimeout(QUIET_SECONDS)

    @override
    def callLater(self, period: float, func: Callable[[], None]) -> IDelayedCall:
        return self._reactor.callLater(period, func)

    def heard(self) -> None:
        """A line came from the server: the connection works, and the quiet starts afresh."""
        if self._asked:
            self._asked = False
            self.setTimeout(QUIET_SECONDS)
        else:
            self.resetTimeout()

    def stop(self) -> None:
        """The connection is gone: nothing more to ask."""
        self.setTimeout(None)

    @override
    def timeoutConnection(self) -> None:
        if self._asked:
            self._stalled()
            return
        self._asked = True
        self.setTimeout(ANSWER_SECONDS)
        self._probe()
