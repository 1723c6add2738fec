"""The daemon every end-to-end test starts on loopback, the lines it greets a connection with, and its #lobby.

Shared by the test modules that start one (and by tests/refusals.py, which refuses starts in-process with the
same options), so that none of them imports another test module for them.
"""

from collections.abc import Sequence

from twisted.trial.unittest import SynchronousTestCase

from chatd import __version__
from tests.e2e.daemon import Daemon, LineClient

NAME = "e2e"
"""The server name every test daemon is given, so the greeting is known."""

WELCOME = f"*** Welcome to chatd {__version__} on {NAME}. Type /help for help."
PROMPT = "*** Choose a nickname:"
SHUTDOWN = b"*** Server shutting down. Goodbye.\r\n"

LOOPBACK = ("chatd", "--port", "0", "--interface", "127.0.0.1", "--name", NAME)
"""``twistd`` arguments for a daemon on an ephemeral port of 127.0.0.1."""


def start_chatd(case: SynchronousTestCase, *extra: str) -> Daemon:
    """A daemon listening on 127.0.0.1 only, with ``extra`` chatd options."""
    return Daemon.start(case, [*LOOPBACK, *extra])


class Lobby:
    """The users a test has brought into #lobby, so each sees the others arrive."""

    def __init__(self, daemon: Daemon) -> None:
        self.daemon = daemon
        self.members: dict[str, LineClient] = {}

    def enter(self, nick: str, host: str | None = None, motd: Sequence[str] = ()) -> LineClient:
        """Connect, choose ``nick`` and read every line that causes, on every member's side."""
        client = self.daemon.connect(host)
        client.expect(WELCOME, *[f"*** {line}" for line in motd], PROMPT)
        client.say(nick)
        client.expect(f"*** You are {nick}.")
        for member in [*self.members.values(), client]:
            member.expect_stamped(f"#lobby -- {nick} joined")
        self.members[nick] = client
        client.expect(f"*** In #lobby ({len(self.members)}): {' '.join(self.members)}")
        return client

    def hear(self, line: str, *, but: Sequence[str] = ()) -> None:
        """Every member, except those named in ``but``, receives the stamped ``line`` next."""
        for nick, member in self.members.items():
            if nick not in but:
                member.expect_stamped(line)


SHARED_LOBBY = (*LOOPBACK, "--replay", "0")
"""A daemon the tests of a class share (``SharedDaemon``): no lines replayed, so none of a test before reaches #lobby's
next joiners. Its tests' nicknames may be the same: no account keeps them, and each test starts with nobody online."""
