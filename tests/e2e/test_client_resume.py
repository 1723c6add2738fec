"""The bundled client comes back after a ``kill -9`` of the daemon to exactly what it missed, over real TCP.

A real twistd with a ``--db`` file on loopback; the client's ``Link`` in
this process, with its pauses between attempts on a ``Clock`` the test
advances, so the others talk while it is away, for as long as the test
likes. Coming back, it names where it left off in each room, and draws
the lines it missed, then a rule saying how many, then the live ones; a line
it showed that was deleted meanwhile it marks deleted, as it does live.
"""

import re
import signal
from dataclasses import dataclass
from datetime import UTC

from twisted.internet import reactor
from twisted.internet.defer import Deferred
from twisted.internet.task import Clock, deferLater
from twisted.trial.unittest import TestCase
from typing_extensions import override

from chatd import __version__
from chatd.client.connection import Link
from chatd.client.presence import Presence
from chatd.client.reach import connect_to
from chatd.client.shown import Shown
from tests.e2e.daemon import DEADLINE_SECONDS, Daemon, LineClient
from tests.e2e.lobby import LOOPBACK, NAME, PROMPT, WELCOME
from tests.helpers import new_database
from tests.test_client_connection import START, RecordingScreen

STAMP = re.compile(r"^(\d{4}-\d\d-\d\d )?\d\d:\d\d ")
"""A client line's time, dated for a line of another day (the client's clock here is 09:00 of 1970)."""


class WatchedScreen(RecordingScreen):
    """A screen a test can wait on: ``showing`` fires once a line holding some text has been drawn."""

    def __init__(self) -> None:
        super().__init__()
        self._waiting: list[tuple[str, int, Deferred[None]]] = []

    @override
    def show(self, shown: Shown) -> None:
        super().show(shown)
        self._check()

    @override
    def note(self, shown: Shown) -> None:
        super().note(shown)
        self._check()

    def count(self, text: str) -> int:
        """How many lines drawn so far, the client's own included, hold ``text``."""
        return sum(text in line for line in [*self.lines, *self.notes])

    def showing(self, text: str, times: int = 1) -> "Deferred[None]":
        """Fires once ``times`` lines holding ``text`` have been drawn; fails at the deadline."""
        drawn: Deferred[None] = Deferred()
        self._waiting.append((text, times, drawn))
        self._check()
        return drawn.addTimeout(DEADLINE_SECONDS, reactor)

    def _check(self) -> None:
        for waiting in list(self._waiting):
            text, times, drawn = waiting
            if self.count(text) >= times:
                self._waiting.remove(waiting)
                drawn.callback(None)


def said_by(client: LineClient, text: str, echo: str | None = None) -> None:
    """``client`` says ``text`` in its current room, and reads on until its echo ends ``echo`` (``> text``)."""
    client.say(text)
    ending = (echo or f"> {text}") + "\r\n"
    while not client.read_line().endswith(ending.encode()):
        pass


def enter(daemon: Daemon, nick: str) -> LineClient:
    """A raw nc-like user named ``nick``, in #lobby, past what naming shows."""
    client = daemon.connect()
    client.expect(WELCOME, PROMPT)
    client.say(nick)
    while not client.read_line().startswith(b"*** In #lobby"):
        pass
    return client


def switch(client: LineClient, room: str) -> None:
    """``client`` joins ``room`` (or makes it current), past the members line."""
    client.say(f"/join {room}")
    while not client.read_line().startswith(f"*** In {room}".encode()):
        pass


@dataclass
class KeptAlice:
    """A daemon keeping a ``--db`` file, started with ``arguments``, and alice's ``Link`` to it on ``clock``,
    drawing on ``screen``."""

    daemon: Daemon
    arguments: list[str]
    link: Link
    screen: WatchedScreen
    clock: Clock

    async def killed_and_started_again(self, test: TestCase) -> Daemon:
        """The daemon killed (``kill -9``), and once alice's link is waiting to reconnect, started again on its port
        and file: the daemon she reconnects to."""
        test.assertEqual(self.daemon.signal(signal.SIGKILL), -signal.SIGKILL)
        await self.screen.showing("Reconnecting in 1.0 s.")
        # The pause is announced before ClientService schedules it: let it, on the next turn.
        await deferLater(reactor, 0, lambda: None)
        assert self.arguments[1:3] == ["--port", "0"], self.arguments
        self.daemon = Daemon.start(test, ["chatd", "--port", str(self.daemon.port), *self.arguments[3:]])
        return self.daemon


def alice_linked(test: TestCase, port: int) -> tuple[Link, WatchedScreen, Clock]:
    """alice's ``Link`` to ``port`` on loopback, started, drawing on a ``WatchedScreen``, her pauses and quiet on a
    ``Clock``; she leaves when the test ends."""
    clock = Clock()
    clock.advance(START)
    endpoint, server = connect_to(reactor, "127.0.0.1", port)
    link = Link(endpoint, clock, Presence("alice"), server, policy=float, zone=UTC)
    screen = WatchedScreen()
    finished = link.start(screen)

    def leave() -> "Deferred[int]":
        link.leave()
        link.leave()  # the second stops at once, whether the server answered or not
        return finished

    test.addCleanup(leave)
    return link, screen, clock


def alice_on_a_kept_daemon(test: TestCase) -> KeptAlice:
    """A daemon keeping a ``--db`` file in a folder of the test's, and alice's ``Link`` to it (``alice_linked``)."""
    arguments = [*LOOPBACK, "--db", new_database(test)]
    daemon = Daemon.start(test, arguments)
    link, screen, clock = alice_linked(test, daemon.port)
    return KeptAlice(daemon, arguments, link, screen, clock)


class ReconnectResumeTests(TestCase):
    """alice, on the bundled client, in #lobby and #dev; the daemon is killed; bob talks; alice comes back."""

    async def test_the_client_comes_back_to_exactly_what_it_missed_with_a_marker(self) -> None:
        """Only the lines said while away come back, drawn as history, each room's rule after them, then live lines."""
        kept = alice_on_a_kept_daemon(self)
        daemon, link, screen, clock = kept.daemon, kept.link, kept.screen, kept.clock
        await screen.showing("alice joined #lobby")
        link.send("/join #dev")
        await screen.showing("alice joined #dev")

        bob = enter(daemon, "bob")
        switch(bob, "#dev")
        said_by(bob, "seen in dev")
        switch(bob, "#lobby")
        said_by(bob, "seen in lobby")
        await screen.showing("#lobby <bob> seen in lobby")

        daemon = await kept.killed_and_started_again(self)
        bob = enter(daemon, "bob")
        switch(bob, "#dev")
        said_by(bob, "missed in dev 1")
        said_by(bob, "/me missed in dev 2", "* bob missed in dev 2")
        switch(bob, "#lobby")
        said_by(bob, "missed in lobby")
        before = len(screen.lines)

        clock.advance(1.0)
        await screen.showing("---- missed 2 messages in #dev ----")
        said_by(bob, "live")
        await screen.showing("#lobby <bob> live")
        back = [STAMP.sub("", line) for line in screen.lines[before:]]
        self.assertEqual(
            back,
            [
                f"* Welcome to chatd {__version__} on {NAME}. Type /help for help.",
                "* Choose a nickname:",
                "* You are alice.",
                "- alice joined #lobby",
                "* In #lobby (2): bob alice",
                "| #lobby <bob> missed in lobby",
                "* ---- missed 1 message in #lobby ----",
                "- alice joined #dev",
                "* In #dev (2): @bob alice",
                "| #dev <bob> missed in dev 1",
                "| #dev * bob missed in dev 2",
                "* ---- missed 2 messages in #dev ----",
                "  #lobby <bob> live",
            ],
        )
        self.assertEqual((screen.count("seen in lobby"), screen.count("seen in dev")), (1, 1))

    async def test_a_client_that_left_the_default_room_comes_back_without_it(self) -> None:
        """alice left #lobby for #dev; back after a restart she is in #dev alone, and #lobby never sees her."""
        kept = alice_on_a_kept_daemon(self)
        daemon, link, screen, clock = kept.daemon, kept.link, kept.screen, kept.clock
        await screen.showing("alice joined #lobby")
        link.send("/join #dev")
        await screen.showing("alice joined #dev")
        link.send("/part #lobby")
        await screen.showing("alice left #lobby")

        daemon = await kept.killed_and_started_again(self)
        bob = enter(daemon, "bob")
        before = len(screen.lines)

        clock.advance(1.0)
        await screen.showing("* In #dev (1): @alice", times=2)
        link.send("back")
        await screen.showing("> #dev <alice> back")
        bob.say("/whois alice")
        bob.expect("*** alice is in #dev")
        self.assertEqual(
            [STAMP.sub("", line) for line in screen.lines[before:]],
            [
                f"* Welcome to chatd {__version__} on {NAME}. Type /help for help.",
                "* Choose a nickname:",
                "* You are alice.",
                "- alice joined #dev",
                "* In #dev (1): @alice",
                "* No lines of #dev are kept.",
                "> #dev <alice> back",
            ],
        )

    async def test_a_line_deleted_while_away_is_marked_deleted_on_coming_back(self) -> None:
        """alice is shown bob's line in #dev; the daemon is killed; bob, back first (#dev's operator again), deletes
        it; alice's client, coming back, marks the line it showed deleted, as a live deletion is: whose, of when, by
        whom and why."""
        kept = alice_on_a_kept_daemon(self)
        daemon, link, screen, clock = kept.daemon, kept.link, kept.screen, kept.clock
        await screen.showing("alice joined #lobby")
        bob = enter(daemon, "bob")
        switch(bob, "#dev")
        link.send("/join #dev")
        await screen.showing("alice joined #dev")
        said_by(bob, "oops")
        await screen.showing("#dev <bob> oops")

        daemon = await kept.killed_and_started_again(self)
        bob = enter(daemon, "bob")
        switch(bob, "#dev")
        bob.say("/search #dev oops")
        found = None
        while found is None:
            found = re.search(rb"([0-9a-f]{16}) #dev <bob> oops", bob.read_line())
        bob.say(f"/delete #dev {found[1].decode()} a typo")
        while b"deleted the line" not in bob.read_line():
            pass

        clock.advance(1.0)
        await screen.showing("(deleted by bob: a typo)")
        [marked] = [line for line in screen.lines if "(deleted by bob: a typo)" in line]
        self.assertRegex(
            STAMP.sub("", marked), r"^- #dev: bob's line of \d\d:\d\d \(deleted by bob: a typo\)$"
        )
