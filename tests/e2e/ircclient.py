"""A blocking IRC client for end-to-end tests: jaraco's ``irc`` library on its own select loop, on loopback.

``IRCClient`` connects (with SASL PLAIN if asked), registers, joins and says
through the library, so the daemon is read by a real client's parser and
not by ours; the library's events come back as typed ``Heard`` values, each
wait bounded by the daemon's deadline. Every line the server sent is kept
and shown when a wait fails. ``irc_port`` reads the port from the daemon's
own "chatd IRC at" log line.
"""

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

# The library ships no type information (no py.typed): its events are
# turned into Heard values here, so no Any reaches the tests.
import irc.client  # type: ignore[import-untyped]

from tests.e2e.daemon import DEADLINE_SECONDS, Daemon

IRC_AT = re.compile(
    rb"\[chatd\.frontend\.endpoints#info\] chatd IRC at irc://(?P<host>[^/]+):(?P<port>\d+)/$"
)
"""chatd's own log line naming an address where it speaks IRC."""


def irc_port(daemon: Daemon) -> int:
    """The port of the first IRC address the daemon announced."""
    return int(daemon.wait_for_log(IRC_AT).group("port"))


@dataclass(frozen=True)
class Heard:
    """One event the library made of a server line: its kind, who sent it, to whom, and the rest.

    ``kind`` is the library's name (``pubmsg``, ``join``, ``welcome``,
    ``saslfail``...), ``nick`` the nickname (or server name) of the
    source, ``arguments`` the parameters after the target.
    """

    kind: str
    nick: str
    target: str | None
    arguments: tuple[str, ...]


class IRCClient:
    """One IRC connection to 127.0.0.1 driven by the library; closed at the test's cleanup."""

    def __init__(
        self,
        daemon: Daemon,
        port: int,
        nick: str,
        *,
        sasl: tuple[str, str] | None = None,
        password: str | None = None,
    ) -> None:
        """Connect to ``port`` and register as ``nick``, logging in with ``sasl`` (account, password) or ``password``.

        With ``sasl`` the library sends CAP LS, NICK and USER, then CAP REQ
        sasl and AUTHENTICATE PLAIN, and CAP END once the server answers
        (903 or 904); with ``password`` it sends PASS before NICK and USER.

        Nothing is read here: wait for ``welcome`` (001) or for what the
        server answers instead.
        """
        self.daemon = daemon
        self.received: list[str] = []
        """Every line the server has sent so far, as the library decoded it."""
        self._waiting: list[Heard] = []
        self._reactor = irc.client.Reactor()
        self._reactor.add_global_handler("all_events", self._keep, -10)
        self._connection = self._reactor.server()
        account, secret = sasl if sasl is not None else (None, password)
        daemon.case.addCleanup(self.close)
        self._connection.connect("127.0.0.1", port, nick, password=secret, sasl_login=account)

    def _keep(self, _connection: Any, event: Any) -> None:
        if event.type == "all_raw_messages":
            self.received.append(event.arguments[0])
            return
        source = event.source
        nick = getattr(source, "nick", None) or str(source or "")
        target = None if event.target is None else str(event.target)
        self._waiting.append(Heard(event.type, nick, target, tuple(str(each) for each in event.arguments)))

    def next(self, *kinds: str, where: Callable[[Heard], bool] = lambda _: True) -> Heard:
        """The next event of one of ``kinds`` that passes ``where``, skipping others; fails at the deadline."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:
            while self._waiting:
                event = self._waiting.pop(0)
                if event.kind in kinds and where(event):
                    return event
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.fail(f"no {' or '.join(kinds)} within {DEADLINE_SECONDS} s")
            if not self._connection.is_connected():
                self.fail(f"the connection closed before a {' or '.join(kinds)}")
            self._reactor.process_once(timeout=remaining)

    def registered(self) -> Heard:
        """The welcome (001), once registration is done."""
        return self.next("welcome")

    def join(self, channel: str) -> list[str]:
        """Join ``channel`` and read its JOIN echo and NAMES: returns the nicknames listed there."""
        self._connection.join(channel)
        me = self._connection.get_nickname()
        self.next("join", where=lambda event: event.nick == me and event.target == channel)
        return self._names()

    def names(self, channel: str) -> list[str]:
        """Ask the NAMES of ``channel``: returns the nicknames listed, each with its prefix (``@alice``)."""
        self._connection.names([channel])
        return self._names()

    def _names(self) -> list[str]:
        """The nicknames of the next NAMES reply, up to its end."""
        names: list[str] = []
        while True:
            event = self.next("namreply", "endofnames")
            if event.kind == "endofnames":
                return names
            names.extend(event.arguments[-1].split())

    def say(self, target: str, text: str) -> None:
        """PRIVMSG ``text`` to ``target`` (a channel or a nickname)."""
        self._connection.privmsg(target, text)

    def send(self, text: str) -> None:
        """Send the line ``text`` as it is: a command the library has no method of its own for, or one it would
        change (``KILL``'s reason is sent as typed)."""
        self._connection.send_raw(text)

    def quit(self, reason: str = "") -> None:
        """QUIT with ``reason``, then close the socket."""
        self._connection.disconnect(reason)

    def fail(self, message: str) -> NoReturn:
        """Fail the test, showing what the server sent this client and what the daemon logged."""
        shown = "\n".join(self.received)
        self.daemon.fail(f"{message}\n--- received by the IRC client ---\n{shown}")

    def close(self) -> None:
        """Close the connection (QUIT first, if it is still open) and let go of the socket."""
        self._connection.close()
